-- Importing a collection file: its rows are copied into pg_temp.import_rows, resolved to printings
-- set-wise in the documented order, folded into pg_temp.import_entries (one row per entry identity),
-- compared with the collection and, unless it is a dry run, applied. All in the caller's transaction.

-- name: resolve_by_scryfall_id
UPDATE pg_temp.import_rows r
SET card_version_id = v.card_version_id, resolved_by = 'scryfall_id', finish_ok = (r.finish = ANY(v.finishes)),
    printing_lang = v.lang
FROM card_catalog.card_versions v
WHERE r.card_version_id IS NULL AND v.card_version_id = r.scryfall_id

-- name: resolve_by_set_number
-- The row's language first, then English.
WITH matched AS (
    SELECT DISTINCT ON (r.line) r.line, v.card_version_id, v.finishes, v.lang
    FROM pg_temp.import_rows r
    JOIN card_catalog.card_versions v ON v.set_code = r.set_code AND v.collector_number = r.collector_number
    WHERE r.card_version_id IS NULL
    ORDER BY r.line, (v.lang = r.language) DESC NULLS LAST, (v.lang = 'en') DESC, v.lang
)
UPDATE pg_temp.import_rows r
SET card_version_id = m.card_version_id, resolved_by = 'set_number', finish_ok = (r.finish = ANY(m.finishes)),
    printing_lang = m.lang
FROM matched m WHERE r.line = m.line

-- name: resolve_by_tcgplayer_id
-- A product id names the printing's regular or its etched product (TCGplayer writes "Foil" for both
-- foil finishes: the etched product says which). One id may cover several printings (languages).
WITH candidates AS (
    SELECT r.line, v.card_version_id, v.lang, v.released_at, v.finishes, false AS etched
    FROM pg_temp.import_rows r JOIN card_catalog.card_versions v ON v.tcgplayer_id = r.tcgplayer_id
    WHERE r.card_version_id IS NULL
    UNION ALL
    SELECT r.line, v.card_version_id, v.lang, v.released_at, v.finishes, true AS etched
    FROM pg_temp.import_rows r JOIN card_catalog.card_versions v ON v.tcgplayer_etched_id = r.tcgplayer_id
    WHERE r.card_version_id IS NULL
), matched AS (
    SELECT DISTINCT ON (c.line) c.line, c.card_version_id, c.etched, c.finishes, c.lang
    FROM candidates c JOIN pg_temp.import_rows r ON r.line = c.line
    ORDER BY c.line, c.etched, (c.lang = r.language) DESC NULLS LAST, (c.lang = 'en') DESC,
             c.released_at DESC NULLS LAST, c.card_version_id
)
UPDATE pg_temp.import_rows r
SET card_version_id = m.card_version_id, resolved_by = 'tcgplayer_id', printing_lang = m.lang,
    finish = CASE WHEN m.etched AND r.finish = 'foil' THEN 'etched' ELSE r.finish END,
    finish_ok = (CASE WHEN m.etched AND r.finish = 'foil' THEN 'etched' ELSE r.finish END) = ANY(m.finishes)
FROM matched m WHERE r.line = m.line

-- name: resolve_by_multiverse_id
WITH matched AS (
    SELECT DISTINCT ON (r.line) r.line, v.card_version_id, v.finishes, v.lang
    FROM pg_temp.import_rows r
    JOIN card_catalog.card_versions v ON v.multiverse_ids @> ARRAY[r.multiverse_id::int]
    WHERE r.card_version_id IS NULL AND r.multiverse_id <= 2147483647
    ORDER BY r.line, (v.lang = r.language) DESC NULLS LAST, (v.lang = 'en') DESC, v.card_version_id
)
UPDATE pg_temp.import_rows r
SET card_version_id = m.card_version_id, resolved_by = 'multiverse_id', finish_ok = (r.finish = ANY(m.finishes)),
    printing_lang = m.lang
FROM matched m WHERE r.line = m.line

