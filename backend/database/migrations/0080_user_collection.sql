-- Collections: a user's collections (collection | wishlist | binder), their entries (a printing in a
-- finish, condition and language, with a quantity and what was paid), and the per-collection cache
-- of the daily value series. Prices are read from pricing.* and never written here; money is BIGINT
-- cents.

CREATE TABLE user_collection.collections (
    collection_id     UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id          UUID        NOT NULL REFERENCES user_management.users (id) ON DELETE CASCADE,
    name              TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description       TEXT        CHECK (description IS NULL OR length(description) <= 2000),
    kind              TEXT        NOT NULL CHECK (kind IN ('collection', 'wishlist', 'binder')),
    currency          TEXT        NOT NULL CHECK (currency IN ('USD', 'EUR')),
    -- Bumped by every change of the entries, so the value-history cache knows it is stale.
    contents_version  BIGINT      NOT NULL DEFAULT 0,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX collections_owner_name_key ON user_collection.collections (owner_id, lower(name));
CREATE INDEX collections_owner_created_idx ON user_collection.collections (owner_id, created_at);

CREATE TABLE user_collection.entries (
    entry_id              UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    collection_id         UUID        NOT NULL REFERENCES user_collection.collections (collection_id) ON DELETE CASCADE,
    -- RESTRICT: a printing someone holds cannot disappear from the catalog under them (409 card_in_use).
    card_version_id       UUID        NOT NULL,
    finish                TEXT        NOT NULL CHECK (finish IN ('nonfoil', 'foil', 'etched')),
    condition             TEXT        NOT NULL CHECK (condition IN ('NM', 'LP', 'MP', 'HP', 'DMG')),
    language              TEXT        NOT NULL CHECK (language ~ '^[a-z]{2,3}$'),
    quantity              INTEGER     NOT NULL CHECK (quantity BETWEEN 1 AND 100000),
    -- What one copy cost, in cents of purchase_currency.
    purchase_price_cents  BIGINT      CHECK (purchase_price_cents IS NULL OR purchase_price_cents BETWEEN 0 AND 10000000000),
    purchase_currency     TEXT        CHECK (purchase_currency IS NULL OR purchase_currency ~ '^[A-Z]{3}$'),
    acquired_at           DATE,
    tags                  TEXT[]      NOT NULL DEFAULT '{}',
    notes                 TEXT        CHECK (notes IS NULL OR length(notes) <= 2000),
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT entries_card_version_fkey FOREIGN KEY (card_version_id)
        REFERENCES card_catalog.card_versions (card_version_id) ON DELETE RESTRICT,
    CONSTRAINT entries_identity_key UNIQUE (collection_id, card_version_id, finish, condition, language)
);
CREATE INDEX entries_card_version_idx ON user_collection.entries (card_version_id);
CREATE INDEX entries_collection_created_idx ON user_collection.entries (collection_id, created_at);
CREATE INDEX entries_tags_idx ON user_collection.entries USING gin (tags);

-- The daily value of a collection's current contents ("all" range), in cents with the fraction kept
-- so that appending new days to a cached series never accumulates rounding.
CREATE TABLE user_collection.value_history (
    collection_id  UUID          NOT NULL REFERENCES user_collection.collections (collection_id) ON DELETE CASCADE,
    day            DATE          NOT NULL,
    value_cents    NUMERIC(24, 6) NOT NULL,
    observations   INTEGER       NOT NULL DEFAULT 0,   -- price observations of that day in the series
    PRIMARY KEY (collection_id, day)
);

-- What the cached series was built from: the contents version, the valuation settings (currency,
-- condition multipliers, source preference) and the price observations it has seen.
CREATE TABLE user_collection.value_history_state (
    collection_id      UUID        PRIMARY KEY REFERENCES user_collection.collections (collection_id) ON DELETE CASCADE,
    contents_version   BIGINT      NOT NULL,
    valuation_key      TEXT        NOT NULL,
    observed_through   DATE,          -- the last day of price observations included (NULL: none yet)
    observation_count  BIGINT      NOT NULL DEFAULT 0,  -- observations of its printings seen, up to observed_through
    newest_seen        DATE,          -- the newest observation day of any printing when last refreshed
    built_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);
