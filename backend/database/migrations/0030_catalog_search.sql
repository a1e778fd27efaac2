-- Search support for the card catalog: derived columns (GENERATED, so no writer needs to know
-- about them) and the indexes behind the query language, named lookup and autocomplete.
-- Multi-face cards keep their text, colours and stats on the faces, so the helpers below fold
-- the faces in. They are IMMUTABLE SQL functions (pure expressions over their arguments).

-- Lower-case, common accents folded, punctuation dropped, spaces collapsed: the key for fuzzy
-- names and autocomplete ("Lim-Dûl's Vault" -> "lim dul s vault").
CREATE FUNCTION card_catalog.normalize_name(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
    SELECT btrim(regexp_replace(
        translate(lower(value), 'áàâäãåéèêëíìîïóòôöõúùûüñçæœ''’', 'aaaaaaeeeeiiiiooooouuuuncæœ'),
        '[^a-z0-9æœ]+', ' ', 'g'))
$$;

-- The card's rules text and every face's, lower-cased: what `o:` matches (substring semantics).
CREATE FUNCTION card_catalog.search_text(oracle_text text, faces jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lower(concat_ws(E'\n', oracle_text,
        (SELECT string_agg(face ->> 'oracle_text', E'\n')
         FROM jsonb_array_elements(CASE jsonb_typeof(faces) WHEN 'array' THEN faces ELSE '[]'::jsonb END) AS face)))
$$;

-- Bit mask of WUBRG (W=1 U=2 B=4 R=8 G=16) over the card's colours and its faces' colours.
CREATE FUNCTION card_catalog.color_mask(colors text[], faces jsonb) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT COALESCE(bit_or(CASE upper(c) WHEN 'W' THEN 1 WHEN 'U' THEN 2 WHEN 'B' THEN 4
                                        WHEN 'R' THEN 8 WHEN 'G' THEN 16 ELSE 0 END), 0)::smallint
    FROM (
        SELECT unnest(colors) AS c
        UNION ALL
        SELECT jsonb_array_elements_text(face -> 'colors')
        FROM jsonb_array_elements(CASE jsonb_typeof(faces) WHEN 'array' THEN faces ELSE '[]'::jsonb END) AS face
        WHERE jsonb_typeof(face -> 'colors') = 'array'
    ) AS all_colors
$$;

CREATE FUNCTION card_catalog.mask_bits(mask smallint) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((mask & 1) + ((mask >> 1) & 1) + ((mask >> 2) & 1) + ((mask >> 3) & 1) + ((mask >> 4) & 1))::smallint
$$;

-- Power/toughness/loyalty as numbers, the way Scryfall compares them: "*" and "1+*" count as 0
-- and 1, "∞" and "?" are not numbers.
CREATE FUNCTION card_catalog.stat_number(value text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN value ~ '^[+-]?[0-9]+(\.[0-9]+)?' THEN substring(value FROM '^[+-]?[0-9]+(?:\.[0-9]+)?')::numeric
        WHEN value ~ '^[+-]?\*' THEN 0
        ELSE NULL END
$$;

-- One value per face (in face order) or the card's own value: pairs up for `pow>tou`.
CREATE FUNCTION card_catalog.stat_values(value text, faces jsonb, field text) RETURNS numeric[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN jsonb_typeof(faces) = 'array' AND jsonb_array_length(faces) > 0 AND value IS NULL THEN
            (SELECT array_agg(card_catalog.stat_number(face ->> field) ORDER BY ordinality)
             FROM jsonb_array_elements(faces) WITH ORDINALITY AS f(face, ordinality))
        ELSE ARRAY[card_catalog.stat_number(value)]
    END
$$;

-- Highest / lowest value over the faces: `pow>=5` reads one comparable (and estimable) column.
CREATE FUNCTION card_catalog.array_max(value numeric[]) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT max(x) FROM unnest(value) AS x $$;

CREATE FUNCTION card_catalog.array_min(value numeric[]) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT min(x) FROM unnest(value) AS x $$;

CREATE FUNCTION card_catalog.lower_array(value text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT COALESCE(array_agg(lower(item)), '{}') FROM unnest(value) AS item
$$;

-- Face names (lower-case) so that an exact name matches "Fire" as well as "Fire // Ice".
CREATE FUNCTION card_catalog.face_names(name text, faces jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_agg(DISTINCT n) FROM (
        SELECT lower(name) AS n
        UNION ALL
        SELECT lower(face ->> 'name')
        FROM jsonb_array_elements(CASE jsonb_typeof(faces) WHEN 'array' THEN faces ELSE '[]'::jsonb END) AS face
        WHERE face ->> 'name' IS NOT NULL
    ) AS names
$$;

-- Layouts Scryfall leaves out of searches unless `include:extras`.
CREATE FUNCTION card_catalog.is_extra_layout(layout text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT layout IN ('token', 'double_faced_token', 'emblem', 'art_series', 'vanguard', 'planar', 'scheme')
$$;

ALTER TABLE card_catalog.oracle_cards
    ADD COLUMN name_norm      text GENERATED ALWAYS AS (card_catalog.normalize_name(name)) STORED,
    ADD COLUMN face_names     text[] GENERATED ALWAYS AS (card_catalog.face_names(name, faces)) STORED,
    ADD COLUMN search_text    text GENERATED ALWAYS AS (card_catalog.search_text(oracle_text, faces)) STORED,
    ADD COLUMN oracle_tsv     tsvector GENERATED ALWAYS AS
                              (to_tsvector('english'::regconfig, card_catalog.search_text(oracle_text, faces))) STORED,
    ADD COLUMN type_lower     text GENERATED ALWAYS AS (lower(type_line)) STORED,
    ADD COLUMN color_mask     smallint GENERATED ALWAYS AS (card_catalog.color_mask(colors, faces)) STORED,
    ADD COLUMN identity_mask  smallint GENERATED ALWAYS AS (card_catalog.color_mask(color_identity, NULL)) STORED,
    ADD COLUMN keywords_lower text[] GENERATED ALWAYS AS (card_catalog.lower_array(keywords)) STORED,
    ADD COLUMN powers         numeric[] GENERATED ALWAYS AS (card_catalog.stat_values(power, faces, 'power')) STORED,
    ADD COLUMN toughnesses    numeric[] GENERATED ALWAYS AS (card_catalog.stat_values(toughness, faces, 'toughness')) STORED,
    ADD COLUMN loyalties      numeric[] GENERATED ALWAYS AS (card_catalog.stat_values(loyalty, faces, 'loyalty')) STORED,
    ADD COLUMN power_max      numeric GENERATED ALWAYS AS
                              (card_catalog.array_max(card_catalog.stat_values(power, faces, 'power'))) STORED,
    ADD COLUMN power_min      numeric GENERATED ALWAYS AS
                              (card_catalog.array_min(card_catalog.stat_values(power, faces, 'power'))) STORED,
    ADD COLUMN toughness_max  numeric GENERATED ALWAYS AS
                              (card_catalog.array_max(card_catalog.stat_values(toughness, faces, 'toughness'))) STORED,
    ADD COLUMN toughness_min  numeric GENERATED ALWAYS AS
                              (card_catalog.array_min(card_catalog.stat_values(toughness, faces, 'toughness'))) STORED,
    ADD COLUMN is_extra       boolean GENERATED ALWAYS AS (card_catalog.is_extra_layout(layout)) STORED;

CREATE INDEX oracle_cards_name_trgm_idx ON card_catalog.oracle_cards USING gin (name_norm gin_trgm_ops);
CREATE INDEX oracle_cards_name_prefix_idx ON card_catalog.oracle_cards (name_norm text_pattern_ops);
CREATE INDEX oracle_cards_face_names_idx ON card_catalog.oracle_cards USING gin (face_names);
CREATE INDEX oracle_cards_text_trgm_idx ON card_catalog.oracle_cards USING gin (search_text gin_trgm_ops);
CREATE INDEX oracle_cards_tsv_idx ON card_catalog.oracle_cards USING gin (oracle_tsv);
CREATE INDEX oracle_cards_type_trgm_idx ON card_catalog.oracle_cards USING gin (type_lower gin_trgm_ops);
CREATE INDEX oracle_cards_legalities_idx ON card_catalog.oracle_cards USING gin (legalities jsonb_path_ops);
CREATE INDEX oracle_cards_keywords_idx ON card_catalog.oracle_cards USING gin (keywords_lower);
-- The small columns most searches filter on, so they are read from the index, not the wide rows.
CREATE INDEX oracle_cards_facets_idx ON card_catalog.oracle_cards (cmc)
    INCLUDE (oracle_id, name, color_mask, identity_mask, type_lower, power_max, power_min, toughness_max,
             toughness_min, is_extra, layout);
CREATE INDEX oracle_cards_power_idx ON card_catalog.oracle_cards (power_max);
CREATE INDEX oracle_cards_toughness_idx ON card_catalog.oracle_cards (toughness_max);

ALTER TABLE card_catalog.card_versions
    ADD COLUMN is_extra  boolean GENERATED ALWAYS AS (card_catalog.is_extra_layout(layout)) STORED,
    -- Older bulk files carry no `games`; a non-digital printing is then a paper one.
    ADD COLUMN is_paper  boolean GENERATED ALWAYS AS
                         ('paper' = ANY (games) OR (cardinality(games) = 0 AND NOT digital)) STORED;

-- A card's preferred printing (paper first, newest first) and the columns searches sort and
-- filter on: "the most recent paper printing" of a card is one probe, and going from matching
-- oracle cards to their printings is an index-only scan (the printing rows are wide).
CREATE INDEX card_versions_preferred_idx ON card_catalog.card_versions
    (oracle_id, lang, is_paper DESC, released_at DESC NULLS LAST, card_version_id)
    INCLUDE (set_code, set_id, collector_number_int, collector_number, rarity_rank, illustration_id,
             price_usd, price_usd_foil, price_usd_etched, price_eur, price_eur_foil, price_tix);
CREATE INDEX card_versions_released_idx ON card_catalog.card_versions (released_at);
CREATE INDEX card_versions_rarity_idx ON card_catalog.card_versions (rarity_rank);
CREATE INDEX card_versions_set_cn_int_idx ON card_catalog.card_versions (set_code, collector_number_int);
CREATE INDEX card_versions_lang_idx ON card_catalog.card_versions (lang) WHERE lang <> 'en';
CREATE INDEX card_versions_finishes_idx ON card_catalog.card_versions USING gin (finishes);
CREATE INDEX card_versions_artist_trgm_idx ON card_catalog.card_versions USING gin (lower(artist) gin_trgm_ops);
CREATE INDEX card_versions_usd_idx ON card_catalog.card_versions (price_usd) WHERE price_usd IS NOT NULL;
CREATE INDEX card_versions_mtgo_foil_idx ON card_catalog.card_versions (mtgo_foil_id) WHERE mtgo_foil_id IS NOT NULL;

CREATE INDEX sets_type_idx ON card_catalog.sets (set_type);
