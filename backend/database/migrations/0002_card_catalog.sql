-- Card catalog: sets, oracle cards (by oracle_id), printings (by Scryfall id), external ids.
-- Derived search columns are GENERATED so every writer (loader, single inserts) keeps them right.

CREATE TABLE card_catalog.sets (
    set_id           UUID PRIMARY KEY,
    code             TEXT        NOT NULL,
    name             TEXT        NOT NULL,
    set_type         TEXT        NOT NULL DEFAULT 'unknown',
    released_at      DATE,
    block_code       TEXT,
    block            TEXT,
    parent_set_code  TEXT,
    card_count       INTEGER     NOT NULL DEFAULT 0,
    printed_size     INTEGER,
    digital          BOOLEAN     NOT NULL DEFAULT false,
    foil_only        BOOLEAN     NOT NULL DEFAULT false,
    nonfoil_only     BOOLEAN     NOT NULL DEFAULT false,
    icon_svg_uri     TEXT,
    mtgo_code        TEXT,
    arena_code       TEXT,
    tcgplayer_id     INTEGER,
    -- 'scryfall_sets' when loaded from /sets, 'card' when created from a card's own fields.
    origin           TEXT        NOT NULL DEFAULT 'scryfall_sets',
    content_hash     TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT sets_code_lower CHECK (code = lower(code))
);
CREATE UNIQUE INDEX sets_code_key ON card_catalog.sets (code);
CREATE INDEX sets_released_idx ON card_catalog.sets (released_at);

-- Gameplay identity shared by every printing (and every language) of a card.
CREATE TABLE card_catalog.oracle_cards (
    oracle_id        UUID PRIMARY KEY,
    name             TEXT          NOT NULL,
    layout           TEXT          NOT NULL,
    mana_cost        TEXT,
    cmc              NUMERIC(8, 2) NOT NULL DEFAULT 0,
    type_line        TEXT,
    oracle_text      TEXT,
    power            TEXT,
    toughness        TEXT,
    loyalty          TEXT,
    defense          TEXT,
    colors           TEXT[]        NOT NULL DEFAULT '{}',
    color_identity   TEXT[]        NOT NULL DEFAULT '{}',
    color_indicator  TEXT[],
    keywords         TEXT[]        NOT NULL DEFAULT '{}',
    produced_mana    TEXT[],
    legalities       JSONB         NOT NULL DEFAULT '{}'::jsonb,
    reserved         BOOLEAN       NOT NULL DEFAULT false,
    edhrec_rank      INTEGER,
    -- Oracle-level faces: [{name, mana_cost, type_line, oracle_text, power, toughness, loyalty,
    -- defense, colors}] for multi-face layouts; NULL for single-faced cards.
    faces            JSONB,
    content_hash     TEXT,
    created_at       TIMESTAMPTZ   NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ   NOT NULL DEFAULT now()
);
CREATE INDEX oracle_cards_name_idx ON card_catalog.oracle_cards (lower(name));

