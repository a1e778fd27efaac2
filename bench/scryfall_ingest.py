"""Benchmark the Scryfall loader on real and generated bulk files (no network, no download).

For each file, in a fresh database migrated by the real migrations:
  1. reference: a plain COPY of the file's cards, one JSON document per line, into a one-column
     jsonb table (the same machine, the same run);
  2. first load through `card_catalog.scryfall.load_file` in a child process (time, peak RSS);
  3. re-load of the unchanged file (time, peak RSS, and proof that no catalog row was written).

    python bench/scryfall_ingest.py                       # the shared real files
    python bench/scryfall_ingest.py --file /tmp/cards-200k.json.gz --file ...
Set BENCH_DATABASE_URL to a server URL (default postgresql://postgres@127.0.0.1:5432/postgres).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2
import psycopg2.errors

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.core.database import normalise_dsn  # noqa: E402
from backend.database.migrate import migrate  # noqa: E402
from backend.new_services.card_catalog.scryfall_loader import BulkFile  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "scryfall"
CATALOG_TABLES = ("card_catalog.sets", "card_catalog.oracle_cards", "card_catalog.card_versions",
                  "card_catalog.external_identifiers", "pricing.price_observations", "pricing.latest_prices")


def with_database(url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit
    parts = urlsplit(normalise_dsn(url))
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def admin(server: str, sql: str) -> None:
    conn = psycopg2.connect(server)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def write_jsonl(path: Path, out: Path) -> int:
    """The file's cards, one compact JSON document per line (the reference COPY's input)."""
    import orjson
    count = 0
    with open(out, "wb") as f:
        for card in BulkFile(path):
            f.write(orjson.dumps(card) + b"\n")
            count += 1
    return count


def checkpoint(url: str) -> None:
    """Start each measured step with no dirty buffers or WAL left by the one before, so no step pays
    for another's writes (a checkpoint forced mid-load by the reference COPY's WAL cost ~20%)."""
    try:
        admin(url, "CHECKPOINT")
    except psycopg2.errors.InsufficientPrivilege:
        print("note: not allowed to CHECKPOINT; steps may pay for each other's writes", file=sys.stderr)


def reference_copy(url: str, jsonl: Path) -> float:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_plain_copy; CREATE TABLE bench_plain_copy (doc jsonb)")
        started = time.perf_counter()
        with open(jsonl, "rb") as f:
            # CSV with control characters as quote/delimiter: every line is taken verbatim.
            cur.copy_expert("COPY bench_plain_copy (doc) FROM STDIN WITH (FORMAT csv, QUOTE e'\\x01', "
                            "DELIMITER e'\\x02')", f, size=1 << 20)
        elapsed = time.perf_counter() - started
        cur.execute("DROP TABLE bench_plain_copy")
    conn.close()
    return elapsed


def catalog_fingerprint(url: str) -> dict:
    conn = psycopg2.connect(url)
    out = {}
    with conn.cursor() as cur:
        for table in CATALOG_TABLES:
            cur.execute(f"SELECT count(*), coalesce(sum(xmin::text::bigint), 0) FROM {table}")
            out[table] = cur.fetchone()
    conn.close()
    return out


def run_child(url: str, path: Path) -> dict:
    """Load in a child process so its peak RSS is the loader's alone."""
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, __file__, "--child", str(path)], env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def child(path: Path) -> None:
    from backend.core.database import _init_connection
    from backend.core.settings import Settings
    from backend.new_services.service_manager import ServiceManager
    from backend.request_handling.QueryExecutor import QueryExecutor
    import asyncpg

    async def main() -> dict:
        url = os.environ["DATABASE_URL"]
        pool = await asyncpg.create_pool(url, min_size=1, max_size=4, init=_init_connection)
        manager = ServiceManager.initialize(QueryExecutor(pool), {"settings": Settings(database_url=url)})
        started = time.perf_counter()
        result = await manager.execute_service("integrations.scryfall.load_file", path=str(path))
        result["elapsed"] = time.perf_counter() - started
        await pool.close()
        return result

    result = asyncio.run(main())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    result["python_cpu_s"] = usage.ru_utime + usage.ru_stime
    print(json.dumps(result, default=str))


