-- Reads of the price store (history, latest, movers) and the one merge every load goes through.

-- name: source_ids
SELECT code, source_id FROM pricing.price_sources ORDER BY source_id;

-- name: card_exists
SELECT EXISTS (SELECT 1 FROM card_catalog.card_versions WHERE card_version_id = $1);

-- name: card_label
SELECT v.name, v.set_code, v.collector_number FROM card_catalog.card_versions v WHERE v.card_version_id = $1;

-- name: history
-- $1 printing, $2..$3 first and last day, then optional filters (NULL: any). The primary key
-- (printing first) and the month partitions of [$2, $3] are all that is read. Unsorted: the
-- service groups the rows into series and sorts each (a text-collation sort here cost more than
-- the whole scan).
SELECT s.code AS source, o.finish, o.condition, o.currency::text AS currency, o.price_type,
       o.observed_on, o.price_cents, o.listing_count
FROM pricing.price_observations o
JOIN pricing.price_sources s ON s.source_id = o.source_id
WHERE o.card_version_id = $1
  AND o.observed_on BETWEEN $2::date AND $3::date
  AND ($4::smallint IS NULL OR o.source_id = $4)
  AND ($5::text IS NULL OR o.finish = $5)
  AND ($6::text IS NULL OR o.currency = $6)
  AND ($7::text IS NULL OR o.price_type = $7)
  AND ($8::text IS NULL OR o.condition = $8)
LIMIT $9;

-- name: latest
SELECT s.code AS source, l.finish, l.condition, l.currency::text AS currency, l.price_type,
       l.observed_on, l.price_cents, l.listing_count
FROM pricing.latest_prices l
JOIN pricing.price_sources s ON s.source_id = l.source_id
WHERE l.card_version_id = $1
ORDER BY s.code, l.finish, l.condition, l.currency, l.price_type;

-- name: last_day
-- The newest day of one source's series of this currency and price type on or before $4
-- (an ordered scan of the day index over the partitions, newest first).
SELECT o.observed_on
FROM pricing.price_observations o
WHERE o.source_id = $1 AND o.currency = $2 AND o.price_type = $3 AND o.observed_on <= $4::date
  AND o.observed_on > $4::date - 62
ORDER BY o.observed_on DESC
LIMIT 1;

-- name: movers
-- $1 source, $2 currency, $3 price type, $4 the later day, $5 the earlier day, $6 minimum price in
-- cents (both days), $7 how many of each, $8 'up' or 'down'. Two day slices of the day index,
-- matched on (printing, finish, condition).
WITH now_prices AS (
    SELECT card_version_id, finish, condition, price_cents
    FROM pricing.price_observations
    WHERE observed_on = $4::date AND source_id = $1 AND currency = $2 AND price_type = $3
      AND price_cents >= $6
), then_prices AS (
    SELECT card_version_id, finish, condition, price_cents
    FROM pricing.price_observations
    WHERE observed_on = $5::date AND source_id = $1 AND currency = $2 AND price_type = $3
      AND price_cents >= $6
), changes AS (
    SELECT n.card_version_id, n.finish, n.condition, t.price_cents AS then_cents, n.price_cents AS now_cents,
           (n.price_cents - t.price_cents)::numeric / t.price_cents AS ratio
    FROM now_prices n
    JOIN then_prices t USING (card_version_id, finish, condition)
    WHERE n.price_cents <> t.price_cents
), chosen AS (
    SELECT * FROM changes
    ORDER BY CASE WHEN $8 = 'up' THEN ratio ELSE -ratio END DESC, card_version_id, finish, condition
    LIMIT $7
)
SELECT c.card_version_id, v.name, v.set_code, v.collector_number, c.finish, c.condition,
       c.then_cents, c.now_cents, c.now_cents - c.then_cents AS change_cents,
       round(c.ratio * 100, 2)::float8 AS change_percent
FROM chosen c
JOIN card_catalog.card_versions v ON v.card_version_id = c.card_version_id
WHERE (c.ratio > 0) = ($8 = 'up')
ORDER BY CASE WHEN $8 = 'up' THEN c.ratio ELSE -c.ratio END DESC, c.card_version_id, c.finish, c.condition;

-- name: ensure_partitions
SELECT pricing.ensure_observation_partitions($1::date, $2::date);

-- name: drop_observation_staging
DROP TABLE IF EXISTS pg_temp.stg_price_observations;

-- name: merge_staged_observations
-- The staged rows (one load's) into the store and latest_prices, in the caller's transaction.
-- A day already stored with the same price writes nothing, so a re-run adds nothing; a changed price
-- is corrected. latest_prices moves only forward in time.
WITH staged AS (
    SELECT DISTINCT ON (card_version_id, source_id, finish, condition, currency, price_type, observed_on)
           card_version_id, source_id, finish, condition, currency, price_type, observed_on, price_cents,
           listing_count
    FROM stg_price_observations
    ORDER BY card_version_id, source_id, finish, condition, currency, price_type, observed_on, price_cents
), observed AS (
    INSERT INTO pricing.price_observations AS o
        (card_version_id, source_id, finish, condition, currency, price_type, observed_on, price_cents, run_id,
         listing_count)
    SELECT card_version_id, source_id, finish, condition, currency, price_type, observed_on, price_cents,
           $1::bigint, listing_count
    FROM staged
    ON CONFLICT (card_version_id, source_id, finish, condition, currency, price_type, observed_on)
    DO UPDATE SET price_cents = EXCLUDED.price_cents, listing_count = EXCLUDED.listing_count, run_id = EXCLUDED.run_id
        WHERE (o.price_cents, o.listing_count) IS DISTINCT FROM (EXCLUDED.price_cents, EXCLUDED.listing_count)
    RETURNING 1
), newest AS (
    SELECT DISTINCT ON (card_version_id, source_id, finish, condition, currency, price_type) *
    FROM staged
    ORDER BY card_version_id, source_id, finish, condition, currency, price_type, observed_on DESC
), latest AS (
    INSERT INTO pricing.latest_prices AS l
        (card_version_id, source_id, finish, condition, currency, price_type, observed_on, price_cents, listing_count)
    SELECT card_version_id, source_id, finish, condition, currency, price_type, observed_on, price_cents, listing_count
    FROM newest
    ON CONFLICT (card_version_id, source_id, finish, condition, currency, price_type)
    DO UPDATE SET price_cents = EXCLUDED.price_cents, observed_on = EXCLUDED.observed_on,
                  listing_count = EXCLUDED.listing_count, updated_at = now()
        WHERE l.observed_on <= EXCLUDED.observed_on
          AND (l.price_cents, l.observed_on, l.listing_count)
              IS DISTINCT FROM (EXCLUDED.price_cents, EXCLUDED.observed_on, EXCLUDED.listing_count)
    RETURNING 1
)
SELECT (SELECT count(*) FROM observed) AS observations, (SELECT count(*) FROM latest) AS latest;

-- name: bump_latest_prices_version
-- Current prices changed in this transaction (the last statement of it that locks anything, so writers
-- running side by side queue here for a moment instead of deadlocking).
UPDATE pricing.latest_prices_version SET version = version + 1;

-- name: staged_day_range
SELECT min(observed_on), max(observed_on) FROM stg_price_observations;