-- One row per printing (Scryfall card object), any language.
CREATE TABLE card_catalog.card_versions (
    card_version_id      UUID PRIMARY KEY,
    oracle_id            UUID          NOT NULL REFERENCES card_catalog.oracle_cards (oracle_id),
    set_id               UUID          NOT NULL REFERENCES card_catalog.sets (set_id),
    set_code             TEXT          NOT NULL,
    collector_number     TEXT          NOT NULL,
    collector_number_int INTEGER GENERATED ALWAYS AS
                         (NULLIF(substring(collector_number FROM '^[0-9]{1,9}'), '')::integer) STORED,
    lang                 TEXT          NOT NULL DEFAULT 'en',
    released_at          DATE,
    rarity               TEXT          NOT NULL,
    rarity_rank          SMALLINT GENERATED ALWAYS AS (CASE rarity
                             WHEN 'common' THEN 0 WHEN 'uncommon' THEN 1 WHEN 'rare' THEN 2
                             WHEN 'special' THEN 3 WHEN 'mythic' THEN 4 WHEN 'bonus' THEN 5 END) STORED,
    finishes             TEXT[]        NOT NULL DEFAULT '{}',
    games                TEXT[]        NOT NULL DEFAULT '{}',
    name                 TEXT          NOT NULL,   -- English name, as on the oracle card
    printed_name         TEXT,
    printed_type_line    TEXT,
    printed_text         TEXT,
    flavor_text          TEXT,
    artist               TEXT,
    artist_ids           UUID[],
    illustration_id      UUID,
    border_color         TEXT,
    frame                TEXT,
    frame_effects        TEXT[]        NOT NULL DEFAULT '{}',
    security_stamp       TEXT,
    full_art             BOOLEAN       NOT NULL DEFAULT false,
    textless             BOOLEAN       NOT NULL DEFAULT false,
    promo                BOOLEAN       NOT NULL DEFAULT false,
    promo_types          TEXT[]        NOT NULL DEFAULT '{}',
    reprint              BOOLEAN       NOT NULL DEFAULT false,
    variation            BOOLEAN       NOT NULL DEFAULT false,
    digital              BOOLEAN       NOT NULL DEFAULT false,
    booster              BOOLEAN       NOT NULL DEFAULT false,
    oversized            BOOLEAN       NOT NULL DEFAULT false,
    layout               TEXT          NOT NULL,
    image_status         TEXT,
    image_uris           JSONB,
    -- Print-level faces: [{name, printed_name, mana_cost, type_line, oracle_text, flavor_text,
    -- artist, illustration_id, image_uris, power, toughness, loyalty, defense, colors}].
    card_faces           JSONB,
    multiverse_ids       INTEGER[]     NOT NULL DEFAULT '{}',
    mtgo_id              INTEGER,
    mtgo_foil_id         INTEGER,
    arena_id             INTEGER,
    tcgplayer_id         INTEGER,
    tcgplayer_etched_id  INTEGER,
    cardmarket_id        INTEGER,
    scryfall_uri         TEXT,
    -- The day's Scryfall prices (history lives in pricing.price_observations).
    price_usd            NUMERIC(12, 2),
    price_usd_foil       NUMERIC(12, 2),
    price_usd_etched     NUMERIC(12, 2),
    price_eur            NUMERIC(12, 2),
    price_eur_foil       NUMERIC(12, 2),
    price_tix            NUMERIC(12, 2),
    prices_updated_at    TIMESTAMPTZ,
    content_hash         TEXT,
    created_at           TIMESTAMPTZ   NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ   NOT NULL DEFAULT now()
);
CREATE INDEX card_versions_oracle_idx ON card_catalog.card_versions (oracle_id);
CREATE INDEX card_versions_set_number_idx ON card_catalog.card_versions (set_code, collector_number, lang);
CREATE INDEX card_versions_set_id_idx ON card_catalog.card_versions (set_id);
CREATE INDEX card_versions_tcgplayer_idx ON card_catalog.card_versions (tcgplayer_id) WHERE tcgplayer_id IS NOT NULL;
CREATE INDEX card_versions_cardmarket_idx ON card_catalog.card_versions (cardmarket_id) WHERE cardmarket_id IS NOT NULL;
CREATE INDEX card_versions_mtgo_idx ON card_catalog.card_versions (mtgo_id) WHERE mtgo_id IS NOT NULL;
CREATE INDEX card_versions_arena_idx ON card_catalog.card_versions (arena_id) WHERE arena_id IS NOT NULL;
CREATE INDEX card_versions_multiverse_idx ON card_catalog.card_versions USING gin (multiverse_ids);

-- Any provider's identifier -> our printing. Not unique per external id: one TCGplayer id can
-- cover several printings. `priority` orders candidate matches (lower wins).
CREATE TABLE card_catalog.external_identifiers (
    source           TEXT        NOT NULL,   -- scryfall, tcgplayer, tcgplayer_etched, cardmarket, mtgo, arena, multiverse, mtgstocks, ...
    external_id      TEXT        NOT NULL,
    card_version_id  UUID        NOT NULL REFERENCES card_catalog.card_versions (card_version_id) ON DELETE CASCADE,
    finish           TEXT,
    priority         SMALLINT    NOT NULL DEFAULT 100,
    resolved_by      TEXT        NOT NULL DEFAULT 'provider',  -- how the link was made (scryfall_id, tcgplayer_id, set_number, ...)
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (source, external_id, card_version_id)
);
CREATE INDEX external_identifiers_version_idx ON card_catalog.external_identifiers (card_version_id);

-- What could not be matched, kept with the reason and retried after each catalog load.
CREATE TABLE card_catalog.external_identifier_rejects (
    source           TEXT        NOT NULL,
    external_id      TEXT        NOT NULL,
    reason           TEXT        NOT NULL,
    payload          JSONB       NOT NULL DEFAULT '{}'::jsonb,
    attempts         INTEGER     NOT NULL DEFAULT 1,
    first_seen_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_tried_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (source, external_id)
);

-- Cards a load could not accept (malformed JSON object, missing required fields...).
CREATE TABLE card_catalog.card_rejects (
    id               BIGSERIAL PRIMARY KEY,
    run_id           BIGINT REFERENCES ops.ingestion_runs (id) ON DELETE CASCADE,
    scryfall_id      TEXT,
    reason           TEXT        NOT NULL,
    payload          JSONB,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX card_rejects_run_idx ON card_catalog.card_rejects (run_id);
