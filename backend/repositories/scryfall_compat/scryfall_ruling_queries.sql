-- Rulings (Scryfall's ruling objects) by oracle card, and the printing lookups the ruling routes need.

-- name: rulings_of_oracle
SELECT json_build_object('object', 'ruling', 'oracle_id', r.oracle_id, 'source', r.source,
                         'published_at', r.published_at, 'comment', r.comment)::text
FROM card_catalog.rulings r
WHERE r.oracle_id = $1
ORDER BY r.published_at, r.source, r.comment

-- name: oracle_of_printing
SELECT oracle_id FROM card_catalog.card_versions WHERE card_version_id = $1

-- name: insert_rulings
-- $1 oracle ids (or NULL: then that of printing $5), $2 sources, $3 dates, $4 comments, $5 printing
-- ids: a ruling already stored is kept as is; one whose card is unknown is skipped.
INSERT INTO card_catalog.rulings (oracle_id, source, published_at, comment)
SELECT DISTINCT o.oracle_id, r.source, r.published_at, r.comment
FROM unnest($1::uuid[], $2::text[], $3::date[], $4::text[], $5::uuid[])
     AS r(oracle_id, source, published_at, comment, printing_id)
CROSS JOIN LATERAL (
    SELECT COALESCE(r.oracle_id, (SELECT v.oracle_id FROM card_catalog.card_versions v
                                  WHERE v.card_version_id = r.printing_id)) AS oracle_id
) AS o
WHERE o.oracle_id IS NOT NULL
ON CONFLICT (oracle_id, source, published_at, md5(comment)) DO NOTHING

-- name: bulk_rulings
SELECT json_build_object('object', 'ruling', 'oracle_id', r.oracle_id, 'source', r.source,
                         'published_at', r.published_at, 'comment', r.comment)::text
FROM card_catalog.rulings r
ORDER BY r.oracle_id, r.published_at, r.source, r.comment
