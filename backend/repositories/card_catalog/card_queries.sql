-- Card reference reads. Blocks named *_fragment are included where another block says {name};
-- the other markers ({where}, {order}, ...) are filled per call by the repository with SQL from
-- the query compiler and the whitelists, never with user input.

-- name: card_columns_fragment
-- The full card object (printing + oracle card + set), one column per field: row_to_json of
-- these is the response body (the cheapest JSON Postgres can build; keys keep this order).
'card' AS object, v.card_version_id AS id, v.oracle_id, v.name, v.printed_name, v.lang, v.released_at,
v.layout, v.set_code AS set, v.set_id, s.name AS set_name, s.set_type, v.collector_number, v.rarity,
o.mana_cost, o.cmc, o.type_line, v.printed_type_line, o.oracle_text, v.printed_text, v.flavor_text,
o.power, o.toughness, o.loyalty, o.defense, o.colors, o.color_identity, o.color_indicator, o.keywords,
o.produced_mana, o.legalities, o.reserved, o.edhrec_rank, v.finishes, v.games, v.artist, v.artist_ids,
v.illustration_id, v.border_color, v.frame, v.frame_effects, v.security_stamp, v.full_art, v.textless,
v.promo, v.promo_types, v.reprint, v.variation, v.digital, v.booster, v.oversized, v.image_status,
v.image_uris, v.card_faces, v.multiverse_ids, v.mtgo_id, v.mtgo_foil_id, v.arena_id, v.tcgplayer_id,
v.tcgplayer_etched_id, v.cardmarket_id, v.scryfall_uri,
json_build_object('usd', v.price_usd, 'usd_foil', v.price_usd_foil, 'usd_etched', v.price_usd_etched,
                  'eur', v.price_eur, 'eur_foil', v.price_eur_foil, 'tix', v.price_tix) AS prices,
v.prices_updated_at, v.is_extra

-- name: summary_columns_fragment
v.card_version_id AS id, v.oracle_id, v.name, v.printed_name, v.lang, v.set_code AS set, s.name AS set_name,
v.collector_number, v.released_at, v.rarity, v.layout, o.type_line,
COALESCE(o.mana_cost, v.card_faces -> 0 ->> 'mana_cost') AS mana_cost, o.cmc, o.colors,
COALESCE(v.image_uris, v.card_faces -> 0 -> 'image_uris') AS image_uris, v.finishes, v.digital, v.promo,
v.price_usd, v.price_usd_foil, v.price_usd_etched, v.price_eur, v.price_eur_foil, v.price_tix

-- name: from_fragment
card_catalog.card_versions v
JOIN card_catalog.oracle_cards o ON o.oracle_id = v.oracle_id
JOIN card_catalog.sets s ON s.set_id = v.set_id

-- name: from_printings_fragment
-- As from_fragment, for conditions that do not look at the set row (saves a lookup per printing).
card_catalog.card_versions v
JOIN card_catalog.oracle_cards o ON o.oracle_id = v.oracle_id

-- name: preference_fragment
-- Which printing stands for a card: paper before digital, then the most recent, English first.
v.is_paper DESC, v.released_at DESC NULLS LAST, (v.lang = 'en') DESC, v.card_version_id

-- name: card_json_by_id
SELECT row_to_json(card)::text FROM (SELECT {card_columns} FROM {from} WHERE v.card_version_id = $1) AS card

-- name: card_json_by_ids
-- $1 uuid[]: full card objects in one round trip (batch lookup).
SELECT card.id AS card_version_id, row_to_json(card)::text AS card
FROM (SELECT {card_columns} FROM {from} WHERE v.card_version_id = ANY($1::uuid[])) AS card

-- name: custom_plans
-- For this transaction only: plan each search with its values instead of a cached generic plan
-- (t:creature and t:kavu need different plans), and no parallel workers (an API serves many
-- searches at once; extra processes per query only add contention).
SELECT set_config('plan_cache_mode', 'force_custom_plan', true),
       set_config('max_parallel_workers_per_gather', '0', true)

