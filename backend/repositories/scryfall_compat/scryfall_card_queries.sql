-- Card objects of the Scryfall-compatible API: each printing's stored document (card_documents),
-- or, for a printing loaded before documents were kept, one built from the catalog's columns.
-- Markers other than fragments ({where}, {order}, ...) are filled per call with SQL from the query
-- compiler and fixed templates, never with user input.

-- name: fallback_document_fragment
-- The card object from the columns (v printing, o oracle card, s set), in today's schema; absent
-- rather than null, prices always with their six keys.
(jsonb_strip_nulls(jsonb_build_object(
    'object', 'card', 'id', v.card_version_id, 'oracle_id', v.oracle_id, 'multiverse_ids', v.multiverse_ids,
    'mtgo_id', v.mtgo_id, 'mtgo_foil_id', v.mtgo_foil_id, 'arena_id', v.arena_id, 'tcgplayer_id', v.tcgplayer_id,
    'tcgplayer_etched_id', v.tcgplayer_etched_id, 'cardmarket_id', v.cardmarket_id, 'name', v.name,
    'lang', v.lang, 'released_at', v.released_at,
    'uri', 'https://api.scryfall.com/cards/' || v.card_version_id,
    'scryfall_uri', COALESCE(v.scryfall_uri, 'https://scryfall.com/card/' || v.set_code || '/' || v.collector_number),
    'layout', v.layout, 'highres_image', COALESCE(v.image_status = 'highres_scan', false),
    'image_status', COALESCE(v.image_status, CASE WHEN v.image_uris IS NULL THEN 'missing' ELSE 'lowres' END),
    'image_uris', v.image_uris, 'mana_cost', o.mana_cost, 'cmc', o.cmc::float8, 'type_line', o.type_line,
    'oracle_text', o.oracle_text, 'power', o.power, 'toughness', o.toughness, 'loyalty', o.loyalty,
    'defense', o.defense, 'colors', o.colors, 'color_identity', o.color_identity,
    'color_indicator', o.color_indicator, 'keywords', o.keywords, 'produced_mana', o.produced_mana,
    'card_faces', v.card_faces))
 || jsonb_strip_nulls(jsonb_build_object(
    'legalities', o.legalities, 'games', v.games, 'reserved', o.reserved,
    'foil', 'foil' = ANY (v.finishes), 'nonfoil', 'nonfoil' = ANY (v.finishes), 'finishes', v.finishes,
    'oversized', v.oversized, 'promo', v.promo, 'reprint', v.reprint, 'variation', v.variation,
    'set_id', v.set_id, 'set', v.set_code, 'set_name', s.name, 'set_type', s.set_type,
    'set_uri', 'https://api.scryfall.com/sets/' || v.set_id,
    'set_search_uri', 'https://api.scryfall.com/cards/search?order=set&q=e%3A' || v.set_code || '&unique=prints',
    'scryfall_set_uri', 'https://scryfall.com/sets/' || v.set_code,
    'rulings_uri', 'https://api.scryfall.com/cards/' || v.card_version_id || '/rulings',
    'prints_search_uri', 'https://api.scryfall.com/cards/search?order=released&q=oracleid%3A' || v.oracle_id
                         || '&unique=prints',
    'collector_number', v.collector_number, 'digital', v.digital, 'rarity', v.rarity,
    'flavor_text', v.flavor_text, 'printed_name', v.printed_name, 'printed_type_line', v.printed_type_line,
    'printed_text', v.printed_text, 'artist', v.artist, 'artist_ids', v.artist_ids,
    'illustration_id', v.illustration_id, 'border_color', COALESCE(v.border_color, 'black'),
    'frame', COALESCE(v.frame, '2015'), 'frame_effects', NULLIF(v.frame_effects, '{}'),
    'security_stamp', v.security_stamp, 'full_art', v.full_art, 'textless', v.textless,
    'booster', v.booster, 'story_spotlight', false, 'edhrec_rank', o.edhrec_rank,
    'promo_types', NULLIF(v.promo_types, '{}'), 'related_uris', '{}'::jsonb))
 || jsonb_build_object('prices', jsonb_build_object(
    'usd', v.price_usd::text, 'usd_foil', v.price_usd_foil::text, 'usd_etched', v.price_usd_etched::text,
    'eur', v.price_eur::text, 'eur_foil', v.price_eur_foil::text, 'tix', v.price_tix::text)))::text

