-- The TCGplayer listings load: COPY the listings into a session staging table, resolve products to
-- printings, aggregate per (printing, finish, condition, day) and merge into the price store.

-- name: create_staging
CREATE TEMP TABLE IF NOT EXISTS stg_tcgplayer_listings (
    product_id   BIGINT  NOT NULL,
    condition    TEXT    NOT NULL,
    finish       TEXT    NOT NULL,
    language     TEXT    NOT NULL,
    observed_on  DATE    NOT NULL,
    price_cents  BIGINT  NOT NULL
);

-- name: bulk_settings
-- For this load's transaction only: sorts of a few hundred thousand rows (median, merge) in memory.
SET LOCAL work_mem = '128MB';

-- name: drop_staging
DROP TABLE IF EXISTS pg_temp.stg_tcgplayer_listings, pg_temp.stg_tcgplayer_products;

-- name: resolve_products
-- Each distinct product to the printings it may be: the catalog's TCGplayer ids (etched products
-- are their own ids), then MTGJSON's links. A product matching two printings is ambiguous.
CREATE TEMP TABLE stg_tcgplayer_products AS
WITH products AS (
    SELECT product_id, count(*)::int AS listings FROM stg_tcgplayer_listings GROUP BY product_id
), matches AS (
    SELECT p.product_id, v.card_version_id, false AS etched, 1 AS rank
    FROM products p JOIN card_catalog.card_versions v ON v.tcgplayer_id = p.product_id
    WHERE p.product_id <= 2147483647
    UNION ALL
    SELECT p.product_id, v.card_version_id, true, 1
    FROM products p JOIN card_catalog.card_versions v ON v.tcgplayer_etched_id = p.product_id
    WHERE p.product_id <= 2147483647
    UNION ALL
    SELECT p.product_id, v.card_version_id, false, 2
    FROM products p
    JOIN pricing.mtgjson_links m ON m.tcgplayer_product_id = p.product_id
    JOIN card_catalog.card_versions v ON v.card_version_id = m.scryfall_id
    UNION ALL
    SELECT p.product_id, v.card_version_id, true, 2
    FROM products p
    JOIN pricing.mtgjson_links m ON m.tcgplayer_etched_product_id = p.product_id
    JOIN card_catalog.card_versions v ON v.card_version_id = m.scryfall_id
), best AS (
    -- The best-ranked source of matches only: MTGJSON is asked when the catalog knows nothing.
    SELECT DISTINCT product_id, card_version_id, etched
    FROM (SELECT *, min(rank) OVER (PARTITION BY product_id) AS best_rank FROM matches) m
    WHERE rank = best_rank
)
SELECT p.product_id, p.listings,
       CASE WHEN count(b.card_version_id) = 1 THEN min(b.card_version_id::text)::uuid END AS card_version_id,
       bool_or(b.etched) AS etched,
       count(b.card_version_id)::int AS matches
FROM products p LEFT JOIN best b USING (product_id)
GROUP BY p.product_id, p.listings;

-- name: product_counts
SELECT count(*)::int AS products,
       count(*) FILTER (WHERE matches = 1)::int AS resolved,
       count(*) FILTER (WHERE matches = 0)::int AS unresolved,
       count(*) FILTER (WHERE matches > 1)::int AS ambiguous,
       coalesce(sum(listings) FILTER (WHERE matches = 1), 0)::bigint AS resolved_listings
FROM stg_tcgplayer_products;

-- name: insert_product_rejects
INSERT INTO pricing.tcgplayer_listing_rejects (run_id, line, product_id, reason, listings, raw)
SELECT $1::bigint, NULL, product_id, CASE WHEN matches = 0 THEN 'unresolved_product' ELSE 'ambiguous_product' END,
       listings, NULL
FROM stg_tcgplayer_products WHERE matches <> 1;

-- name: stage_aggregates
-- English listings of resolved products, per (printing, finish, condition, day): the lowest price
-- ('low') and the lower median ('market', an actual asking price, robust to placeholder listings),
-- each with the number of listings, into the price store's staging table.
INSERT INTO stg_price_observations
    (card_version_id, source_id, finish, condition, currency, price_type, observed_on, price_cents, listing_count)
SELECT a.card_version_id, $1::smallint, a.finish, a.condition, 'USD', t.price_type, a.observed_on, t.cents, a.listings
FROM (
    SELECT p.card_version_id, CASE WHEN p.etched THEN 'etched' ELSE s.finish END AS finish, s.condition,
           s.observed_on, min(s.price_cents) AS low_cents,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY s.price_cents) AS market_cents, count(*)::int AS listings
    FROM stg_tcgplayer_listings s
    JOIN stg_tcgplayer_products p ON p.product_id = s.product_id AND p.matches = 1
    GROUP BY 1, 2, 3, 4
) a
CROSS JOIN LATERAL (VALUES ('low', a.low_cents), ('market', a.market_cents)) AS t(price_type, cents);