-- name: resolve_by_name_and_set
-- Name (or a face's name) in the named set (by code or by name): the row's language, paper, the
-- row's collector number, English, newest.
WITH matched AS (
    SELECT DISTINCT ON (r.line) r.line, v.card_version_id, v.finishes, v.lang
    FROM pg_temp.import_rows r
    JOIN card_catalog.oracle_cards o ON o.face_names @> ARRAY[lower(r.name)]
    JOIN card_catalog.card_versions v ON v.oracle_id = o.oracle_id
    JOIN card_catalog.sets s ON s.set_id = v.set_id
    WHERE r.card_version_id IS NULL AND r.name IS NOT NULL
      AND (s.code = r.set_code OR lower(s.name) = lower(r.set_name))
    ORDER BY r.line, o.is_extra, (v.lang = r.language) DESC NULLS LAST, v.is_paper DESC,
             (v.collector_number = r.collector_number) DESC NULLS LAST, (v.lang = 'en') DESC,
             v.released_at DESC NULLS LAST, v.card_version_id
)
UPDATE pg_temp.import_rows r
SET card_version_id = m.card_version_id, resolved_by = 'name_set', finish_ok = (r.finish = ANY(m.finishes)),
    printing_lang = m.lang
FROM matched m WHERE r.line = m.line

-- name: resolve_by_name
-- Name alone: a guess, reported as such: the newest paper printing (in the row's language, else English).
WITH matched AS (
    SELECT DISTINCT ON (r.line) r.line, v.card_version_id, v.finishes, v.lang
    FROM pg_temp.import_rows r
    JOIN card_catalog.oracle_cards o ON o.face_names @> ARRAY[lower(r.name)]
    JOIN card_catalog.card_versions v ON v.oracle_id = o.oracle_id
    WHERE r.card_version_id IS NULL AND r.name IS NOT NULL
    ORDER BY r.line, o.is_extra, v.is_paper DESC, (v.lang = COALESCE(r.language, 'en')) DESC,
             v.released_at DESC NULLS LAST, v.card_version_id
)
UPDATE pg_temp.import_rows r
SET card_version_id = m.card_version_id, resolved_by = 'name_guess', finish_ok = (r.finish = ANY(m.finishes)),
    printing_lang = m.lang
FROM matched m WHERE r.line = m.line

-- name: foil_as_etched
-- For formats that write one word for both foil finishes (Deckbox, TCGplayer, Dragon Shield, ...): a
-- "foil" copy of a printing that only comes etched is its etched finish.
UPDATE pg_temp.import_rows r SET finish = 'etched', finish_ok = true
FROM card_catalog.card_versions v
WHERE NOT r.finish_ok AND v.card_version_id = r.card_version_id AND r.finish = 'foil'
  AND NOT ('foil' = ANY(v.finishes)) AND 'etched' = ANY(v.finishes)


-- name: pending_methods
-- Which resolution methods have unresolved rows to work on (the others are not run at all).
SELECT bool_or(scryfall_id IS NOT NULL) AS scryfall_id,
       bool_or(set_code IS NOT NULL AND collector_number IS NOT NULL) AS set_number,
       bool_or(tcgplayer_id IS NOT NULL) AS tcgplayer_id, bool_or(multiverse_id IS NOT NULL) AS multiverse_id,
       bool_or(name IS NOT NULL AND (set_code IS NOT NULL OR set_name IS NOT NULL)) AS name_set,
       bool_or(name IS NOT NULL) AS name_guess
FROM pg_temp.import_rows
WHERE card_version_id IS NULL

-- name: take_sole_entry_defaults
-- $1 collection. A row that does not state its condition or language takes those of the collection's
-- only entry of the same printing and finish (a deck list synced back keeps the entries' grades).
WITH sole AS (
    SELECT e.card_version_id, e.finish, min(e.condition) AS condition, min(e.language) AS language
    FROM user_collection.entries e
    WHERE e.collection_id = $1
    GROUP BY e.card_version_id, e.finish
    HAVING count(*) = 1
)
UPDATE pg_temp.import_rows r
SET condition = COALESCE(r.condition, s.condition), language = COALESCE(r.language, s.language)
FROM sole s
WHERE s.card_version_id = r.card_version_id AND s.finish = r.finish AND r.finish_ok
  AND (r.condition IS NULL OR r.language IS NULL)

-- name: take_defaults
-- $1 the collection's currency (for prices that name none).
UPDATE pg_temp.import_rows
SET condition = COALESCE(condition, 'NM'), language = COALESCE(language, printing_lang),
    currency = CASE WHEN price_cents IS NOT NULL THEN COALESCE(currency, $1) END
WHERE finish_ok AND (condition IS NULL OR language IS NULL OR (price_cents IS NOT NULL AND currency IS NULL))

-- name: resolution_counts
SELECT (SELECT count(*) FROM pg_temp.import_rows) AS rows,
       (SELECT count(*) FROM pg_temp.import_rows WHERE finish_ok) AS resolved,
       COALESCE((SELECT jsonb_object_agg(resolved_by, n)
                 FROM (SELECT resolved_by, count(*) AS n FROM pg_temp.import_rows
                       WHERE finish_ok GROUP BY resolved_by) AS counted), '{}'::jsonb)::text AS resolved_by

-- name: problem_rows
-- $1 how many: rows that cannot be imported, with the printing a finish problem is about.
SELECT r.line, r.raw, r.finish, r.scryfall_id, r.set_code, r.collector_number, r.tcgplayer_id, r.multiverse_id,
       r.name, r.set_name, r.card_version_id, v.name AS printing_name, v.set_code AS printing_set,
       v.collector_number AS printing_number, v.finishes
FROM pg_temp.import_rows r
LEFT JOIN card_catalog.card_versions v ON v.card_version_id = r.card_version_id
WHERE NOT COALESCE(r.finish_ok, false)
ORDER BY r.line
LIMIT $1

-- name: guessed_rows
-- $1 how many: rows matched by name alone.
SELECT r.line, r.raw, v.name, v.set_code, v.collector_number
FROM pg_temp.import_rows r JOIN card_catalog.card_versions v ON v.card_version_id = r.card_version_id
WHERE r.resolved_by = 'name_guess' AND r.finish_ok
ORDER BY r.line
LIMIT $1

-- name: fold_entries
-- One row per entry identity: quantities added up; a price averaged per copy over the rows that give
-- one (when they agree on the currency); tags united; the first note and the earliest date.
-- A NULL means the file does not state it (the format has no such column).
INSERT INTO pg_temp.import_entries (card_version_id, finish, condition, language, quantity, price_cents, currency,
                                    acquired_at, tags, notes, lines)
SELECT r.card_version_id, r.finish, r.condition, r.language, sum(r.quantity),
       CASE WHEN count(DISTINCT r.currency) FILTER (WHERE r.price_cents IS NOT NULL) <= 1
            THEN round(sum(r.price_cents * r.quantity) FILTER (WHERE r.price_cents IS NOT NULL)::numeric
                       / NULLIF(sum(r.quantity) FILTER (WHERE r.price_cents IS NOT NULL), 0))::bigint END,
       min(r.currency) FILTER (WHERE r.price_cents IS NOT NULL),
       min(r.acquired_at),
       -- (tags joined with a unit separator, then split: arrays of different lengths cannot be aggregated)
       CASE WHEN bool_or(r.tags IS NOT NULL)
            THEN ARRAY(SELECT DISTINCT t FROM unnest(string_to_array(string_agg(array_to_string(r.tags, chr(31)),
                                                                              chr(31)), chr(31))) AS t
                       WHERE t <> '' ORDER BY t) END,
       (array_agg(r.notes ORDER BY r.line) FILTER (WHERE r.notes IS NOT NULL))[1],
       array_agg(r.line ORDER BY r.line)
FROM pg_temp.import_rows r
WHERE r.finish_ok
GROUP BY r.card_version_id, r.finish, r.condition, r.language

-- name: match_existing
-- $1 collection: the entry each file entry is (if any), and its quantity now.
UPDATE pg_temp.import_entries f SET entry_id = e.entry_id, quantity_before = e.quantity, unchanged = (
        f.quantity = e.quantity
        AND (f.price_cents IS NULL OR (f.price_cents = e.purchase_price_cents
                                       AND f.currency IS NOT DISTINCT FROM e.purchase_currency))
        AND (f.acquired_at IS NULL OR f.acquired_at = e.acquired_at)
        AND (f.tags IS NULL OR f.tags = e.tags)
        AND (f.notes IS NULL OR f.notes = e.notes))
FROM user_collection.entries e
WHERE e.collection_id = $1 AND e.card_version_id = f.card_version_id AND e.finish = f.finish
  AND e.condition = f.condition AND e.language = f.language

-- name: planned_fragment
-- $1 collection, $2 mode (add | sync): every change the import makes.
planned AS (
    SELECT CASE WHEN f.entry_id IS NULL THEN 'add'
                WHEN $2 = 'sync' AND f.unchanged THEN 'unchanged' ELSE 'change' END AS action,
           f.card_version_id, f.finish, f.condition, f.language, COALESCE(f.quantity_before, 0) AS quantity_before,
           CASE WHEN $2 = 'add' THEN COALESCE(f.quantity_before, 0) + f.quantity ELSE f.quantity END AS quantity_after,
           f.lines
    FROM pg_temp.import_entries f
    UNION ALL
    SELECT 'remove', e.card_version_id, e.finish, e.condition, e.language, e.quantity, 0, '{}'::int[]
    FROM user_collection.entries e
    WHERE $2 = 'sync' AND e.collection_id = $1
      AND NOT EXISTS (SELECT 1 FROM pg_temp.import_entries f WHERE f.entry_id = e.entry_id)
)

-- name: planned_counts
WITH {planned}
SELECT count(*) FILTER (WHERE action = 'add') AS added, count(*) FILTER (WHERE action = 'change') AS changed,
       count(*) FILTER (WHERE action = 'remove') AS removed, count(*) FILTER (WHERE action = 'unchanged') AS unchanged
FROM planned

-- name: planned_changes
-- $3 how many to list.
WITH {planned}
SELECT p.action, p.card_version_id AS card_id, v.name, v.set_code AS set, v.collector_number, p.finish,
       p.condition, p.language, p.quantity_before, p.quantity_after, p.lines
FROM planned p JOIN card_catalog.card_versions v ON v.card_version_id = p.card_version_id
WHERE p.action <> 'unchanged'
ORDER BY p.lines[1] NULLS LAST, v.name, p.card_version_id, p.finish, p.condition, p.language
LIMIT $3

-- name: apply_to_existing
-- $1 collection, $2 mode. add: the file's copies are added (a price of the same currency averaged over
-- all copies); sync: the entry becomes what the file says (fields the file does not state are kept).
UPDATE user_collection.entries e SET
    quantity = CASE WHEN $2 = 'add' THEN e.quantity + f.quantity ELSE f.quantity END,
    purchase_price_cents = CASE
        WHEN f.price_cents IS NULL THEN e.purchase_price_cents
        WHEN $2 = 'sync' OR e.purchase_price_cents IS NULL THEN f.price_cents
        WHEN e.purchase_currency IS DISTINCT FROM f.currency THEN e.purchase_price_cents
        ELSE round((e.purchase_price_cents * e.quantity + f.price_cents * f.quantity)::numeric
                   / (e.quantity + f.quantity))::bigint
    END,
    purchase_currency = CASE
        WHEN f.price_cents IS NULL THEN e.purchase_currency
        WHEN $2 = 'sync' OR e.purchase_price_cents IS NULL THEN f.currency
        ELSE e.purchase_currency
    END,
    acquired_at = CASE WHEN $2 = 'sync' THEN COALESCE(f.acquired_at, e.acquired_at)
                       ELSE COALESCE(e.acquired_at, f.acquired_at) END,
    tags = CASE WHEN f.tags IS NULL THEN e.tags WHEN $2 = 'sync' THEN f.tags
                ELSE ARRAY(SELECT DISTINCT t FROM unnest(e.tags || f.tags) t ORDER BY t) END,
    notes = CASE WHEN $2 = 'sync' THEN COALESCE(f.notes, e.notes) ELSE COALESCE(e.notes, f.notes) END,
    updated_at = now()
FROM pg_temp.import_entries f
WHERE e.collection_id = $1 AND e.entry_id = f.entry_id AND NOT ($2 = 'sync' AND f.unchanged)

-- name: insert_new
-- $1 collection.
-- (The sort key as entry_queries.sql's sort_key_columns / sort_key_values.)
INSERT INTO user_collection.entries (collection_id, card_version_id, finish, condition, language, quantity,
                                     purchase_price_cents, purchase_currency, acquired_at, tags, notes,
                                     sort_name, sort_set, sort_number, sort_collector)
SELECT $1, f.card_version_id, f.finish, f.condition, f.language, f.quantity, f.price_cents,
       f.currency, f.acquired_at,
       COALESCE(f.tags, '{}'), f.notes, v.name, v.set_code, v.collector_number_int, v.collector_number
FROM pg_temp.import_entries f
JOIN card_catalog.card_versions v ON v.card_version_id = f.card_version_id
WHERE f.entry_id IS NULL

-- name: remove_unlisted
-- $1 collection (sync): the entries the file does not list.
DELETE FROM user_collection.entries e
WHERE e.collection_id = $1 AND NOT EXISTS (SELECT 1 FROM pg_temp.import_entries f WHERE f.entry_id = e.entry_id)

-- name: analyze_entries
-- After a large import: fresh statistics, so the collection's next reads are planned for its size
-- (autovacuum may not have come round yet). Only the columns reads filter and join on: the others
-- (notes, tags, prices) would more than double the time of it.
ANALYZE user_collection.entries (collection_id, card_version_id, finish, condition, language)