-- name: document_fragment
-- The card object of the printing joined as d (document) / v, o, s (columns, when d is missing).
COALESCE(d.document::text, {fallback_document})

-- name: document_join_fragment
-- $1 uuid[]: the printings' objects; the columns are read only for printings without a document.
card_catalog.card_versions v
LEFT JOIN card_catalog.card_documents d ON d.card_version_id = v.card_version_id
LEFT JOIN card_catalog.oracle_cards o ON o.oracle_id = v.oracle_id AND d.card_version_id IS NULL
LEFT JOIN card_catalog.sets s ON s.set_id = v.set_id AND d.card_version_id IS NULL

-- name: document_by_id
-- The hot path: one index probe of card_documents (the join to the columns only when it is missing).
SELECT COALESCE(
    (SELECT d.document::text FROM card_catalog.card_documents d WHERE d.card_version_id = $1),
    (SELECT {fallback_document} FROM card_catalog.card_versions v
     JOIN card_catalog.oracle_cards o ON o.oracle_id = v.oracle_id
     JOIN card_catalog.sets s ON s.set_id = v.set_id
     WHERE v.card_version_id = $1))

-- name: documents_by_ids
-- $1 uuid[]: (id, card object) of each printing that exists.
SELECT v.card_version_id AS id, {document} AS card
FROM {document_join}
WHERE v.card_version_id = ANY ($1::uuid[])

-- name: custom_plans
-- As the catalog's searches: plan each search with its values, no parallel workers.
SELECT set_config('plan_cache_mode', 'force_custom_plan', true),
       set_config('max_parallel_workers_per_gather', '0', true)

