"""Price store benchmark: one printing's history over a year, and movers, with >= 50 million
observations in the table.

The data is generated in SQL (generate_series) in a scratch database migrated by the real
migrations: --printings printings x --days days x 5 series (Scryfall nonfoil/foil USD and nonfoil
EUR market, MTGStocks avg and market USD), prices from integer hashes, loaded into unlogged
partitions with the table's indexes dropped and rebuilt after (as a restore would). The measured calls go through the service keys on a
runtime built like the app's: `pricing.price.history` (range=1y, a random printing each call) and
`pricing.price.movers` (1w and 1m, Scryfall USD market, min 1.00). Prints p50/p95/p99 per query and
each query's plan summary (partitions touched).

    PYTHONPATH=. python bench/price_history.py [--printings 10000] [--days 1000] [--keep-db] [--reuse-db]
    PYTHONPATH=. python bench/price_history.py --smoke     # 10,000 rows, a few calls, seconds
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import os
import random
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.runtime import Runtime  # noqa: E402
from bench.common import (bench_settings, create_database, drop_database, migrate_database, percentile,  # noqa: E402
                          server_url, start_logging, with_database)

BENCH_DB = "automana_bench_prices"
SERIES = (("scryfall", "nonfoil", "USD", "market"), ("scryfall", "foil", "USD", "market"),
          ("scryfall", "nonfoil", "EUR", "market"), ("mtgstocks", "nonfoil", "USD", "avg"),
          ("mtgstocks", "nonfoil", "USD", "market"))

CATALOG_SQL = """
INSERT INTO card_catalog.sets (set_id, code, name) VALUES ('00000000-0000-4000-8000-00000000b0b0', 'bnch', 'Bench');
INSERT INTO card_catalog.oracle_cards (oracle_id, name, layout)
SELECT md5('o' || i)::uuid, 'Bench Card ' || i, 'normal' FROM generate_series(1, %(printings)s) i;
INSERT INTO card_catalog.card_versions (card_version_id, oracle_id, set_id, set_code, collector_number, rarity, name,
                                        layout)
SELECT md5('v' || i)::uuid, md5('o' || i)::uuid, '00000000-0000-4000-8000-00000000b0b0', 'bnch', i::text, 'rare',
       'Bench Card ' || i, 'normal'
FROM generate_series(1, %(printings)s) i;
"""
# Dropped before the bulk insert and rebuilt after it, as a restore does (defined as in the migrations).
DROP_INDEXES = """
ALTER TABLE pricing.price_observations DROP CONSTRAINT price_observations_pkey;
DROP INDEX pricing.price_observations_day_idx;
"""
CREATE_INDEXES = """
ALTER TABLE pricing.price_observations ADD PRIMARY KEY
    (card_version_id, source_id, finish, condition, currency, price_type, observed_on);
CREATE INDEX price_observations_day_idx ON pricing.price_observations
    (observed_on, source_id, currency, price_type) INCLUDE (card_version_id, finish, condition, price_cents);
"""
# The printings' ids and base prices once, so the generator does integer arithmetic only.
BENCH_CARDS_SQL = """
CREATE UNLOGGED TABLE bench_cards AS
SELECT i, md5('v' || i)::uuid AS card_version_id, 50 + (i * 7919) %% 5000 AS base_cents
FROM generate_series(1, %(printings)s) i
"""
# One month at a time (one partition per statement, bounded memory). A price is the printing's base
# times the series' factor, moved by a slow seasonal swing and a per-day wiggle (integer hashes).
INSERT_MONTH = """
INSERT INTO pricing.price_observations
    (card_version_id, source_id, finish, condition, currency, price_type, observed_on, price_cents)
SELECT c.card_version_id, s.source_id, s.finish, 'NM', s.currency, s.price_type, d.day,
       greatest(1, c.base_cents * s.factor / 100
                   * (900 + abs((d.n / 3 + c.i) %% 200 - 100) * 2 + (d.n * 104729 + c.i * 7919) %% 41) / 1000)
