-- Staging, links and rejects of the price integrations (docs/mtg-stock.md, docs/prices.md):
-- MTGStocks raw responses and their resolution to printings; MTGJSON's identifier links (TCGplayer
-- product -> Scryfall printing); rejects of the TCGplayer listings load.

-- One row per MTGStocks print: its last raw answers, kept so a reject can be resolved again after a
-- catalog load without asking MTGStocks twice.
CREATE TABLE pricing.mtgstock_prints (
    print_id       INTEGER     PRIMARY KEY CHECK (print_id > 0),
    details        JSONB,                  -- GET /prints/{id}; NULL when MTGStocks answered 404
    prices         JSONB,                  -- GET /prints/{id}/prices
    fetched_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    run_id         BIGINT,
    -- Filled once the print is resolved (NULL while it is a reject).
    card_version_id UUID       REFERENCES card_catalog.card_versions (card_version_id) ON DELETE SET NULL,
    finish         TEXT,
    resolved_by    TEXT,                   -- scryfall_id | tcgplayer | cardmarket | multiverse | set_number
    loaded_points  INTEGER     NOT NULL DEFAULT 0,
    loaded_at      TIMESTAMPTZ
);
CREATE INDEX mtgstock_prints_run_idx ON pricing.mtgstock_prints (run_id);

-- Prints that could not be loaded, with the reason; retried after each catalog load until resolved.
CREATE TABLE pricing.mtgstock_rejects (
    print_id       INTEGER     PRIMARY KEY,
    reason         TEXT        NOT NULL,   -- not_found | malformed_response | unresolved | ambiguous | ...
    detail         TEXT,
    candidates     UUID[],                 -- the printings an ambiguous print matched
    run_id         BIGINT,
    attempts       INTEGER     NOT NULL DEFAULT 1,
    first_seen_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_tried_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX mtgstock_rejects_reason_idx ON pricing.mtgstock_rejects (reason);

-- MTGJSON's identifiers per Scryfall printing. No foreign key: links are kept for printings the
-- catalog does not have yet, and resolve as soon as it does.
CREATE TABLE pricing.mtgjson_links (
    scryfall_id                  UUID    PRIMARY KEY,
    set_code                     TEXT    NOT NULL,
    collector_number             TEXT,
    name                         TEXT,
    is_token                     BOOLEAN NOT NULL DEFAULT false,
    mtgjson_uuid                 UUID,
    tcgplayer_product_id         INTEGER,
    tcgplayer_etched_product_id  INTEGER,
    mcm_id                       INTEGER,
    card_kingdom_id              INTEGER,
    card_kingdom_foil_id         INTEGER,
    finishes                     TEXT[]  NOT NULL DEFAULT '{}',
    loaded_at                    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX mtgjson_links_tcgplayer_idx ON pricing.mtgjson_links (tcgplayer_product_id)
    WHERE tcgplayer_product_id IS NOT NULL;
CREATE INDEX mtgjson_links_tcgplayer_etched_idx ON pricing.mtgjson_links (tcgplayer_etched_product_id)
    WHERE tcgplayer_etched_product_id IS NOT NULL;
CREATE INDEX mtgjson_links_mcm_idx ON pricing.mtgjson_links (mcm_id) WHERE mcm_id IS NOT NULL;

-- What a TCGplayer listings load did not take: unreadable listings (reason from the reader) and
-- products no printing matched (one row per product, with its number of listings).
CREATE TABLE pricing.tcgplayer_listing_rejects (
    run_id       BIGINT  NOT NULL,
    line         INTEGER,               -- NULL for a product-level reject
    product_id   BIGINT,
    reason       TEXT    NOT NULL,
    listings     INTEGER NOT NULL DEFAULT 1,
    raw          TEXT
);
CREATE INDEX tcgplayer_listing_rejects_run_idx ON pricing.tcgplayer_listing_rejects (run_id, reason);

-- One MTGStocks load or listings load at a time per pipeline.
CREATE UNIQUE INDEX IF NOT EXISTS ingestion_runs_price_one_active_idx
    ON ops.ingestion_runs (pipeline, run_key)
    WHERE status IN ('pending', 'running') AND pipeline IN ('mtg_stock', 'tcgplayer_listings');
