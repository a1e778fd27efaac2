"""Scryfall-compatible API benchmark: /scryfall/cards/{id} and /scryfall/cards/search against the
catalog's own routes for the same cards and queries, and bulk-data generation time.

Builds a catalog of >= --printings printings in a scratch database the way bench/catalog_api.py
does (real Scryfall files from ../shared/data, varied; synthetic cards when absent), starts one
uvicorn worker of the real app (`backend.main:app`) and drives it with wrk (or the Python driver).
Card by id and each search run interleaved, native then /scryfall, so the machine's load hits both
alike; ratios compare figures of the same round. Then generates every bulk file through the
`scryfall_compat.bulk_data.generate` key and prints each file's time and size.

    PYTHONPATH=. python bench/scryfall_api.py [--printings 100000] [--duration 10] [--keep-db]
    PYTHONPATH=. python bench/scryfall_api.py --smoke      # a few hundred cards, short runs, seconds
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.runtime import Runtime  # noqa: E402
from bench.catalog_api import TYPICAL_SEARCHES, fmt, wrk  # noqa: E402
from bench.common import bench_settings, start_logging  # noqa: E402
from bench.harness import (SOURCES, analysed_catalog, catalog_database, resolve_driver, running_server,  # noqa: E402
                           server_env)

BENCH_DB = "automana_bench_scryfall"
SMOKE_PRINTINGS = 300
SMOKE_DURATION = 0.5
PAGE = 175   # Scryfall's page; the native search is asked for the same number of cards


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--printings", type=int, default=101_000, help="cards fed to the loader")
    parser.add_argument("--duration", type=float, default=10, help="seconds per run")
    parser.add_argument("--connections", type=int, default=20, help="connections for card by id")
    parser.add_argument("--search-connections", type=int, default=4, help="connections for searches")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved card-by-id rounds")
    parser.add_argument("--keep-db", action="store_true", help="reuse the bench database if already loaded")
    parser.add_argument("--driver", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--server-url", help="Postgres server for the scratch database")
    parser.add_argument("--smoke", action="store_true", help=f"{SMOKE_PRINTINGS} printings, short runs, one round")
    parser.add_argument("--synthetic", action="store_true", help="synthetic cards instead of ../shared/data")
    args = parser.parse_args()
    sources = [] if args.synthetic else [p for p in SOURCES if p.is_file()]
    if args.smoke:
        args.printings = min(args.printings, SMOKE_PRINTINGS)
        args.duration = min(args.duration, SMOKE_DURATION)
        args.rounds = 1
        args.connections = min(args.connections, 4)
        args.search_connections = min(args.search_connections, 2)
        args.driver = "python" if args.driver == "auto" else args.driver
    with catalog_database(args, sources, BENCH_DB) as url:
        measure(args, url, resolve_driver(args.driver))
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(bulk_generation(url, Path(tmp)))


def measure(args, url: str, driver: str) -> None:
    with analysed_catalog(url) as catalog:
        printings, oracles, ids = catalog.printings, catalog.oracles, catalog.ids
        catalog.cursor.execute("SELECT count(*) FROM card_catalog.card_documents")
        documents = catalog.cursor.fetchone()[0]
    print(f"catalog: {printings} printings ({documents} with their card object), {oracles} oracle cards")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        with running_server(server_env(url), workdir) as base:
            tool = "wrk" if driver == "wrk" else "python driver"
            by_id = {"duration": args.duration, "connections": args.connections, "threads": 2, "workdir": workdir,
                     "driver": driver}
            search = {"duration": args.duration, "connections": args.search_connections,
                      "threads": min(2, args.search_connections), "workdir": workdir, "driver": driver}
            id_settings = f"{tool} -c{args.connections} -d{args.duration:g}s"
            search_settings = f"{tool} -c{args.search_connections} -d{args.duration:g}s"
            native_paths = [f"/api/catalog/mtg/card-reference/{i}" for i in ids]
            scryfall_paths = [f"/scryfall/cards/{i}" for i in ids]
            if not args.smoke:
                wrk(base, native_paths, **{**by_id, "duration": 3})
                wrk(base, scryfall_paths, **{**by_id, "duration": 3})
            totals = {"native": 0.0, "scryfall": 0.0}
            for round_number in range(1, max(1, args.rounds) + 1):
                for key, paths, label in (("native", native_paths, "native card by id"),
                                          ("scryfall", scryfall_paths, "/scryfall card by id")):
                    result = wrk(base, paths, **by_id)
                    totals[key] += result["rps"]
                    print(fmt(f"{label} (round {round_number})", result, id_settings))
            print(f"card-by-id req/s ratio /scryfall / native: {totals['scryfall'] / totals['native']:.2f}")
            for q in TYPICAL_SEARCHES:
                quoted = urllib.parse.quote(q)
                native_path = f"/api/catalog/mtg/card-reference/?q={quoted}&limit={PAGE}"
                scryfall_path = f"/scryfall/cards/search?q={quoted}"
                native_total = json.loads(urllib.request.urlopen(base + native_path).read())["pagination"]["total_count"]
                try:
                    ours = json.loads(urllib.request.urlopen(base + scryfall_path).read())["total_cards"]
                except urllib.error.HTTPError as exc:   # 404: no card matches (a small smoke catalog)
                    ours = 0 if exc.code == 404 else -1
                native = wrk(base, [native_path], **search)
                scryfall = wrk(base, [scryfall_path], **search)
                print(fmt(f"native search {q}", native, search_settings) + f"  total {native_total}")
                print(fmt(f"/scryfall search {q}", scryfall, search_settings)
                      + f"  total {ours} {'OK' if ours == native_total else 'MISMATCH'}")
                print(f"search p95 ratio /scryfall / native for {q}: {scryfall['p95'] / max(native['p95'], 1):.2f}")


async def bulk_generation(url: str, folder: Path) -> None:
    settings = bench_settings(url, scryfall_bulk_dir=folder, log_to_database=False)
    start_logging(settings)
    async with Runtime(settings, service_type="bench") as runtime:
        started = time.monotonic()
        results = await runtime.execute_service("scryfall_compat.bulk_data.generate")
        total = time.monotonic() - started
    for bulk_type, r in results.items():
        print(f"bulk {bulk_type:<15} {r['objects']:>8} objects  {r['seconds']:7.2f} s  "
              f"{r['size'] / 1e6:8.1f} MB JSON  {r['compressed_size'] / 1e6:7.1f} MB gzip")
    print(f"bulk data generation: {total:.1f} s for all five files")


if __name__ == "__main__":
    random.seed(7)
    main()
