-- The raw material of Scryfall's catalogs, read from the catalog (the service sorts and classifies).

-- name: card_names
-- Names of real cards (no tokens, emblems or other extras), as Scryfall's card-names catalog.
SELECT DISTINCT o.name FROM card_catalog.oracle_cards o WHERE NOT o.is_extra

-- name: artist_names
SELECT DISTINCT v.artist FROM card_catalog.card_versions v WHERE v.artist IS NOT NULL

-- name: type_lines
-- The type line of every card and of every face (multi-face cards keep theirs on the faces).
SELECT DISTINCT t.type_line FROM (
    SELECT o.type_line FROM card_catalog.oracle_cards o WHERE NOT o.is_extra
    UNION ALL
    SELECT face ->> 'type_line'
    FROM card_catalog.oracle_cards o, jsonb_array_elements(o.faces) AS face
    WHERE jsonb_typeof(o.faces) = 'array' AND NOT o.is_extra
) AS t WHERE t.type_line IS NOT NULL

-- name: stat_values
-- $1 'power', 'toughness' or 'loyalty': its distinct values over cards and faces.
SELECT DISTINCT v.value FROM (
    SELECT CASE $1 WHEN 'power' THEN o.power WHEN 'toughness' THEN o.toughness ELSE o.loyalty END AS value
    FROM card_catalog.oracle_cards o
    UNION ALL
    SELECT face ->> $1
    FROM card_catalog.oracle_cards o, jsonb_array_elements(o.faces) AS face
    WHERE jsonb_typeof(o.faces) = 'array'
) AS v WHERE v.value IS NOT NULL

-- name: keywords
SELECT DISTINCT k.keyword FROM card_catalog.oracle_cards o, unnest(o.keywords) AS k(keyword)

-- name: watermarks
-- Only the card objects keep watermarks; the LIKE skips parsing documents that have none.
SELECT DISTINCT w.watermark FROM (
    SELECT d.document ->> 'watermark' AS watermark
    FROM card_catalog.card_documents d WHERE d.document::text LIKE '%"watermark"%'
    UNION ALL
    SELECT face ->> 'watermark'
    FROM card_catalog.card_documents d, json_array_elements(d.document -> 'card_faces') AS face
    WHERE d.document::text LIKE '%"card_faces"%"watermark"%'
) AS w WHERE w.watermark IS NOT NULL

-- name: flavor_word_lines
-- Oracle text lines of the form "Words — effect" (ability words and flavor words both look so).
SELECT DISTINCT m[1] AS word
FROM card_catalog.oracle_cards o,
     regexp_matches(o.oracle_text, '(?:^|\n)([A-Z][A-Za-z'' ,!-]{1,40}) — ', 'g') AS m
WHERE o.oracle_text LIKE '% — %' AND NOT o.is_extra

-- name: catalog_version
-- Changes whenever the catalog does: the cache key of computed catalogs.
SELECT concat_ws('|', (SELECT count(*) FROM card_catalog.card_versions),
                      (SELECT max(updated_at) FROM card_catalog.card_versions),
                      (SELECT max(updated_at) FROM card_catalog.oracle_cards),
                      (SELECT max(updated_at) FROM card_catalog.card_documents))
