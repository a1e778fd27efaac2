-- What collections are worth: current prices from pricing.latest_prices, daily history from
-- pricing.price_observations (both only read). A price is the NM market price of the printing in
-- the entry's finish and the collection's currency, from the first source in the preference list
-- that has one; an entry's value is round(quantity x condition multiplier x price).
-- Markers {cur}, {src}, {mult} name the statement's parameters for currency, sources (text[] in
-- order of preference) and multipliers (jsonb condition -> factor); the repository fills them.

-- name: price_join_fragment
-- One set-based pass over the current prices of the entries {scope} selects (a predicate on entries
-- `x`): the planner joins them by hash or by index as their number says, instead of one probe each.
LEFT JOIN (
    SELECT DISTINCT ON (lp.card_version_id, lp.finish) lp.card_version_id, lp.finish, lp.price_cents,
           lp.observed_on, lp.source_id
    FROM pricing.latest_prices lp
    JOIN pricing.price_sources ps ON ps.source_id = lp.source_id
    WHERE lp.condition = 'NM' AND lp.currency = {cur} AND lp.price_type = 'market' AND ps.code = ANY({src}::text[])
      AND lp.card_version_id IN (SELECT x.card_version_id FROM user_collection.entries x WHERE {scope})
    ORDER BY lp.card_version_id, lp.finish, array_position({src}::text[], ps.code)
) price ON price.card_version_id = e.card_version_id AND price.finish = e.finish

-- name: unit_value_fragment
round(({mult}::text::jsonb ->> e.condition)::numeric * price.price_cents)::bigint

-- name: entry_value_fragment
round(e.quantity * ({mult}::text::jsonb ->> e.condition)::numeric * price.price_cents)::bigint

-- name: entry_prices
-- $1 collection, $2 entry ids, $3 currency, $4 sources, $5 multipliers.
SELECT e.entry_id, {unit_value} AS unit_price_cents, {entry_value} AS value_cents
FROM user_collection.entries e
{price_join}
WHERE e.collection_id = $1 AND e.entry_id = ANY($2::uuid[])

-- name: collection_value
-- $1 collection, $2 currency, $3 sources, $4 multipliers, $5 how many unpriced entries to list: the
-- figures of the value answer in one pass over the entries and their prices, with the first unpriced
-- entries as a JSON array (each with the other currencies its printing and finish has prices in:
-- never converted).
WITH valued AS MATERIALIZED (
    SELECT e.entry_id, e.card_version_id, e.finish, e.quantity, price.price_cents, price.observed_on,
           CASE WHEN e.purchase_currency = $2 THEN e.purchase_price_cents END AS cost_cents,
           {entry_value} AS value_cents
    FROM user_collection.entries e
    {price_join}
    WHERE e.collection_id = $1
), unpriced AS (
    SELECT u.entry_id, u.card_version_id AS card_id, v.name, v.set_code AS set, v.collector_number, u.finish,
           ARRAY(SELECT DISTINCT lp.currency::text FROM pricing.latest_prices lp
                 WHERE lp.card_version_id = u.card_version_id AND lp.finish = u.finish AND lp.currency <> $2
                   AND lp.currency IN ('USD', 'EUR') AND lp.price_type = 'market'
                 ORDER BY 1) AS other_currencies
    FROM valued u JOIN card_catalog.card_versions v ON v.card_version_id = u.card_version_id
    WHERE u.price_cents IS NULL
)
SELECT count(*) AS entry_count,
       COALESCE(sum(quantity), 0)::bigint AS card_count,
       count(price_cents) AS priced_entries,
       COALESCE(sum(value_cents), 0)::bigint AS value_cents,
       max(observed_on) AS prices_as_of,
       COALESCE(sum(quantity * cost_cents), 0)::bigint AS cost_basis_cents,
       count(cost_cents) AS cost_basis_entries,
       COALESCE(sum(value_cents) FILTER (WHERE cost_cents IS NOT NULL), 0)::bigint
           AS value_of_cost_basis_entries_cents,
       COALESCE(sum(value_cents - quantity * cost_cents), 0)::bigint AS unrealised_gain_cents,
       (SELECT count(*) FROM unpriced WHERE cardinality(other_currencies) > 0) AS other_currency_only,
       (SELECT COALESCE(json_agg(json_build_object(
                   'entry_id', l.entry_id, 'card_id', l.card_id, 'name', l.name, 'set', l.set,
                   'collector_number', l.collector_number, 'finish', l.finish,
                   'other_currencies', l.other_currencies,
                   'reason', CASE WHEN cardinality(l.other_currencies) > 0 THEN 'other_currency_only'
                                  ELSE 'no_price' END) ORDER BY l.rank), '[]')
        FROM (SELECT unpriced.*, row_number() OVER (ORDER BY cardinality(other_currencies) > 0 DESC, name,
                                                                entry_id) AS rank
              FROM unpriced
              ORDER BY rank LIMIT $5) l) AS unpriced
