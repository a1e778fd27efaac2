-- Set objects of the Scryfall-compatible API, with card_count and released_at kept true by the
-- catalog (counted from the printings, not taken from whichever file created the set).

-- name: set_object_fragment
jsonb_strip_nulls(jsonb_build_object(
    'object', 'set', 'id', s.set_id, 'code', s.code, 'mtgo_code', s.mtgo_code, 'arena_code', s.arena_code,
    'tcgplayer_id', s.tcgplayer_id, 'name', s.name,
    'uri', 'https://api.scryfall.com/sets/' || s.set_id,
    'scryfall_uri', 'https://scryfall.com/sets/' || s.code,
    'search_uri', 'https://api.scryfall.com/cards/search?include_extras=true&include_variations=true&order=set&q=e%3A'
                  || s.code || '&unique=prints',
    'released_at', COALESCE(s.released_at, c.first_release), 'set_type', s.set_type,
    'card_count', COALESCE(c.cards, 0), 'parent_set_code', s.parent_set_code, 'printed_size', s.printed_size,
    'digital', s.digital, 'nonfoil_only', s.nonfoil_only, 'foil_only', s.foil_only,
    'block_code', s.block_code, 'block', s.block,
    'icon_svg_uri', COALESCE(s.icon_svg_uri, 'https://svgs.scryfall.io/sets/' || s.code || '.svg')))::text

-- name: counts_fragment
LEFT JOIN LATERAL (
    SELECT count(*) AS cards, min(v.released_at) AS first_release
    FROM card_catalog.card_versions v WHERE v.set_id = s.set_id
) AS c ON true

-- name: all_sets
-- Newest first, as Scryfall lists them.
SELECT {set_object} FROM card_catalog.sets s {counts}
ORDER BY COALESCE(s.released_at, c.first_release) DESC NULLS LAST, s.code

-- name: set_by_code
SELECT {set_object} FROM card_catalog.sets s {counts} WHERE s.code = lower($1)

-- name: set_by_id
SELECT {set_object} FROM card_catalog.sets s {counts} WHERE s.set_id = $1

-- name: set_by_tcgplayer
SELECT {set_object} FROM card_catalog.sets s {counts} WHERE s.tcgplayer_id = $1 ORDER BY s.code LIMIT 1