-- name: page_tail_fragment
-- The end of both search statements: one page of `matched` with the total count (one row even
-- when the page is empty, so the count is never lost), joined to the printing, card and set.
page AS (
    SELECT * FROM matched ORDER BY {order} LIMIT {limit} OFFSET {offset}
)
SELECT c.total_count, {summary_columns}
FROM (SELECT count(*) AS total_count FROM matched) AS c
LEFT JOIN page ON true
LEFT JOIN card_catalog.card_versions v ON v.card_version_id = page.card_version_id
LEFT JOIN card_catalog.oracle_cards o ON o.oracle_id = v.oracle_id
LEFT JOIN card_catalog.sets s ON s.set_id = v.set_id
ORDER BY {page_order}

-- name: search_page
-- {distinct}: '' or DISTINCT ON (...); {distinct_order}: '' or its ORDER BY; {order}: sort of the page.
WITH matched AS MATERIALIZED (
    SELECT {distinct} v.card_version_id, {sort_key} AS sort_key, o.name AS sort_name, v.set_code AS sort_set,
           v.collector_number_int AS sort_cn, v.collector_number AS sort_cn_text
    FROM {match_from}
    WHERE {where}
    {distinct_order}
),
{page_tail}

-- name: search_page_oracle
-- The same page when no term looks at printings: filter oracle cards, then take each one's
-- preferred English printing with one probe of card_versions_preferred_idx (no global sort).
WITH matched AS MATERIALIZED (
    SELECT v.card_version_id, {sort_key} AS sort_key, o.name AS sort_name, v.set_code AS sort_set,
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

-- name: random_card_id
-- A uniformly random matching card (one row per oracle card unless unique says otherwise).
WITH matched AS MATERIALIZED (
    SELECT {distinct} v.card_version_id
    FROM {match_from}
    WHERE {where}
    {distinct_order}
)
SELECT card_version_id FROM matched ORDER BY random() LIMIT 1

-- name: random_oracle_id
-- A uniformly random oracle card among those matching {where} (a condition on `o` alone): count
-- them, then skip a random number of them. Both passes read only oracle rows (~30k, often from a
-- covering index), never printings, and nothing is sorted or stored.
SELECT o.oracle_id FROM card_catalog.oracle_cards o WHERE {where}
OFFSET floor(random() * (SELECT count(*) FROM card_catalog.oracle_cards o WHERE {where}))::bigint
LIMIT 1

-- name: preferred_english_printing
-- $1 oracle_id: the printing a card-level search shows for it (as search_page_oracle does).
SELECT p.card_version_id
FROM card_catalog.card_versions p
WHERE p.oracle_id = $1 AND p.lang = 'en'
ORDER BY p.is_paper DESC, p.released_at DESC NULLS LAST, p.card_version_id
LIMIT 1

-- name: oracle_ids_by_exact_name
-- $1 lower-case name: oracle cards whose name or face name is exactly it; non-extras first.
SELECT o.oracle_id, o.name, o.is_extra
FROM card_catalog.oracle_cards o
WHERE o.face_names @> ARRAY[$1::text]
ORDER BY o.is_extra, (lower(o.name) = $1) DESC, o.name
LIMIT 25

-- name: preferred_printing
-- $1 oracle_id, $2 set code or NULL, $3 language or NULL: the printing that stands for the card.
SELECT v.card_version_id
FROM card_catalog.card_versions v
WHERE v.oracle_id = $1
  AND ($2::text IS NULL OR v.set_code = $2)
  AND ($3::text IS NULL OR v.lang = $3)
ORDER BY {preference}
LIMIT 1

-- name: fuzzy_name_candidates
-- $1 normalised name, $2 LIKE pattern of its words in order: names holding every word, and names
-- close by trigram similarity (the GIN index serves both); with what breaks ties among equally
-- close names (EDHREC rank, most recent printing).
SELECT c.*, (SELECT max(p.released_at) FROM card_catalog.card_versions p WHERE p.oracle_id = c.oracle_id)
            AS latest_release
FROM (
    SELECT o.oracle_id, o.name, o.is_extra, o.edhrec_rank, similarity(o.name_norm, $1) AS score,
           (o.name_norm LIKE $2) AS contains_all
    FROM card_catalog.oracle_cards o
    WHERE o.name_norm LIKE $2 OR o.name_norm % $1
    ORDER BY o.is_extra, (o.name_norm LIKE $2) DESC, similarity(o.name_norm, $1) DESC, o.name
    LIMIT 50
) AS c
ORDER BY c.is_extra, c.contains_all DESC, c.score DESC, c.name

-- name: autocomplete_prefix
-- $1 normalised prefix without spaces, $2 include extras: names starting with it (spaces and
-- punctuation ignored), shortest first, then the most played. The range on text_pattern_ops stays
-- an index scan even in a generic plan (LIKE 'x%' with a parameter may not).
SELECT o.name
FROM card_catalog.oracle_cards o
WHERE card_catalog.compact_name(o.name_norm) ~>=~ $1
  AND card_catalog.compact_name(o.name_norm) ~<~ ($1 || chr(1114111))
  AND ($2 OR NOT o.is_extra)
ORDER BY length(o.name), o.edhrec_rank NULLS LAST, o.name
LIMIT 20

-- name: autocomplete_word_start
-- $1 LIKE-escaped prefix, $2 include extras: names with a later word starting with it.
SELECT o.name
FROM card_catalog.oracle_cards o
WHERE o.name_norm LIKE '% ' || $1 || '%' AND ($2 OR NOT o.is_extra)
ORDER BY length(o.name), o.edhrec_rank NULLS LAST, o.name
LIMIT 20

-- name: autocomplete_similar
-- $1 normalised text, $2 include extras: typo-tolerant trigram matches, closest first.
SELECT o.name
FROM card_catalog.oracle_cards o
WHERE o.name_norm % $1 AND ($2 OR NOT o.is_extra)
ORDER BY similarity(o.name_norm, $1) DESC, o.edhrec_rank NULLS LAST, o.name
LIMIT 20

-- name: card_id_by_number
-- $1 set code, $2 collector number, $3 language or NULL (then English first).
SELECT v.card_version_id
FROM card_catalog.card_versions v
WHERE v.set_code = $1 AND v.collector_number = $2 AND ($3::text IS NULL OR v.lang = $3)
ORDER BY (v.lang = 'en') DESC, v.lang
LIMIT 1

-- name: oracle_id_of_card
SELECT oracle_id FROM card_catalog.card_versions WHERE card_version_id = $1

-- name: printings_of_oracle
-- $1 oracle_id, $2 language or NULL; paged by the repository kit (order: PRINTINGS_ORDER).
SELECT {summary_columns}, v.collector_number_int AS sort_cn
FROM {from}
WHERE v.oracle_id = $1 AND ($2::text IS NULL OR v.lang = $2)

-- name: ids_by_multiverse_id
SELECT card_version_id FROM card_catalog.card_versions WHERE multiverse_ids @> ARRAY[$1::int]
ORDER BY (lang = 'en') DESC LIMIT 1

-- name: ids_by_mtgo_id
SELECT card_version_id FROM card_catalog.card_versions WHERE mtgo_id = $1 OR mtgo_foil_id = $1 LIMIT 1

-- name: delete_card
-- Deletes the printing; its oracle card goes too when no other printing refers to it.
WITH removed AS (
    DELETE FROM card_catalog.card_versions WHERE card_version_id = $1 RETURNING oracle_id
), orphan AS (
    DELETE FROM card_catalog.oracle_cards o
    USING removed r
    WHERE o.oracle_id = r.oracle_id
      AND NOT EXISTS (SELECT 1 FROM card_catalog.card_versions v
                      WHERE v.oracle_id = r.oracle_id AND v.card_version_id <> $1)
    RETURNING o.oracle_id
)
SELECT (SELECT count(*) FROM removed) AS removed, (SELECT count(*) FROM orphan) AS orphaned

-- name: card_exists
SELECT EXISTS (SELECT 1 FROM card_catalog.card_versions WHERE card_version_id = $1)