-- name: preference_fragment
-- Which printing stands for a card (Scryfall's default printing, as docs/scryfall-api.md says):
-- paper before digital, then the most recent, English first.
v.is_paper DESC, v.released_at DESC NULLS LAST, (v.lang = 'en') DESC, v.card_version_id

-- name: page_tail_fragment
-- One page of `matched` with the total count (one row even when the page is empty), as documents.
page AS (
    SELECT * FROM matched ORDER BY {order} LIMIT {limit} OFFSET {offset}
)
SELECT c.total_count, page.card_version_id AS id, {document} AS card
FROM (SELECT count(*) AS total_count FROM matched) AS c
LEFT JOIN page ON true
LEFT JOIN card_catalog.card_documents d ON d.card_version_id = page.card_version_id
LEFT JOIN card_catalog.card_versions v ON v.card_version_id = page.card_version_id AND d.card_version_id IS NULL
LEFT JOIN card_catalog.oracle_cards o ON o.oracle_id = v.oracle_id
LEFT JOIN card_catalog.sets s ON s.set_id = v.set_id
ORDER BY {page_order}

-- name: search_page
-- {match_from}: the printings (and sets when a term needs them); {distinct}/{distinct_order}: unique mode.
WITH matched AS MATERIALIZED (
    SELECT {distinct} v.card_version_id, {sort_key} AS sort_key, {name_key} AS sort_name,
           v.set_code AS sort_set, v.collector_number_int AS sort_cn, v.collector_number AS sort_cn_text
    FROM {match_from}
    WHERE {where}
    {distinct_order}
),
{page_tail}

-- name: search_page_oracle
-- When no term looks at printings: filter oracle cards, then each one's preferred English printing.
WITH matched AS MATERIALIZED (
    SELECT v.card_version_id, {sort_key} AS sort_key, {name_key} AS sort_name, v.set_code AS sort_set,
           v.collector_number_int AS sort_cn, v.collector_number AS sort_cn_text
    FROM card_catalog.oracle_cards o
    CROSS JOIN LATERAL (
        SELECT p.card_version_id, p.set_code, p.collector_number_int, p.collector_number, p.released_at,
               p.rarity_rank, p.price_usd, p.price_usd_foil, p.price_usd_etched, p.price_eur, p.price_eur_foil,
               p.price_tix
        FROM card_catalog.card_versions p
        WHERE p.oracle_id = o.oracle_id AND p.lang = 'en'
        ORDER BY p.is_paper DESC, p.released_at DESC NULLS LAST, p.card_version_id
        LIMIT 1
    ) AS v
    WHERE {where}
),
{page_tail}

-- name: from_sets_fragment
card_catalog.card_versions v
JOIN card_catalog.oracle_cards o ON o.oracle_id = v.oracle_id
JOIN card_catalog.sets s ON s.set_id = v.set_id

-- name: from_printings_fragment
card_catalog.card_versions v
JOIN card_catalog.oracle_cards o ON o.oracle_id = v.oracle_id

-- name: id_by_number
-- $1 set code, $2 collector number, $3 language or NULL (then English first).
SELECT v.card_version_id FROM card_catalog.card_versions v
WHERE v.set_code = $1 AND v.collector_number = $2 AND ($3::text IS NULL OR v.lang = $3)
ORDER BY (v.lang = 'en') DESC, v.lang
LIMIT 1

-- name: id_by_multiverse
SELECT card_version_id FROM card_catalog.card_versions WHERE multiverse_ids @> ARRAY[$1::int]
ORDER BY (lang = 'en') DESC, card_version_id LIMIT 1

-- name: id_by_mtgo
SELECT card_version_id FROM card_catalog.card_versions WHERE mtgo_id = $1 OR mtgo_foil_id = $1
ORDER BY (mtgo_id = $1) DESC, card_version_id LIMIT 1

-- name: id_by_arena
SELECT card_version_id FROM card_catalog.card_versions WHERE arena_id = $1
ORDER BY (lang = 'en') DESC, card_version_id LIMIT 1

-- name: id_by_tcgplayer
SELECT card_version_id FROM card_catalog.card_versions WHERE tcgplayer_id = $1 OR tcgplayer_etched_id = $1
ORDER BY (tcgplayer_id = $1) DESC, card_version_id LIMIT 1

-- name: id_by_cardmarket
SELECT card_version_id FROM card_catalog.card_versions WHERE cardmarket_id = $1
ORDER BY card_version_id LIMIT 1

-- name: preferred_by_oracle
-- $1 oracle id, $2 set code or NULL: the printing that stands for the card.
SELECT v.card_version_id FROM card_catalog.card_versions v
WHERE v.oracle_id = $1 AND ($2::text IS NULL OR v.set_code = $2)
ORDER BY {preference}
LIMIT 1

-- name: preferred_by_illustration
SELECT v.card_version_id FROM card_catalog.card_versions v
WHERE v.illustration_id = $1
ORDER BY {preference}
LIMIT 1

-- name: preferred_by_name
-- $1 lower-case name (the card's or a face's), $2 set code or NULL: real cards before extras.
SELECT v.card_version_id
FROM card_catalog.oracle_cards o
JOIN card_catalog.card_versions v ON v.oracle_id = o.oracle_id
WHERE o.face_names @> ARRAY[$1::text] AND ($2::text IS NULL OR v.set_code = $2)
ORDER BY o.is_extra, (lower(o.name) = $1) DESC, {preference}
LIMIT 1

-- name: existing_ids
SELECT card_version_id FROM card_catalog.card_versions WHERE card_version_id = ANY ($1::uuid[])

-- name: bulk_order_fragment
-- The printing a bulk file keeps for a card or an artwork: English first, then the default printing.
(v.lang = 'en') DESC, {preference}

-- name: bulk_all_cards
-- Every printing in every language.
SELECT {document} FROM {document_join} ORDER BY v.card_version_id

-- name: bulk_default_cards
-- Every printing in English, or in its printed language when it has no English version (Scryfall's
-- default_cards).
SELECT {document} FROM {document_join}
WHERE v.lang = 'en' OR NOT EXISTS (
    SELECT 1 FROM card_catalog.card_versions e
    WHERE e.set_code = v.set_code AND e.collector_number = v.collector_number AND e.lang = 'en')
ORDER BY v.card_version_id

-- name: bulk_oracle_cards
-- One printing per oracle card.
SELECT {document} FROM {document_join}
WHERE v.card_version_id IN (
    SELECT DISTINCT ON (v.oracle_id) v.card_version_id FROM card_catalog.card_versions v
    ORDER BY v.oracle_id, {bulk_order})
ORDER BY v.card_version_id

-- name: bulk_unique_artwork
-- One printing per artwork (a printing without an illustration id stands alone).
SELECT {document} FROM {document_join}
WHERE v.card_version_id IN (
    SELECT DISTINCT ON (COALESCE(v.illustration_id, v.card_version_id)) v.card_version_id
    FROM card_catalog.card_versions v
    ORDER BY COALESCE(v.illustration_id, v.card_version_id), {bulk_order})
ORDER BY v.card_version_id
