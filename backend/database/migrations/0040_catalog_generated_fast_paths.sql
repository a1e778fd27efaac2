-- Generated search columns, rebuilt so that single-faced cards (the great majority) are computed by
-- inline expressions. The helper functions of 0030 use FROM clauses, so Postgres cannot inline them
-- and runs each as a separate query per row: ~150 us per oracle card, most of a catalog load's time.
-- They now run only for multi-face cards. Values are unchanged (tests cover every search keyword).

-- WUBRG bit mask of a colour array, as one inlinable expression (no FROM clause).
CREATE FUNCTION card_catalog.letters_mask(colors text[]) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((CASE WHEN colors && '{W,w}'::text[] THEN 1 ELSE 0 END)
          | (CASE WHEN colors && '{U,u}'::text[] THEN 2 ELSE 0 END)
          | (CASE WHEN colors && '{B,b}'::text[] THEN 4 ELSE 0 END)
          | (CASE WHEN colors && '{R,r}'::text[] THEN 8 ELSE 0 END)
          | (CASE WHEN colors && '{G,g}'::text[] THEN 16 ELSE 0 END))::smallint
$$;

ALTER TABLE card_catalog.oracle_cards
    DROP COLUMN face_names, DROP COLUMN search_text, DROP COLUMN oracle_tsv, DROP COLUMN color_mask,
    DROP COLUMN identity_mask, DROP COLUMN keywords_lower, DROP COLUMN powers, DROP COLUMN toughnesses,
    DROP COLUMN loyalties, DROP COLUMN power_max, DROP COLUMN power_min, DROP COLUMN toughness_max,
    DROP COLUMN toughness_min;

ALTER TABLE card_catalog.oracle_cards
    ADD COLUMN face_names     text[] GENERATED ALWAYS AS (CASE WHEN jsonb_typeof(faces) = 'array'
                                  THEN card_catalog.face_names(name, faces) ELSE ARRAY[lower(name)] END) STORED,
    ADD COLUMN search_text    text GENERATED ALWAYS AS (CASE WHEN jsonb_typeof(faces) = 'array'
                                  THEN card_catalog.search_text(oracle_text, faces)
                                  ELSE lower(coalesce(oracle_text, '')) END) STORED,
    ADD COLUMN oracle_tsv     tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig,
                                  CASE WHEN jsonb_typeof(faces) = 'array'
                                  THEN card_catalog.search_text(oracle_text, faces)
                                  ELSE lower(coalesce(oracle_text, '')) END)) STORED,
    ADD COLUMN color_mask     smallint GENERATED ALWAYS AS (card_catalog.letters_mask(colors)
                                  | CASE WHEN jsonb_typeof(faces) = 'array'
                                    THEN card_catalog.color_mask('{}'::text[], faces) ELSE 0 END) STORED,
    ADD COLUMN identity_mask  smallint GENERATED ALWAYS AS (card_catalog.letters_mask(color_identity)) STORED,
    ADD COLUMN keywords_lower text[] GENERATED ALWAYS AS (CASE WHEN cardinality(keywords) > 0
                                  THEN card_catalog.lower_array(keywords) ELSE '{}'::text[] END) STORED,
    ADD COLUMN powers         numeric[] GENERATED ALWAYS AS (CASE
                                  WHEN power IS NULL AND jsonb_typeof(faces) = 'array' AND jsonb_array_length(faces) > 0
                                  THEN card_catalog.stat_values(power, faces, 'power')
                                  ELSE ARRAY[card_catalog.stat_number(power)] END) STORED,
    ADD COLUMN toughnesses    numeric[] GENERATED ALWAYS AS (CASE
                                  WHEN toughness IS NULL AND jsonb_typeof(faces) = 'array' AND jsonb_array_length(faces) > 0
                                  THEN card_catalog.stat_values(toughness, faces, 'toughness')
                                  ELSE ARRAY[card_catalog.stat_number(toughness)] END) STORED,
    ADD COLUMN loyalties      numeric[] GENERATED ALWAYS AS (CASE
                                  WHEN loyalty IS NULL AND jsonb_typeof(faces) = 'array' AND jsonb_array_length(faces) > 0
                                  THEN card_catalog.stat_values(loyalty, faces, 'loyalty')
                                  ELSE ARRAY[card_catalog.stat_number(loyalty)] END) STORED,
    ADD COLUMN power_max      numeric GENERATED ALWAYS AS (CASE
                                  WHEN power IS NULL AND jsonb_typeof(faces) = 'array' AND jsonb_array_length(faces) > 0
                                  THEN card_catalog.array_max(card_catalog.stat_values(power, faces, 'power'))
                                  ELSE card_catalog.stat_number(power) END) STORED,
    ADD COLUMN power_min      numeric GENERATED ALWAYS AS (CASE
                                  WHEN power IS NULL AND jsonb_typeof(faces) = 'array' AND jsonb_array_length(faces) > 0
                                  THEN card_catalog.array_min(card_catalog.stat_values(power, faces, 'power'))
                                  ELSE card_catalog.stat_number(power) END) STORED,
    ADD COLUMN toughness_max  numeric GENERATED ALWAYS AS (CASE
                                  WHEN toughness IS NULL AND jsonb_typeof(faces) = 'array' AND jsonb_array_length(faces) > 0
                                  THEN card_catalog.array_max(card_catalog.stat_values(toughness, faces, 'toughness'))
                                  ELSE card_catalog.stat_number(toughness) END) STORED,
    ADD COLUMN toughness_min  numeric GENERATED ALWAYS AS (CASE
                                  WHEN toughness IS NULL AND jsonb_typeof(faces) = 'array' AND jsonb_array_length(faces) > 0
                                  THEN card_catalog.array_min(card_catalog.stat_values(toughness, faces, 'toughness'))
                                  ELSE card_catalog.stat_number(toughness) END) STORED;

-- The indexes that went with the dropped columns, as 0030 defined them.
CREATE INDEX oracle_cards_face_names_idx ON card_catalog.oracle_cards USING gin (face_names);
CREATE INDEX oracle_cards_text_trgm_idx ON card_catalog.oracle_cards USING gin (search_text gin_trgm_ops);
CREATE INDEX oracle_cards_tsv_idx ON card_catalog.oracle_cards USING gin (oracle_tsv);
CREATE INDEX oracle_cards_keywords_idx ON card_catalog.oracle_cards USING gin (keywords_lower);
CREATE INDEX oracle_cards_facets_idx ON card_catalog.oracle_cards (cmc)
    INCLUDE (oracle_id, name, color_mask, identity_mask, type_lower, power_max, power_min, toughness_max,
             toughness_min, is_extra, layout);
CREATE INDEX oracle_cards_power_idx ON card_catalog.oracle_cards (power_max);
CREATE INDEX oracle_cards_toughness_idx ON card_catalog.oracle_cards (toughness_max);
