-- The price store at scale (docs/prices.md): price_observations becomes a table partitioned by month
-- on observed_on, so a time-bounded query reads only the months it names and old months can be
-- detached or archived whole. Same name, same columns, same primary key (readers keep working; the
-- price-store contract), plus `listing_count` for aggregates of marketplace listings.

ALTER TABLE pricing.price_observations RENAME TO price_observations_unpartitioned;
ALTER TABLE pricing.price_observations_unpartitioned
    RENAME CONSTRAINT price_observations_pkey TO price_observations_unpartitioned_pkey;
ALTER INDEX pricing.price_observations_day_idx RENAME TO price_observations_unpartitioned_day_idx;

CREATE TABLE pricing.price_observations (
    card_version_id  UUID        NOT NULL REFERENCES card_catalog.card_versions (card_version_id) ON DELETE CASCADE,
    source_id        SMALLINT    NOT NULL REFERENCES pricing.price_sources (source_id),
    finish           TEXT        NOT NULL,   -- nonfoil | foil | etched | glossy
    condition        TEXT        NOT NULL DEFAULT 'NM',
    currency         CHAR(3)     NOT NULL,   -- USD | EUR | TIX
    price_type       TEXT        NOT NULL,   -- market | low | avg | high | listing | sold | buylist
    observed_on      DATE        NOT NULL,
    price_cents      BIGINT      NOT NULL CHECK (price_cents >= 0),
    run_id           BIGINT,
    -- How many listings/sales an aggregate price was computed from (NULL: a quoted price).
    listing_count    INTEGER     CHECK (listing_count > 0),
    PRIMARY KEY (card_version_id, source_id, finish, condition, currency, price_type, observed_on)
) PARTITION BY RANGE (observed_on);

-- The primary key (printing first) serves one printing's history; this one serves a day's slice of
-- one source (movers, day rollups), as an index-only scan once a partition is vacuumed.
CREATE INDEX price_observations_day_idx ON pricing.price_observations
    (observed_on, source_id, currency, price_type) INCLUDE (card_version_id, finish, condition, price_cents);

-- Rows for months that have no partition yet land here instead of failing the load; creating the
-- month's partition moves them out (ensure_observation_partitions).
CREATE TABLE pricing.price_observations_default PARTITION OF pricing.price_observations DEFAULT;

-- Creates the monthly partitions covering [first_day, last_day] that do not exist yet, moving any
-- rows of those months out of the default partition. Serialised by an advisory lock; a no-op (one
-- catalog lookup per month) when the partitions exist. Returns the number created.
CREATE FUNCTION pricing.ensure_observation_partitions(first_day DATE, last_day DATE)
RETURNS INTEGER LANGUAGE plpgsql AS $$
DECLARE
    month_start DATE := date_trunc('month', least(first_day, last_day))::date;
    final_month DATE := date_trunc('month', greatest(first_day, last_day))::date;
    part_name TEXT;
    created INTEGER := 0;
BEGIN
    IF first_day IS NULL OR last_day IS NULL THEN
        RETURN 0;
    END IF;
    IF final_month - month_start > 366 * 50 THEN
        RAISE EXCEPTION 'refusing to create partitions for more than 50 years (% to %)', first_day, last_day;
    END IF;
    WHILE month_start <= final_month LOOP
        part_name := 'price_observations_' || to_char(month_start, 'YYYY_MM');
        IF to_regclass('pricing.' || part_name) IS NULL THEN
            PERFORM pg_advisory_xact_lock(hashtext('automana:pricing:partitions'));
            IF to_regclass('pricing.' || part_name) IS NULL THEN
                EXECUTE format('CREATE TABLE pricing.%I (LIKE pricing.price_observations INCLUDING DEFAULTS '
                               'INCLUDING CONSTRAINTS)', part_name);
                EXECUTE format('WITH moved AS (DELETE FROM pricing.price_observations_default '
                               'WHERE observed_on >= %L AND observed_on < %L RETURNING *) '
                               'INSERT INTO pricing.%I SELECT * FROM moved',
                               month_start, (month_start + interval '1 month')::date, part_name);
                EXECUTE format('ALTER TABLE pricing.price_observations ATTACH PARTITION pricing.%I '
                               'FOR VALUES FROM (%L) TO (%L)',
                               part_name, month_start, (month_start + interval '1 month')::date);
                created := created + 1;
            END IF;
        END IF;
        month_start := (month_start + interval '1 month')::date;
    END LOOP;
    RETURN created;
END
$$;

-- Partitions for what is stored today and the months around now, then the data moved over.
SELECT pricing.ensure_observation_partitions(
    least(coalesce((SELECT min(observed_on) FROM pricing.price_observations_unpartitioned), current_date),
          (current_date - interval '12 months')::date),
    (current_date + interval '12 months')::date);

INSERT INTO pricing.price_observations
    (card_version_id, source_id, finish, condition, currency, price_type, observed_on, price_cents, run_id)
SELECT card_version_id, source_id, finish, condition, currency, price_type, observed_on, price_cents, run_id
FROM pricing.price_observations_unpartitioned;

DROP TABLE pricing.price_observations_unpartitioned;

-- latest_prices gets the same aggregate column, and an index for "what moved" / value lookups by source.
ALTER TABLE pricing.latest_prices ADD COLUMN listing_count INTEGER CHECK (listing_count > 0);

-- MTGStocks is the code the sources table already has; the listings loader uses 'tcgplayer'.
UPDATE pricing.price_sources SET name = 'TCGplayer marketplace listings' WHERE code = 'tcgplayer';
