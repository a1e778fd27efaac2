-- Set reference reads and edits (bulk loads go through the Scryfall loader's load_sets).

-- name: set_columns_fragment
s.set_id AS id, s.code, s.name, s.set_type, s.released_at, s.block_code, s.block, s.parent_set_code,
s.card_count, s.printed_size, s.digital, s.foil_only, s.nonfoil_only, s.icon_svg_uri, s.mtgo_code,
s.arena_code, s.tcgplayer_id, s.origin, s.updated_at

-- name: set_by_id
SELECT {set_columns} FROM card_catalog.sets s WHERE s.set_id = $1

-- name: set_by_code
SELECT {set_columns} FROM card_catalog.sets s WHERE s.code = $1

-- name: list_sets
-- $1 set_type, $2 released from, $3 released to, $4 digital, $5 name/code text. Paged by the kit.
SELECT {set_columns}
FROM card_catalog.sets s
WHERE ($1::text IS NULL OR s.set_type = $1)
  AND ($2::date IS NULL OR s.released_at >= $2)
  AND ($3::date IS NULL OR s.released_at <= $3)
  AND ($4::boolean IS NULL OR s.digital = $4)
  AND ($5::text IS NULL OR s.name ILIKE '%' || $5 || '%' OR s.code = lower($5))

-- name: count_cards_in_set
SELECT count(*) FROM card_catalog.card_versions WHERE set_id = $1

-- name: delete_set
DELETE FROM card_catalog.sets WHERE set_id = $1 RETURNING set_id

-- name: lock_set
SELECT set_id FROM card_catalog.sets WHERE set_id = $1 FOR UPDATE

-- name: rename_set_code_on_cards
-- card_versions.set_code is denormalised: follow a set's code change.
UPDATE card_catalog.card_versions SET set_code = $2 WHERE set_id = $1 AND set_code <> $2

-- name: codes_held_by_other_sets
-- $1 ids, $2 codes (pairwise): codes already used by another set loaded from /sets or edited by hand
-- (sets the loader created from cards' own fields may be taken over).
SELECT n.code
FROM unnest($1::uuid[], $2::text[]) AS n(set_id, code)
JOIN card_catalog.sets s ON s.code = n.code AND s.set_id <> n.set_id AND s.origin <> 'card'
