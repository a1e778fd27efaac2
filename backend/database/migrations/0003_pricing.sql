-- Prices: integer cents (BIGINT: sealed products overflow 4 bytes), daily observations,
-- and a latest-price table kept current by every load so reads never scan history.

CREATE TABLE pricing.price_sources (
    source_id    SMALLSERIAL PRIMARY KEY,
    code         TEXT        NOT NULL UNIQUE,   -- scryfall, mtgstocks, tcgplayer, cardmarket, ebay, shopify:<store>
    name         TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO pricing.price_sources (code, name) VALUES
    ('scryfall', 'Scryfall (TCGplayer / Cardmarket / MTGO via Scryfall)'),
    ('mtgstocks', 'MTGStocks'),
    ('tcgplayer', 'TCGplayer'),
    ('cardmarket', 'Cardmarket'),
    ('ebay', 'eBay');

CREATE TABLE pricing.price_observations (
    card_version_id  UUID        NOT NULL REFERENCES card_catalog.card_versions (card_version_id) ON DELETE CASCADE,
    source_id        SMALLINT    NOT NULL REFERENCES pricing.price_sources (source_id),
    finish           TEXT        NOT NULL,   -- nonfoil | foil | etched | glossy
    condition        TEXT        NOT NULL DEFAULT 'NM',
    currency         CHAR(3)     NOT NULL,   -- USD | EUR | TIX
    price_type       TEXT        NOT NULL,   -- market | low | avg | high | listing ...
    observed_on      DATE        NOT NULL,
    price_cents      BIGINT      NOT NULL CHECK (price_cents >= 0),
    run_id           BIGINT,
    PRIMARY KEY (card_version_id, source_id, finish, condition, currency, price_type, observed_on)
);
CREATE INDEX price_observations_day_idx ON pricing.price_observations (observed_on, source_id);

CREATE TABLE pricing.latest_prices (
    card_version_id  UUID        NOT NULL REFERENCES card_catalog.card_versions (card_version_id) ON DELETE CASCADE,
    source_id        SMALLINT    NOT NULL REFERENCES pricing.price_sources (source_id),
    finish           TEXT        NOT NULL,
    condition        TEXT        NOT NULL DEFAULT 'NM',
    currency         CHAR(3)     NOT NULL,
    price_type       TEXT        NOT NULL,
    observed_on      DATE        NOT NULL,
    price_cents      BIGINT      NOT NULL CHECK (price_cents >= 0),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (card_version_id, source_id, finish, condition, currency, price_type)
);
CREATE INDEX latest_prices_source_idx ON pricing.latest_prices (source_id, currency, price_type);