def bench_file(server: str, path: Path) -> dict:
    name = f"bench_scryfall_{os.getpid()}"
    admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(server, f'CREATE DATABASE "{name}"')
    url = with_database(server, name)
    try:
        migrate(url)
        with tempfile.TemporaryDirectory() as tmp:
            jsonl = Path(tmp) / "cards.jsonl"
            cards = write_jsonl(path, jsonl)
            checkpoint(url)
            copy_seconds = reference_copy(url, jsonl)
        checkpoint(url)
        first = run_child(url, path)
        before = catalog_fingerprint(url)
        checkpoint(url)
        second = run_child(url, path)
        unchanged = catalog_fingerprint(url) == before
        return {"file": path.name, "cards": cards, "copy_s": copy_seconds, "first": first, "second": second,
                "reload_wrote_nothing": unchanged}
    finally:
        admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _report(r: dict) -> None:
    first, second = r["first"], r["second"]
    print(f"{r['file']}: {r['cards']:,} cards\n"
          f"  plain COPY jsonb     {r['copy_s']:6.2f} s  ({r['cards'] / r['copy_s']:,.0f} cards/s)\n"
          f"  first load           {first['elapsed']:6.2f} s  ({r['cards'] / first['elapsed']:,.0f} cards/s, "
          f"{first['elapsed'] / r['copy_s']:.2f}x plain COPY, peak RSS {first['peak_rss_mb']:.0f} MB, "
          f"loader CPU {first['python_cpu_s']:.1f} s; "
          f"inserted {first['inserted']:,}, rejected {first['rejected']})\n"
          f"  unchanged re-load    {second['elapsed']:6.2f} s  ({r['cards'] / second['elapsed']:,.0f} cards/s, "
          f"{first['elapsed'] / second['elapsed']:.1f}x faster, peak RSS {second['peak_rss_mb']:.0f} MB; "
          f"unchanged {second['unchanged']:,}; catalog rows written: "
          f"{'0' if r['reload_wrote_nothing'] else 'SOME'})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, action="append")
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure each file N times (fresh database each time) and print the medians")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    files = args.file or [p for p in (SHARED / "default-cards-2019.json.gz", SHARED / "cards-2022-2026.json.gz")
                          if p.is_file()]
    server = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    summary = []
    for path in files:
        runs = []
        for _ in range(max(1, args.repeat)):
            runs.append(bench_file(server, path))
            _report(runs[-1])
        median = statistics.median
        cards = runs[0]["cards"]
        summary.append((path.name, cards, median(r["copy_s"] for r in runs),
                        median(r["first"]["elapsed"] for r in runs),
                        median(r["first"]["elapsed"] / r["copy_s"] for r in runs),
                        median(r["first"]["elapsed"] / r["second"]["elapsed"] for r in runs),
                        max(r["first"]["peak_rss_mb"] for r in runs),
                        all(r["reload_wrote_nothing"] for r in runs)))
    if args.repeat > 1 or len(files) > 1:
        print(f"\nmedians of {args.repeat} run(s) per file:\n"
              f"{'file':32} {'cards':>8} {'COPY s':>7} {'load s':>7} {'cards/s':>8} {'x COPY':>7} "
              f"{'re-load':>8} {'peak RSS':>9}")
        for name, cards, copy_s, load_s, ratio, speedup, rss, clean in summary:
            print(f"{name:32} {cards:8,} {copy_s:7.2f} {load_s:7.2f} {cards / load_s:8,.0f} {ratio:6.2f}x "
                  f"{speedup:6.1f}x{'' if clean else '!'} {rss:6.0f} MB")


if __name__ == "__main__":
    main()