FROM valued

-- name: prices_version
-- Read before the prices a summary is computed from: a change after it makes the summary stale, never
-- wrongly current.
SELECT version FROM pricing.latest_prices_version

-- name: current_summary
-- $1 collection, $2 contents version, $3 valuation key: the cached value answer, when it was computed
-- from these contents with these settings and from the prices as they are now.
SELECT s.entry_count, s.card_count, s.priced_entries, s.value_cents, s.prices_as_of, s.cost_basis_cents,
       s.cost_basis_entries, s.value_of_cost_basis_entries_cents, s.unrealised_gain_cents,
       s.other_currency_only, s.unpriced
FROM user_collection.value_summary s
JOIN pricing.latest_prices_version p ON p.version = s.prices_version
WHERE s.collection_id = $1 AND s.contents_version = $2 AND s.valuation_key = $3

-- name: current_values
-- $1 collection ids, $2 contents versions, $3 valuation keys (one each, in the same order): the cached
-- values that are still current.
SELECT s.collection_id, s.value_cents
FROM unnest($1::uuid[], $2::bigint[], $3::text[]) AS c(collection_id, contents_version, valuation_key)
JOIN user_collection.value_summary s ON s.collection_id = c.collection_id
 AND s.contents_version = c.contents_version AND s.valuation_key = c.valuation_key
JOIN pricing.latest_prices_version p ON p.version = s.prices_version

-- name: save_summary
-- $1 collection, $2 contents version, $3 valuation key, $4 prices version, then the figures.
INSERT INTO user_collection.value_summary AS s
    (collection_id, contents_version, valuation_key, prices_version, entry_count, card_count, priced_entries,
     value_cents, prices_as_of, cost_basis_cents, cost_basis_entries, value_of_cost_basis_entries_cents,
     unrealised_gain_cents, other_currency_only, unpriced)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT (collection_id) DO UPDATE SET
    contents_version = excluded.contents_version, valuation_key = excluded.valuation_key,
    prices_version = excluded.prices_version, entry_count = excluded.entry_count,
    card_count = excluded.card_count, priced_entries = excluded.priced_entries,
    value_cents = excluded.value_cents, prices_as_of = excluded.prices_as_of,
    cost_basis_cents = excluded.cost_basis_cents, cost_basis_entries = excluded.cost_basis_entries,
    value_of_cost_basis_entries_cents = excluded.value_of_cost_basis_entries_cents,
    unrealised_gain_cents = excluded.unrealised_gain_cents, other_currency_only = excluded.other_currency_only,
    unpriced = excluded.unpriced, computed_at = now()

-- name: stale_summaries
-- $1 valuation key of USD collections, $2 of EUR ones: collections whose cached value was computed
-- from other contents, settings or prices.
SELECT c.collection_id
FROM user_collection.value_summary s
JOIN user_collection.collections c ON c.collection_id = s.collection_id
CROSS JOIN pricing.latest_prices_version p
WHERE s.contents_version <> c.contents_version OR s.prices_version <> p.version
   OR s.valuation_key <> CASE c.currency WHEN 'USD' THEN $1 ELSE $2 END
ORDER BY c.collection_id

-- name: priced_entries
-- $1 collection, $2 currency, $3 sources, $4 multipliers: each entry's printing, finish, quantity
-- and unit value (wishlists: what completing them costs).
SELECT e.card_version_id, e.finish, e.quantity, {unit_value} AS unit_price_cents
FROM user_collection.entries e
{price_join}
WHERE e.collection_id = $1

-- name: collections_value
-- $1 collection ids, $2 sources, $3 multipliers: current value of each, in its own currency.
SELECT c.collection_id, COALESCE(sum({entry_value}), 0)::bigint AS value_cents
FROM user_collection.collections c
JOIN user_collection.entries e ON e.collection_id = c.collection_id
LEFT JOIN (
    SELECT DISTINCT ON (lp.card_version_id, lp.finish, lp.currency) lp.card_version_id, lp.finish, lp.currency,
           lp.price_cents
    FROM pricing.latest_prices lp
    JOIN pricing.price_sources ps ON ps.source_id = lp.source_id
    WHERE lp.condition = 'NM' AND lp.currency IN ('USD', 'EUR') AND lp.price_type = 'market'
      AND ps.code = ANY($2::text[])
      AND lp.card_version_id IN (SELECT x.card_version_id FROM user_collection.entries x
                                 WHERE x.collection_id = ANY($1::uuid[]))
    ORDER BY lp.card_version_id, lp.finish, lp.currency, array_position($2::text[], ps.code)
) price ON price.card_version_id = e.card_version_id AND price.finish = e.finish AND price.currency = c.currency
WHERE c.collection_id = ANY($1::uuid[])
GROUP BY c.collection_id

