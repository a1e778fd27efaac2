-- Reads of a large collection that do not go through all of its entries.
--
-- 1. Each entry carries its printing's sort key (name, set, collector number), copied in when the entry
--    is written, so the default page (by name) is a range of one index instead of a join and sort of
--    every entry. Set codes and collector numbers of a printing never change; a renamed printing's
--    entries are brought up to date by the periodic refresh (user_collection.value.refresh).
ALTER TABLE user_collection.entries
    ADD COLUMN sort_name      TEXT,
    ADD COLUMN sort_set       TEXT,
    ADD COLUMN sort_number    INTEGER,
    ADD COLUMN sort_collector TEXT;
UPDATE user_collection.entries e
SET sort_name = v.name, sort_set = v.set_code, sort_number = v.collector_number_int,
    sort_collector = v.collector_number
FROM card_catalog.card_versions v
WHERE v.card_version_id = e.card_version_id;
ALTER TABLE user_collection.entries
    ALTER COLUMN sort_name SET NOT NULL,
    ALTER COLUMN sort_set SET NOT NULL,
    ALTER COLUMN sort_collector SET NOT NULL;
CREATE INDEX entries_collection_name_idx
    ON user_collection.entries (collection_id, sort_name, sort_set, sort_number, sort_collector, entry_id);

-- 2. Each collection carries its entry and copy counts, set with its contents version by every change
--    of its entries, so reading a collection does not count its entries.
ALTER TABLE user_collection.collections
    ADD COLUMN entry_count INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN card_count  BIGINT  NOT NULL DEFAULT 0;
UPDATE user_collection.collections c
SET entry_count = counts.entries, card_count = counts.cards
FROM (SELECT collection_id, count(*) AS entries, sum(quantity) AS cards
      FROM user_collection.entries GROUP BY collection_id) counts
WHERE counts.collection_id = c.collection_id;

-- 3. The current value of a collection, as last computed, with what it was computed from: the contents
--    version, the valuation settings and the version of current prices (pricing.latest_prices_version).
--    When all three still match, the value answer is this row; otherwise it is computed again.
CREATE TABLE user_collection.value_summary (
    collection_id                      UUID        PRIMARY KEY
        REFERENCES user_collection.collections (collection_id) ON DELETE CASCADE,
    contents_version                   BIGINT      NOT NULL,
    valuation_key                      TEXT        NOT NULL,
    prices_version                     BIGINT      NOT NULL,
    entry_count                        INTEGER     NOT NULL,
    card_count                         BIGINT      NOT NULL,
    priced_entries                     INTEGER     NOT NULL,
    value_cents                        BIGINT      NOT NULL,
    prices_as_of                       DATE,
    cost_basis_cents                   BIGINT      NOT NULL,
    cost_basis_entries                 INTEGER     NOT NULL,
    value_of_cost_basis_entries_cents  BIGINT      NOT NULL,
    unrealised_gain_cents              BIGINT      NOT NULL,
    other_currency_only                INTEGER     NOT NULL,
    unpriced                           JSONB       NOT NULL,   -- the first unpriced entries, as answered
    computed_at                        TIMESTAMPTZ NOT NULL DEFAULT now()
);
