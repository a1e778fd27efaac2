-- Entries of a collection, with their printing's name, set and number. Callers have checked that the
-- collection is the caller's (every statement also names the collection).

-- name: entry_columns_fragment
e.entry_id, e.collection_id, e.card_version_id AS card_id, v.name, v.set_code AS set, s.name AS set_name,
v.collector_number, v.rarity, e.quantity, e.finish, e.condition, e.language, e.purchase_price_cents,
e.purchase_currency, e.acquired_at, e.tags, e.notes, e.created_at, e.updated_at

-- name: catalog_join_fragment
-- The entries' printings, cards and sets (what catalog filters and answers read).
JOIN card_catalog.card_versions v ON v.card_version_id = e.card_version_id
JOIN card_catalog.oracle_cards o ON o.oracle_id = v.oracle_id
JOIN card_catalog.sets s ON s.set_id = v.set_id

-- name: entry_from_fragment
user_collection.entries e {catalog_join}

-- name: sort_key_columns_fragment
-- The printing's sort key every entry carries (copied from card_versions `v` when written).
sort_name, sort_set, sort_number, sort_collector

-- name: sort_key_values_fragment
v.name, v.set_code, v.collector_number_int, v.collector_number

-- name: printing
-- $1 card id: what an entry needs to know about its printing.
SELECT v.card_version_id, v.name, v.set_code, v.collector_number, v.lang, v.finishes
FROM card_catalog.card_versions v
WHERE v.card_version_id = $1

-- name: add_entry
-- $1 collection, $2 printing, $3 finish, $4 condition, $5 language, $6 quantity, $7 price cents,
-- $8 currency, $9 acquired, $10 tags, $11 notes. An existing entry of the same identity gets the
-- copies added; a price of the same currency is averaged over all copies, tags are united.
INSERT INTO user_collection.entries AS e (collection_id, card_version_id, finish, condition, language, quantity,
                                          purchase_price_cents, purchase_currency, acquired_at, tags, notes,
                                          {sort_key_columns})
SELECT $1, v.card_version_id, $3::text, $4::text, $5::text, $6::integer, $7::bigint, $8::text, $9::date,
       $10::text[], $11::text, {sort_key_values}
FROM card_catalog.card_versions v WHERE v.card_version_id = $2
ON CONFLICT ON CONSTRAINT entries_identity_key DO UPDATE SET
    quantity = e.quantity + excluded.quantity,
    purchase_price_cents = CASE
        WHEN excluded.purchase_price_cents IS NULL THEN e.purchase_price_cents
        WHEN e.purchase_price_cents IS NULL THEN excluded.purchase_price_cents
        WHEN e.purchase_currency IS DISTINCT FROM excluded.purchase_currency THEN e.purchase_price_cents
        ELSE round((e.purchase_price_cents * e.quantity + excluded.purchase_price_cents * excluded.quantity)::numeric
                   / (e.quantity + excluded.quantity))::bigint
    END,
    purchase_currency = CASE WHEN e.purchase_price_cents IS NULL AND excluded.purchase_price_cents IS NOT NULL
                             THEN excluded.purchase_currency ELSE e.purchase_currency END,
    acquired_at = COALESCE(e.acquired_at, excluded.acquired_at),
    tags = ARRAY(SELECT DISTINCT unnest(e.tags || excluded.tags) ORDER BY 1),
    notes = COALESCE(e.notes, excluded.notes),
    updated_at = now()
RETURNING e.entry_id, (xmax = 0) AS inserted

-- name: insert_entry
-- As add_entry, but an existing entry of the same identity is left alone (no row returned).
INSERT INTO user_collection.entries (collection_id, card_version_id, finish, condition, language, quantity,
                                     purchase_price_cents, purchase_currency, acquired_at, tags, notes,
                                     {sort_key_columns})
SELECT $1, v.card_version_id, $3::text, $4::text, $5::text, $6::integer, $7::bigint, $8::text, $9::date,
       $10::text[], $11::text, {sort_key_values}
FROM card_catalog.card_versions v WHERE v.card_version_id = $2
ON CONFLICT ON CONSTRAINT entries_identity_key DO NOTHING
RETURNING entry_id, true AS inserted

-- name: existing_entry_id
-- $1 collection, $2 printing, $3 finish, $4 condition, $5 language.
SELECT entry_id FROM user_collection.entries
WHERE collection_id = $1 AND card_version_id = $2 AND finish = $3 AND condition = $4 AND language = $5

-- name: get_entries
-- $1 collection, $2 entry ids.
SELECT {entry_columns}
FROM {entry_from}
WHERE e.collection_id = $1 AND e.entry_id = ANY($2::uuid[])

-- name: get_entry_for_update
-- $1 collection, $2 entry.
SELECT e.entry_id, e.card_version_id, e.finish, e.condition, e.language, v.finishes
FROM user_collection.entries e
JOIN card_catalog.card_versions v ON v.card_version_id = e.card_version_id
WHERE e.collection_id = $1 AND e.entry_id = $2
FOR UPDATE OF e

-- name: delete_entries
-- $1 collection, $2 entry ids: the ids removed.
DELETE FROM user_collection.entries WHERE collection_id = $1 AND entry_id = ANY($2::uuid[]) RETURNING entry_id

-- name: list_entries
-- $1 collection, $2 finish, $3 condition, $4 language, $5 tag, then the compiled catalog condition
-- ({where}, its parameters from $6; {catalog_tables} joins what it reads). {value_column} is the
-- entry's value when sorting by it.
SELECT e.entry_id AS id, e.entry_id, e.created_at, e.quantity, {sort_key_columns},
       {value_column} AS value_cents
FROM user_collection.entries e
{catalog_tables}
{price_join}
WHERE e.collection_id = $1
  AND ($2::text IS NULL OR e.finish = $2)
  AND ($3::text IS NULL OR e.condition = $3)
  AND ($4::text IS NULL OR e.language = $4)
  AND ($5::text IS NULL OR e.tags @> ARRAY[$5::text])
  AND {where}

-- name: page_by_name
-- $1 collection, $2 page size, $3 offset: one page of the whole collection in name order (a range of
-- entries_collection_name_idx).
SELECT e.entry_id
FROM user_collection.entries e
WHERE e.collection_id = $1
ORDER BY e.sort_name, e.sort_set, e.sort_number, e.sort_collector, e.entry_id
LIMIT $2 OFFSET $3

-- name: refresh_sort_names
-- Entries of printings the catalog has renamed since they were written.
UPDATE user_collection.entries e SET sort_name = v.name
FROM card_catalog.card_versions v
WHERE v.card_version_id = e.card_version_id AND e.sort_name <> v.name

-- name: export_page
-- $1 collection, $2 name after, $3 entry id after (keyset), $4 page size: entries with what every
-- export format may need.
SELECT e.entry_id, v.name, v.set_code, s.name AS set_name, v.collector_number, e.card_version_id AS scryfall_id,
       CASE WHEN e.finish = 'etched' THEN COALESCE(v.tcgplayer_etched_id, v.tcgplayer_id) ELSE v.tcgplayer_id END
           AS tcgplayer_product_id,
       v.multiverse_ids[1] AS multiverse_id, v.rarity, e.finish, e.condition, e.language, e.quantity,
       e.purchase_price_cents, e.purchase_currency, e.acquired_at, e.tags, e.notes
FROM {entry_from}
WHERE e.collection_id = $1 AND ($2::text IS NULL OR (v.name, e.entry_id) > ($2, $3::uuid))
ORDER BY v.name, e.entry_id
LIMIT $4