FROM (SELECT day::date AS day, (day::date - date '2000-01-01') AS n
      FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') day) d
CROSS JOIN bench_cards c
CROSS JOIN (SELECT src.source_id, v.* FROM (VALUES
        ('scryfall', 'nonfoil', 'USD', 'market', 100), ('scryfall', 'foil', 'USD', 'market', 250),
        ('scryfall', 'nonfoil', 'EUR', 'market', 90), ('mtgstocks', 'nonfoil', 'USD', 'avg', 110),
        ('mtgstocks', 'nonfoil', 'USD', 'market', 105)) AS v(source, finish, currency, price_type, factor)
    JOIN pricing.price_sources src ON src.code = v.source) s
"""
LATEST_SQL = """
INSERT INTO pricing.latest_prices
    (card_version_id, source_id, finish, condition, currency, price_type, observed_on, price_cents)
SELECT card_version_id, source_id, finish, condition, currency, price_type, observed_on, price_cents
FROM pricing.price_observations WHERE observed_on = %(last)s
"""


def _card_id(i: int) -> uuid.UUID:
    """The id CATALOG_SQL gives printing i (md5('v' || i))."""
    return uuid.UUID(hashlib.md5(f"v{i}".encode()).hexdigest())


def build(url: str, printings: int, days: int, say) -> int:
    today = time.gmtime()
    last = f"{today.tm_year:04d}-{today.tm_mon:02d}-{today.tm_mday:02d}"
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'; SET max_parallel_maintenance_workers = 2")
        cur.execute(CATALOG_SQL, {"printings": printings})
        cur.execute("SELECT (%s::date - %s)::date", (last, days - 1))
        first = cur.fetchone()[0]
        cur.execute("SELECT pricing.ensure_observation_partitions(%s, %s)", (first, last))
        cur.execute(BENCH_CARDS_SQL, {"printings": printings})
        # Generation shortcut: unlogged partitions skip ~10 GB of WAL; reads do not depend on it.
        cur.execute("SELECT c.oid::regclass::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                    " WHERE i.inhparent = 'pricing.price_observations'::regclass")
        for (partition,) in cur.fetchall():
            cur.execute(f"ALTER TABLE {partition} SET UNLOGGED")
        cur.execute(DROP_INDEXES)
        started = time.monotonic()
        month = first.replace(day=1)
        while month.isoformat() <= last:
            nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            lo, hi = max(month, first), min(nxt - dt.timedelta(days=1), dt.date.fromisoformat(last))
            cur.execute(INSERT_MONTH, {"first": lo, "last": hi})
            month = nxt
        say(f"generated in {time.monotonic() - started:.1f} s; building indexes")
        started = time.monotonic()
        cur.execute(CREATE_INDEXES)
        cur.execute(LATEST_SQL, {"last": last})
        cur.execute("DROP TABLE bench_cards")
        cur.execute("VACUUM (ANALYZE) pricing.price_observations")
        cur.execute("VACUUM (ANALYZE) pricing.latest_prices")
        say(f"indexes and vacuum in {time.monotonic() - started:.1f} s")
    conn.close()
    return count_rows(url)


def count_rows(url: str) -> int:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            # The planner's figure: exact counting 50M rows would take longer than the benchmark.
            cur.execute("SELECT sum(reltuples)::bigint FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid"
                        " WHERE i.inhparent = 'pricing.price_observations'::regclass")
            estimate = cur.fetchone()[0] or 0
            if estimate < 1_000_000:
                cur.execute("SELECT count(*) FROM pricing.price_observations")
                return cur.fetchone()[0]
            return int(estimate)
    finally:
        conn.close()


def plan_summary(url: str, card_id: str) -> str:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT * FROM pricing.price_observations"
                        " WHERE card_version_id = %s AND observed_on BETWEEN current_date - 365 AND current_date", (card_id,))
            plan = cur.fetchone()[0][0]
        scans = []

        def walk(node):
            if "Relation Name" in node and node.get("Actual Loops", 0) > 0:
                scans.append(node["Relation Name"])
            for child in node.get("Plans", []):
                walk(child)

        walk(plan["Plan"])
        return (f"{len(set(scans))} partitions scanned, {plan['Plan'].get('Actual Rows')} rows, "
                f"shared hit {plan['Plan'].get('Shared Hit Blocks')} blocks")
    finally:
        conn.close()


async def measure(url: str, printings: int, calls: int, movers_calls: int) -> dict[str, list[float]]:
    settings = bench_settings(url, log_to_database=False, db_pool_max_size=4)
    start_logging(settings)
    rng = random.Random(13)
    samples: dict[str, list[float]] = {"history 1y": [], "movers 1w": [], "movers 1m": []}
    async with Runtime(settings, service_type="bench") as runtime:
        for _ in range(min(20, calls)):   # warm-up: plans cached, pages in memory
            card = _card_id(rng.randint(1, printings))
            await runtime.execute_service("pricing.price.history", card_id=card, range="1y")
        points = 0
        for _ in range(calls):
            card = _card_id(rng.randint(1, printings))
            started = time.perf_counter()
            data = await runtime.execute_service("pricing.price.history", card_id=card, range="1y")
            samples["history 1y"].append((time.perf_counter() - started) * 1000)
            points = sum(len(s["points"]) for s in data["series"])
        samples["history points"] = [points]
        # The same statement alone on one connection: what the database spends of the call above.
        from backend.repositories.pricing.price_repository import queries

        conn = await asyncpg.connect(url)
        today = dt.datetime.now(dt.timezone.utc).date()
        samples["history 1y (SQL only)"] = []
        for _ in range(calls):
            card = _card_id(rng.randint(1, printings))
            started = time.perf_counter()
            await conn.fetch(queries.history, card, today - dt.timedelta(days=365), today, None, None, None, None,
                             None, 50_001)
            samples["history 1y (SQL only)"].append((time.perf_counter() - started) * 1000)
        await conn.close()
        for range_ in ("1w", "1m"):
            await runtime.execute_service("pricing.price.movers", range=range_, min_price_cents=100)
            for _ in range(movers_calls):
                started = time.perf_counter()
                result = await runtime.execute_service("pricing.price.movers", range=range_, min_price_cents=100)
                samples[f"movers {range_}"].append((time.perf_counter() - started) * 1000)
            assert result["risers"] and result["fallers"], "movers found nothing: the data is wrong"
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--printings", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=1_000)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--movers-calls", type=int, default=40)
    parser.add_argument("--server-url")
    parser.add_argument("--keep-db", action="store_true", help="keep the generated database for another run")
    parser.add_argument("--reuse-db", action="store_true", help="measure on the database a --keep-db run left")
    parser.add_argument("--smoke", action="store_true", help="a tiny table and a few calls (no timing meaning)")
    args = parser.parse_args()
    if args.smoke:
        args.printings, args.days, args.calls, args.movers_calls = 50, 40, 10, 3
    server = server_url(args.server_url)
    name = f"{BENCH_DB}_smoke_{os.getpid()}" if args.smoke else BENCH_DB

    def say(message: str) -> None:
        print(message, flush=True)

    if args.reuse_db:
        url = with_database(server, name)
        rows = count_rows(url)
    else:
        url = create_database(server, name)
        migrate_database(url)
        started = time.monotonic()
        rows = build(url, args.printings, args.days, say)
        say(f"table built in {time.monotonic() - started:.1f} s")
    try:
        say(f"price_observations: {rows:,} rows ({args.printings:,} printings x {args.days:,} days x "
            f"{len(SERIES)} series)")
        samples = asyncio.run(measure(url, args.printings, args.calls, args.movers_calls))
        say(f"history 1y returns {samples.pop('history points')[0]:,} points per printing")
        for label, values in samples.items():
            say(f"{label}: p50 {percentile(values, 0.5):.2f} ms, p95 {percentile(values, 0.95):.2f} ms, "
                f"p99 {percentile(values, 0.99):.2f} ms ({len(values)} calls)")
        say("history plan: " + plan_summary(url, str(_card_id(1))))
    finally:
        if not (args.keep_db or args.reuse_db) or args.smoke:
            drop_database(server, name)


if __name__ == "__main__":
    main()