-- name: history_keys_fragment
-- The collection's contents as (printing, finish, weight = sum of quantity x multiplier), each with
-- the source its current price comes from: the history follows that source.
keys AS MATERIALIZED (
    SELECT e.card_version_id, e.finish, sum(e.quantity * ($4::text::jsonb ->> e.condition)::numeric) AS weight
    FROM user_collection.entries e
    WHERE e.collection_id = $1
    GROUP BY e.card_version_id, e.finish
), chosen AS MATERIALIZED (
    SELECT DISTINCT ON (k.card_version_id, k.finish) k.card_version_id, k.finish, k.weight, lp.source_id
    FROM keys k
    JOIN pricing.latest_prices lp ON lp.card_version_id = k.card_version_id AND lp.finish = k.finish
     AND lp.condition = 'NM' AND lp.currency = $2 AND lp.price_type = 'market'
    JOIN pricing.price_sources ps ON ps.source_id = lp.source_id AND ps.code = ANY($3::text[])
    ORDER BY k.card_version_id, k.finish, array_position($3::text[], ps.code)
)

-- name: history_observed_fragment
-- The observations of the chosen keys (their source, NM market prices in the currency).
pricing.price_observations o
JOIN chosen c ON o.card_version_id = c.card_version_id AND o.source_id = c.source_id AND o.finish = c.finish
WHERE o.condition = 'NM' AND o.currency = $2 AND o.price_type = 'market'

