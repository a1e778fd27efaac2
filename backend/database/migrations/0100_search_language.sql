-- The whole Scryfall search language: rules text without reminder text (o:), print-level fields
-- the new keywords read (watermark, hires, story spotlight, preview date, penny rank) and the
-- helpers for mana-cost and devotion comparisons.

-- `o:` searches Oracle text without reminder text, `fo:` the full text (search_text). Each
-- parenthesised passage (and the spaces before it) becomes a \x01 separator: a query never holds
-- \x01, so any text that matches rules_text also matches search_text, and `o:` is served by the
-- trigram index on search_text (one index for both keywords) with rules_text as a recheck.
ALTER TABLE card_catalog.oracle_cards
    ADD COLUMN rules_text text GENERATED ALWAYS AS (regexp_replace(
        CASE WHEN jsonb_typeof(faces) = 'array' THEN card_catalog.search_text(oracle_text, faces)
             ELSE lower(coalesce(oracle_text, '')) END,
        '[ \t]*\([^()]*\)', E'\x01', 'g')) STORED;

ALTER TABLE card_catalog.card_versions
    ADD COLUMN watermark       text,
    ADD COLUMN highres_image   boolean NOT NULL DEFAULT false,
    ADD COLUMN story_spotlight boolean NOT NULL DEFAULT false,
    ADD COLUMN previewed_at    date,
    ADD COLUMN preview_source  text,
    ADD COLUMN penny_rank      integer;

-- The mana symbols of a cost (all faces), upper-case, each numbered by its occurrence: "{2}{G}{G}"
-- -> {"{2}#1","{G}#1","{G}#2"}. Array containment is then multiset containment: `m:{G}{G}`.
-- Read at query time only (no stored column: no cost at load).
-- Generic mana counts as that many {1}s ("{3}" -> three "{1}"), so `m>{2}` finds {3}; {0} adds none.
CREATE FUNCTION card_catalog.mana_symbols(mana_cost text, faces jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT COALESCE(array_agg(symbol || '#' || n), '{}') FROM (
        SELECT symbol, row_number() OVER (PARTITION BY symbol) AS n
        FROM (
            SELECT CASE WHEN raw ~ '^[0-9]+$' THEN '{1}' ELSE '{' || raw || '}' END AS symbol
            FROM regexp_matches(upper(COALESCE(mana_cost,
                     (SELECT string_agg(face ->> 'mana_cost', ' // ')
                      FROM jsonb_array_elements(CASE jsonb_typeof(faces) WHEN 'array' THEN faces ELSE '[]'::jsonb END)
                           AS face), '')), '\{([^}]*)\}', 'g') AS m(parts)
            CROSS JOIN LATERAL (SELECT m.parts[1] AS raw) AS r
            CROSS JOIN LATERAL generate_series(1, CASE WHEN raw ~ '^[0-9]{1,3}$' THEN least(raw::int, 100)
                                                       WHEN raw ~ '^[0-9]+$' THEN 100 ELSE 1 END) AS g
        ) AS symbols
    ) AS numbered
$$;

-- Devotion: how many mana symbols of the cost include any of the given colour letters
-- (hybrid and Phyrexian symbols count for each of their colours).
CREATE FUNCTION card_catalog.devotion(mana_cost text, colors text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT count(*)::integer
    FROM regexp_matches(upper(COALESCE(mana_cost, '')), '\{([^}]*)\}', 'g') AS m(parts)
    WHERE m.parts[1] ~ ('[' || upper(colors) || ']') AND m.parts[1] !~ '^[0-9X]+$'
$$;

CREATE INDEX card_versions_watermark_idx ON card_catalog.card_versions (watermark) WHERE watermark IS NOT NULL;
