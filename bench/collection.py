"""Collections benchmark: import a 20,000-row CSV of real printings (ManaBox and Moxfield layouts), then
time the value, the one-year value history and entry pages of a 20,000-entry collection with a year of
daily prices for its printings.

Builds a scratch database with the real migrations, loads the Scryfall files from ../shared/data (or
synthetic cards when they are absent) through `card_catalog.catalog_load.load_cards`, writes the CSVs
with the formats package's writer from printings picked in the catalog, and imports each through the
`user_collection.import.file` key (parse, resolve, write: the path the API and the worker take) in a
child process whose peak RSS is reported. Prices are written straight into pricing.* as a price load
would (a year of daily NM market observations per printing and finish). Latencies are of service keys
on a runtime built like the API's (`backend.runtime.Runtime`), so they include the pool and the SQL.

    PYTHONPATH=. python bench/collection.py [--rows 20000] [--days 365] [--repeat 40] [--keep-db]
    PYTHONPATH=. python bench/collection.py --smoke      # a few hundred cards and rows, seconds
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.new_services.card_catalog.catalog_load.bulk_file import BulkFile  # noqa: E402
from backend.new_services.user_collection.formats import ExportEntry, write_collection  # noqa: E402
from backend.repositories.kit import Sort  # noqa: E402
from backend.runtime import Runtime  # noqa: E402
from bench.common import (bench_settings, create_database, drop_database, migrate_database,  # noqa: E402
                          percentile, server_url, start_logging, with_database)
from bench.generate_cards import default_sources, generate  # noqa: E402

BENCH_DB = "automana_bench_collection"
CONDITIONS = ("NM", "NM", "NM", "LP", "MP", "HP", "DMG")
FORMATS = ("manabox", "moxfield")


def pick_printings(url: str, count: int) -> list[dict]:
    """`count` paper printings of the catalog (a fixed pseudo-random choice), with what a CSV row needs."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("""
                SELECT v.card_version_id, v.name, v.set_code, s.name, v.collector_number, v.lang, v.finishes,
                       v.rarity, v.tcgplayer_id
                FROM card_catalog.card_versions v JOIN card_catalog.sets s ON s.set_id = v.set_id
                WHERE cardinality(v.finishes) > 0
                ORDER BY md5(v.card_version_id::text) LIMIT %s""", (count,))
            keys = ("id", "name", "set_code", "set_name", "collector_number", "lang", "finishes", "rarity",
                    "tcgplayer_id")
            return [dict(zip(keys, row)) for row in cur.fetchall()]
    finally:
        conn.close()


def csv_entries(printings: list[dict], rows: int, seed: int) -> list[ExportEntry]:
    """`rows` rows over the printings (a printing may recur in another finish or condition)."""
    rng = random.Random(seed)
    out = []
    for n in range(rows):
        card = printings[n % len(printings)]
        out.append(ExportEntry(
            name=card["name"], quantity=rng.choice((1, 1, 1, 2, 3, 4)), set_code=card["set_code"],
            set_name=card["set_name"], collector_number=card["collector_number"], scryfall_id=card["id"],
            rarity=card["rarity"], finish=rng.choice(card["finishes"]), condition=rng.choice(CONDITIONS),
            language=card["lang"], purchase_price=Decimal(rng.randint(5, 5000)) / 100, purchase_currency="USD",
            acquired_at=dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 600))))
    return out


def write_csv(path: Path, entries: list[ExportEntry], format_name: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        for chunk in write_collection(entries, format=format_name):
            f.write(chunk)


def write_prices(url: str, entries: list[ExportEntry], days: int, end: dt.date) -> int:
    """A year of daily NM market prices (USD) per printing and finish held, and the current price of each."""
    conn = psycopg2.connect(url)
    conn.autocommit = True
    start = end - dt.timedelta(days=days - 1)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pricing.ensure_observation_partitions(%s, %s)", (start, end))
            cur.execute("CREATE TEMP TABLE bench_keys (card_version_id uuid, finish text, base int)")
            rng = random.Random(7)
            held = sorted({(str(entry.scryfall_id), entry.finish) for entry in entries})
            keys = [(card_id, finish, rng.randint(10, 20000)) for card_id, finish in held]
            from io import StringIO
            buffer = StringIO("".join(f"{k}\t{f}\t{b}\n" for k, f, b in keys))
            cur.copy_expert("COPY bench_keys FROM STDIN", buffer)
            # A smooth walk per printing: base x (1 + 0.3 sin(day/20 + phase)).
            cur.execute("""
                INSERT INTO pricing.price_observations (card_version_id, source_id, finish, condition, currency,
                                                        price_type, observed_on, price_cents)
                SELECT k.card_version_id, src.source_id, k.finish, 'NM', 'USD', 'market', d::date,
                       greatest(1, round(k.base * (1 + 0.3 * sin((d::date - %s::date) / 20.0
                                                                 + (hashtext(k.card_version_id::text) %% 7)))))
                FROM bench_keys k
                CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') d
                CROSS JOIN (SELECT source_id FROM pricing.price_sources WHERE code = 'scryfall') src
                ON CONFLICT DO NOTHING""", (start, start, end))
            written = cur.rowcount
            cur.execute("""
                INSERT INTO pricing.latest_prices (card_version_id, source_id, finish, condition, currency,
                                                   price_type, observed_on, price_cents)
                SELECT o.card_version_id, o.source_id, o.finish, o.condition, o.currency, o.price_type,
                       o.observed_on, o.price_cents
                FROM pricing.price_observations o JOIN bench_keys k USING (card_version_id, finish)
                WHERE o.observed_on = %s
                ON CONFLICT (card_version_id, source_id, finish, condition, currency, price_type)
                DO UPDATE SET price_cents = excluded.price_cents, observed_on = excluded.observed_on""", (end,))
            cur.execute("UPDATE pricing.latest_prices_version SET version = version + 1")   # as a price load does
            cur.execute("ANALYZE pricing.price_observations")
            cur.execute("ANALYZE pricing.latest_prices")
        return written
    finally:
        conn.close()


def owner_and_collection(url: str, name: str) -> tuple[str, str]:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT id FROM user_management.users WHERE username = 'bench_owner'")
            row = cur.fetchone()
            if row is None:
                cur.execute("INSERT INTO user_management.users (username, email, password_hash) "
                            "VALUES ('bench_owner', 'bench@example.com', 'x') RETURNING id")
                row = cur.fetchone()
            cur.execute("INSERT INTO user_collection.collections (owner_id, name, kind, currency) "
                        "VALUES (%s, %s, 'collection', 'USD') RETURNING collection_id", (row[0], name))
            return str(row[0]), str(cur.fetchone()[0])
    finally:
        conn.close()


# -- the import, in a child process (its peak RSS is the figure) -----------------------------------

def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM: unlike ru_maxrss, not inherited from the parent over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def child_import(url: str, owner_id: str, collection_id: str, path: str) -> dict:
    settings = bench_settings(url, log_to_database=False)
    start_logging(settings)
    async with Runtime(settings, service_type="bench") as runtime:
        rss_before = peak_rss_mb()
        started = time.perf_counter()
        copy = Path(path).with_suffix(".importing")
        copy.write_bytes(Path(path).read_bytes())   # the key removes the file it imported
        report = await runtime.execute_service("user_collection.import.file", owner_id=owner_id,
                                               collection_id=uuid.UUID(collection_id), path=str(copy))
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": report["rows"], "resolved": report["resolved"], "added": report["added"],
            "format": report["format"], "rss_before_mb": rss_before,
            "peak_rss_mb": peak_rss_mb()}


def run_import(url: str, path: Path) -> dict:
    owner_id, collection_id = owner_and_collection(url, f"import {path.name} {uuid.uuid4().hex[:6]}")
    proc = subprocess.run([sys.executable, __file__, "--child-import", url, owner_id, collection_id, str(path)],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if proc.returncode != 0:
        raise SystemExit(f"the import failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["collection_id"] = collection_id
    result["owner_id"] = owner_id
    return result


# -- latencies -------------------------------------------------------------------------------------

async def latencies(url: str, owner_id: str, collection_id: str, repeat: int) -> dict[str, list[float]]:
    settings = bench_settings(url, log_to_database=False)
    cid = uuid.UUID(collection_id)
    calls = {
        "value": ("user_collection.value.get", {}),
        "history 1y (cached)": ("user_collection.value.history", {"range": "1y"}),
        "movers 1m": ("user_collection.value.movers", {"range": "1m"}),
        "entries page by name": ("user_collection.entry.list",
                                 {"filters": {}, "sort": Sort("name"), "limit": 50, "offset": 1000}),
        "entries page by set": ("user_collection.entry.list",
                                {"filters": {}, "sort": Sort("set"), "limit": 50, "offset": 1000}),
        "entries page by value": ("user_collection.entry.list",
                                  {"filters": {}, "sort": Sort("value", True), "limit": 50, "offset": 0}),
        "entries page q=t:creature": ("user_collection.entry.list",
                                      {"filters": {}, "q": "t:creature", "sort": Sort("name"), "limit": 50,
                                       "offset": 0}),
    }
    out: dict[str, list[float]] = {}
    async with Runtime(settings, service_type="bench") as runtime:
        async def timed(key: str, **kwargs) -> float:
            started = time.perf_counter()
            await runtime.execute_service(key, owner_id=owner_id, collection_id=cid, **kwargs)
            return time.perf_counter() - started

        out["history 1y (first: builds the cache)"] = [await timed("user_collection.value.history", range="1y")]
        for name, (key, kwargs) in calls.items():
            samples = [await timed(key, **kwargs) for _ in range(repeat + 3)]
            out[name] = samples[3:]   # warm-up: pool connections and prepared statements
        # The first value read after an entry changed computes it again (each change: one entry's quantity).
        page, _ = await runtime.execute_service("user_collection.entry.list", owner_id=owner_id, collection_id=cid,
                                                filters={}, sort=Sort("name"), limit=1, offset=0)
        entry = page[0]
        samples = []
        for n in range(repeat + 3):
            await runtime.execute_service("user_collection.entry.update", owner_id=owner_id, collection_id=cid,
                                          entry_id=entry["entry_id"],
                                          changes={"quantity": entry["quantity"] + 1 + n % 2})
            samples.append(await timed("user_collection.value.get"))
        out["value, first read after an entry change"] = samples[3:]
    return out


def largest_collection(url: str) -> tuple[str, str]:
    """(owner id, collection id) of the collection with the most entries (a kept database's)."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("""SELECT c.owner_id::text, c.collection_id::text FROM user_collection.collections c
                           ORDER BY (SELECT count(*) FROM user_collection.entries e
                                     WHERE e.collection_id = c.collection_id) DESC LIMIT 1""")
            return cur.fetchone()
    finally:
        conn.close()


def print_latencies(figures: dict[str, list[float]]) -> None:
    for label, samples in figures.items():
        ms = [s * 1000 for s in samples]
        if len(ms) == 1:
            print(f"{label:<40} {ms[0]:8.1f} ms")
        else:
            print(f"{label:<40} p50 {percentile(ms, 0.5):7.1f} ms  p95 {percentile(ms, 0.95):7.1f} ms  "
                  f"n={len(ms)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-url", default=None)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--catalog", type=int, default=60_000, help="printings in the catalog")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--reuse-db", metavar="NAME",
                        help="time the reads again on a database kept by --keep-db (migrated first)")
    parser.add_argument("--smoke", action="store_true", help="a few hundred cards and rows, a month of prices")
    parser.add_argument("--synthetic", action="store_true", help="synthetic cards even when ../shared/data exists")
    parser.add_argument("--child-import", nargs=4, metavar=("URL", "OWNER", "COLLECTION", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_import:
        print(json.dumps(asyncio.run(child_import(*args.child_import))))
        return
    if args.smoke:
        args.rows, args.days, args.repeat = 300, 30, 5
    server = server_url(args.server_url)
    if args.reuse_db:
        url = with_database(server, args.reuse_db)
        migrate_database(url)
        print_latencies(asyncio.run(latencies(url, *largest_collection(url), args.repeat)))
        return
    name = f"{BENCH_DB}_{'smoke_' if args.smoke else ''}{os.getpid()}"
    url = create_database(server, name)
    try:
        migrate_database(url)
        with tempfile.TemporaryDirectory(prefix="bench-collection-") as tmp:
            workdir = Path(tmp)
            sources = default_sources(args.synthetic)
            bulk = workdir / "cards.json.gz"
            catalog_size = 400 if args.smoke else args.catalog
            written = generate(sources, catalog_size, bulk)
            settings = bench_settings(url, log_to_database=False)
            start_logging(settings)

            async def load() -> object:
                async with Runtime(settings, service_type="bench") as runtime:
                    return await runtime.execute_service("card_catalog.catalog_load.load_cards",
                                                         cards=BulkFile(bulk).records())
            counts = asyncio.run(load())
            print(f"catalog: {written:,} printings generated ({'real, varied' if sources else 'synthetic'}), "
                  f"{counts.inserted:,} loaded")
            printings = pick_printings(url, args.rows)
            entries = csv_entries(printings, args.rows, seed=1)
            for format_name in FORMATS:
                path = workdir / f"collection-{format_name}.csv"
                write_csv(path, entries, format_name)
                result = run_import(url, path)
                print(f"import {format_name:<8} {result['rows']:,} rows ({path.stat().st_size / 1024**2:.1f} MB): "
                      f"{result['seconds']:.2f} s = {result['rows'] / result['seconds']:,.0f} rows/s; "
                      f"resolved {result['resolved']:,}, entries {result['added']:,}; "
                      f"peak RSS {result['peak_rss_mb']:.0f} MB (after start-up {result['rss_before_mb']:.0f} MB)")
            started = time.perf_counter()
            observations = write_prices(url, entries, args.days, dt.date(2026, 11, 30))
            print(f"prices: {observations:,} daily observations over {args.days} days written in "
                  f"{time.perf_counter() - started:.0f} s")
            result_ids = (result["owner_id"], result["collection_id"])
            print_latencies(asyncio.run(latencies(url, *result_ids, args.repeat)))
    finally:
        if not args.keep_db:
            drop_database(server, name)


if __name__ == "__main__":
    main()
