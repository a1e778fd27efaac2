"""Benchmark the Scryfall loader on real and generated bulk files (no network, no download).

For each file, in a fresh database migrated by the real migrations:
  1. reference: a plain COPY of the file's cards, one JSON document per line, into a one-column
     jsonb table (the same machine, the same run);
  2. first load through the `integrations.scryfall.load_file` key in a child process built like the
     app's (`backend.runtime.Runtime(settings, service_type="bench")`): time, peak RSS;
  3. re-load of the unchanged file (time, peak RSS, and proof that no catalog row was written).

    python bench/scryfall_ingest.py                       # the shared real files
    python bench/scryfall_ingest.py --file /tmp/cards-200k.json.gz --file ... [--repeat 3]
    python bench/scryfall_ingest.py --smoke               # a few hundred generated cards, seconds
Set BENCH_DATABASE_URL (or --server-url) to a server URL (default postgresql://postgres@127.0.0.1:5432/postgres).
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

from backend.new_services.card_catalog.catalog_load.bulk_file import BulkFile  # noqa: E402
from bench.common import (SHARED_SCRYFALL, admin, bench_settings, create_database, drop_database,  # noqa: E402
                          migrate_database, server_url)

SHARED = SHARED_SCRYFALL
SMOKE_CARDS = 300
CATALOG_TABLES = ("card_catalog.sets", "card_catalog.oracle_cards", "card_catalog.card_versions",
                  "card_catalog.external_identifiers", "pricing.price_observations", "pricing.latest_prices")


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
                          text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"the loading child process failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child(path: Path) -> None:
    from backend.runtime import Runtime
    from bench.common import start_logging

    async def main() -> dict:
        settings = bench_settings(os.environ["DATABASE_URL"])
        start_logging(settings)
        async with Runtime(settings, service_type="bench") as runtime:
            started = time.perf_counter()
            result = await runtime.execute_service("integrations.scryfall.load_file", path=str(path),
                                                   triggered_by="bench")
            result["elapsed"] = time.perf_counter() - started
        return result

    result = asyncio.run(main())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    result["python_cpu_s"] = usage.ru_utime + usage.ru_stime
    print(json.dumps(result, default=str))


def bench_file(server: str, path: Path) -> dict:
    name = f"bench_scryfall_{os.getpid()}"
    url = create_database(server, name)
    try:
        migrate_database(url)
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
        drop_database(server, name)


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
    parser.add_argument("--server-url", help="Postgres server for the scratch databases (default "
                                             "BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres)")
    parser.add_argument("--smoke", action="store_true",
                        help=f"a quick run on {SMOKE_CARDS} generated cards (no --file needed, no shared data needed)")
    parser.add_argument("--synthetic", action="store_true",
                        help="with --smoke: generate from synthetic cards even when ../shared/data is present")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    server = server_url(args.server_url)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        files = args.file
        if args.smoke and not files:
            from bench.generate_cards import write_sample
            sample = Path(tmp) / f"smoke-cards-{SMOKE_CARDS}.json.gz"
            write_sample(sample, SMOKE_CARDS, synthetic=args.synthetic)
            files = [sample]
        files = files or [p for p in (SHARED / "default-cards-2019.json.gz", SHARED / "cards-2022-2026.json.gz")
                          if p.is_file()]
        if not files:
            sys.exit(f"no bulk file: pass --file, --smoke, or provide {SHARED}")
        run_files(server, files, max(1, args.repeat))


def run_files(server: str, files: list[Path], repeat: int) -> None:
    summary = []
    for path in files:
        runs = []
        for _ in range(repeat):
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
    if repeat > 1 or len(files) > 1:
        print(f"\nmedians of {repeat} run(s) per file:\n"
              f"{'file':32} {'cards':>8} {'COPY s':>7} {'load s':>7} {'cards/s':>8} {'x COPY':>7} "
              f"{'re-load':>8} {'peak RSS':>9}")
        for name, cards, copy_s, load_s, ratio, speedup, rss, clean in summary:
            print(f"{name:32} {cards:8,} {copy_s:7.2f} {load_s:7.2f} {cards / load_s:8,.0f} {ratio:6.2f}x "
                  f"{speedup:6.1f}x{'' if clean else '!'} {rss:6.0f} MB")


if __name__ == "__main__":
    main()