-- name: history_deltas
-- $1 collection, $2 currency, $3 sources, $4 multipliers, $5 day T or NULL (from the beginning):
-- per day after T, the change of the collection's value that day (sum over its printings of weight
-- x (price - the printing's previous price)); a printing keeps its last price on days without one.
WITH {history_keys},
observed AS (
    SELECT o.card_version_id, o.finish, c.weight, o.observed_on, o.price_cents
    FROM {history_observed} AND ($5::date IS NULL OR o.observed_on > $5)
), carried AS (
    -- Each printing's price on day T, so its first change after T is measured from it.
    SELECT c.card_version_id, c.finish, c.weight, $5::date AS observed_on, before.price_cents
    FROM chosen c
    CROSS JOIN LATERAL (
        SELECT o.price_cents FROM pricing.price_observations o
        WHERE o.card_version_id = c.card_version_id AND o.source_id = c.source_id AND o.finish = c.finish
          AND o.condition = 'NM' AND o.currency = $2 AND o.price_type = 'market' AND o.observed_on <= $5
        ORDER BY o.observed_on DESC LIMIT 1
    ) before
    WHERE $5::date IS NOT NULL
), changes AS (
    SELECT observed_on, weight * (price_cents - COALESCE(lag(price_cents) OVER (
               PARTITION BY card_version_id, finish ORDER BY observed_on), 0)) AS delta
    FROM (SELECT * FROM observed UNION ALL SELECT * FROM carried) AS series
)
SELECT observed_on AS day, sum(delta) AS delta, count(*) AS observations
FROM changes
WHERE $5::date IS NULL OR observed_on > $5
GROUP BY observed_on
ORDER BY observed_on

-- name: history_check
-- $1 collection, $2 currency, $3 sources, $4 multipliers, $5 day T: the newest observation of the
-- collection's printings and how many there are up to T (a change there means a backfill/correction).
WITH {history_keys}
SELECT max(o.observed_on) AS observed_through, count(*) FILTER (WHERE o.observed_on <= $5) AS count_through
FROM {history_observed}

-- name: newest_observation
SELECT max(observed_on) FROM pricing.price_observations

-- name: price_activity
-- A mark that changes whenever price observations are written (inserted, updated, deleted rows of
-- the table and of its partitions, as the statistics collector counts them) or a newer day appears.
SELECT COALESCE(sum(st.n_tup_ins + st.n_tup_upd + st.n_tup_del), 0)::text || ':'
       || COALESCE((SELECT max(observed_on)::text FROM pricing.price_observations), '')
FROM pg_partition_tree('pricing.price_observations'::regclass) tree
JOIN pg_stat_all_tables st ON st.relid = tree.relid

-- name: history_state
-- $1 collection.
SELECT contents_version, valuation_key, observed_through, observation_count, newest_seen
FROM user_collection.value_history_state WHERE collection_id = $1

-- name: save_history_state
-- $1 collection, $2 contents version, $3 valuation key, $4 observed through, $5 newest seen; the
-- observation count is what the cached days hold.
INSERT INTO user_collection.value_history_state AS s
    (collection_id, contents_version, valuation_key, observed_through, newest_seen, observation_count)
VALUES ($1, $2, $3, $4, $5, (SELECT COALESCE(sum(observations), 0) FROM user_collection.value_history
                             WHERE collection_id = $1))
ON CONFLICT (collection_id) DO UPDATE SET
    contents_version = excluded.contents_version, valuation_key = excluded.valuation_key,
    observed_through = excluded.observed_through, newest_seen = excluded.newest_seen,
    observation_count = excluded.observation_count, built_at = now()

-- name: clear_history
DELETE FROM user_collection.value_history WHERE collection_id = $1 AND ($2::date IS NULL OR day > $2)

-- name: history_value_on
-- $1 collection, $2 day: the cached value that day (the base a tail is added to).
SELECT value_cents FROM user_collection.value_history WHERE collection_id = $1 AND day = $2

-- name: append_history
-- $1 collection, $2 first day, $3 last day, $4 base value (the day before $2), $5 days, $6 deltas,
-- $7 observation counts: one row per day from $2 to $3, each the base plus the changes up to that day.
INSERT INTO user_collection.value_history (collection_id, day, value_cents, observations)
SELECT $1, d.day::date, $4::numeric + sum(COALESCE(ch.delta, 0)) OVER (ORDER BY d.day), COALESCE(ch.observations, 0)
FROM generate_series($2::date, $3::date, interval '1 day') AS d(day)
LEFT JOIN unnest($5::date[], $6::numeric[], $7::int[]) AS ch(day, delta, observations) ON ch.day = d.day::date

-- name: history_series
-- $1 collection, $2 from day: the cached daily values from that day on.
SELECT day, round(value_cents)::bigint AS value_cents
FROM user_collection.value_history
WHERE collection_id = $1 AND day >= $2
ORDER BY day

-- name: history_bounds
SELECT min(day) AS first_day, max(day) AS last_day FROM user_collection.value_history WHERE collection_id = $1

-- name: collections_with_history
-- Collections whose value history has been built (the refresh task keeps them current).
SELECT s.collection_id, c.currency, c.contents_version
FROM user_collection.value_history_state s
JOIN user_collection.collections c ON c.collection_id = s.collection_id
ORDER BY s.collection_id

-- name: movers
-- $1 collection, $2 currency, $3 sources, $4 multipliers, $5 start day: per priced entry, its value at
-- the start and now. The start price is the newest in the week up to the start day (one bounded scan
-- of the observations), else the entry's first price after the start (looked up only for those).
WITH priced AS MATERIALIZED (
    SELECT e.entry_id, e.card_version_id, e.finish, e.condition, e.quantity, price.source_id,
           price.price_cents AS end_price
    FROM user_collection.entries e
    {price_join}
    WHERE e.collection_id = $1 AND price.price_cents IS NOT NULL
), at_start AS (
    SELECT DISTINCT ON (o.card_version_id, o.finish) o.card_version_id, o.finish, o.price_cents
    FROM pricing.price_observations o
    JOIN (SELECT DISTINCT card_version_id, finish, source_id FROM priced) k
      ON o.card_version_id = k.card_version_id AND o.finish = k.finish AND o.source_id = k.source_id
    WHERE o.condition = 'NM' AND o.currency = $2 AND o.price_type = 'market'
      AND o.observed_on BETWEEN $5::date - 7 AND $5::date
    ORDER BY o.card_version_id, o.finish, o.observed_on DESC
)
SELECT p.entry_id, p.card_version_id AS card_id, v.name, v.set_code AS set, v.collector_number, p.finish,
       p.condition, p.quantity,
       round(p.quantity * ($4::text::jsonb ->> p.condition)::numeric
             * COALESCE(s.price_cents, first_after.price_cents))::bigint AS start_value_cents,
       round(p.quantity * ($4::text::jsonb ->> p.condition)::numeric * p.end_price)::bigint AS end_value_cents
FROM priced p
JOIN card_catalog.card_versions v ON v.card_version_id = p.card_version_id
LEFT JOIN at_start s ON s.card_version_id = p.card_version_id AND s.finish = p.finish
LEFT JOIN LATERAL (
    SELECT o.price_cents FROM pricing.price_observations o
    WHERE s.price_cents IS NULL
      AND o.card_version_id = p.card_version_id AND o.source_id = p.source_id AND o.finish = p.finish
      AND o.condition = 'NM' AND o.currency = $2 AND o.price_type = 'market' AND o.observed_on > $5
    ORDER BY o.observed_on LIMIT 1
) first_after ON true

-- name: serial_plans
-- For this transaction: no parallel workers. A collection's statements are many small joins; an API
-- serves many at once, and each worker would build the same hash tables again.
SELECT set_config('max_parallel_workers_per_gather', '0', true)
