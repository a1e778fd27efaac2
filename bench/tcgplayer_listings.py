"""TCGplayer listings load benchmark: the real 2.16M-listing dump (../shared/data/tcgplayer-listings-2020)
loaded through `pricing.listing.load_file` into a catalog of the real Scryfall files with MTGJSON's
links, against plain COPYs of the same rows.

Setup (not timed): a scratch database migrated by the real migrations, the catalog loaded with
`integrations.scryfall.load_file` (default-cards-2019 + cards-2022-2026) and the MTGJSON links with
`pricing.mtgjson.load_links`. Then, in this order:

1. the load (rows/s, peak RSS of this process so far, share of products and listings resolved,
   against the share of main_card products MTGJSON links: 47,122 of 51,026 in the README);
2. the same load again (adds nothing);
3. baseline A: the same reader streaming every parsed listing (all its fields) into a plain typed
   table with one COPY: what any loader of this file must at least do. The ratio load / A is the
   figure the issue asks for;
4. baseline B: COPY of the same rows already parsed in memory (the database's share alone).

    PYTHONPATH=. python bench/tcgplayer_listings.py [--keep-db] [--reuse-db]
    PYTHONPATH=. python bench/tcgplayer_listings.py --smoke    # the first 5,000 listings, seconds
"""
from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.integrations.tcgplayer.listings import Listing, Product, iter_listings, iter_products  # noqa: E402
from backend.runtime import Runtime  # noqa: E402
from bench.common import (bench_settings, create_database, drop_database, migrate_database, server_url,  # noqa: E402
                          start_logging, with_database)

DATA = ROOT.parent / "shared" / "data"
LISTINGS = DATA / "tcgplayer-listings-2020" / "main_listing.csv.gz"
PRODUCTS = DATA / "tcgplayer-listings-2020" / "main_card.csv.gz"
MTGJSON = DATA / "mtgjson" / "sets-2022-04"
CATALOG = (DATA / "scryfall" / "default-cards-2019.json.gz", DATA / "scryfall" / "cards-2022-2026.json.gz")
BENCH_DB = "automana_bench_listings"
SMOKE_LINES = 5_000
PLAIN_TABLE = """
CREATE TABLE IF NOT EXISTS bench_plain_listings (
    line INTEGER, listing_id BIGINT, product_id BIGINT, condition TEXT, finish TEXT, language TEXT, quantity INTEGER,
    price_cents BIGINT, seller_key BIGINT, observed_on DATE)
"""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def smoke_slice(folder: Path) -> Path:
    """The dump's header and first SMOKE_LINES listings, gzipped."""
    path = folder / "main_listing.csv.gz"
    with gzip.open(LISTINGS, "rt", encoding="utf-8", newline="") as source, gzip.open(path, "wt", newline="") as out:
        for number, line in enumerate(source):
            if number > SMOKE_LINES:
                break
            out.write(line)
    return path


def setup(url: str, say, *, smoke: bool, folder: Path) -> None:
    """Catalog and links through the CLI in child processes, so this process's peak RSS is the load's."""
    started = time.monotonic()
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT), "LOG_TO_DATABASE": "false"}
    links = MTGJSON
    if smoke:   # a few set files are enough to exercise the path
        links = folder / "mtgjson"
        links.mkdir()
        for file in sorted(MTGJSON.glob("*.json.gz"))[:20]:
            (links / file.name).symlink_to(file)
    commands = [["ingest", "scryfall", "--file", str(file)] for file in (CATALOG[1:] if smoke else CATALOG)]
    commands.append(["ingest", "mtgjson", "--dir", str(links)])
    for command in commands:
        subprocess.run([sys.executable, "-m", "backend.cli", *command], env=env, cwd=ROOT, check=True,
                       capture_output=True)
    say(f"setup: catalog and MTGJSON links in {time.monotonic() - started:.1f} s")


def mtgjson_share(url: str) -> tuple[int, int]:
    """(main_card products MTGJSON links, all main_card products)."""
    products = {p.product_id for p in iter_products(PRODUCTS) if isinstance(p, Product)}
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(DISTINCT tcgplayer_product_id) FROM pricing.mtgjson_links"
                        " WHERE tcgplayer_product_id = ANY(%s)", (list(products),))
            return cur.fetchone()[0], len(products)
    finally:
        conn.close()


def forget_tcgplayer_prices(url: str) -> None:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DELETE FROM pricing.price_observations o USING pricing.price_sources s"
                    " WHERE o.source_id = s.source_id AND s.code = 'tcgplayer'")
        cur.execute("DELETE FROM pricing.latest_prices o USING pricing.price_sources s"
                    " WHERE o.source_id = s.source_id AND s.code = 'tcgplayer'")
        cur.execute("TRUNCATE pricing.tcgplayer_listing_rejects")
        cur.execute("VACUUM pricing.price_observations, pricing.latest_prices")
    conn.close()


async def plain_copy(url: str, path: Path, *, parsed: list | None = None) -> tuple[float, int]:
    """Seconds to COPY every listing (streamed from the reader, or from `parsed`) into a plain table."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(PLAIN_TABLE)
        await conn.execute("TRUNCATE bench_plain_listings")
        started = time.monotonic()
        rows = parsed if parsed is not None else (r for r in iter_listings(path) if r.__class__ is Listing)
        await conn.copy_records_to_table("bench_plain_listings", records=rows)
        elapsed = time.monotonic() - started
        count = await conn.fetchval("SELECT count(*) FROM bench_plain_listings")
        await conn.execute("DROP TABLE bench_plain_listings")
        return elapsed, count
    finally:
        await conn.close()


async def run(url: str, path: Path, say, *, smoke: bool) -> None:
    settings = bench_settings(url, log_to_database=False)
    start_logging(settings)
    forget_tcgplayer_prices(url)
    async with Runtime(settings, service_type="bench") as runtime:
        rss_before = peak_rss_mb()
        started = time.monotonic()
        result = await runtime.execute_service("pricing.listing.load_file", path=str(path), triggered_by="bench")
        load_seconds = time.monotonic() - started
        rss_after = peak_rss_mb()
        started = time.monotonic()
        again = await runtime.execute_service("pricing.listing.load_file", path=str(path), triggered_by="bench")
        rerun_seconds = time.monotonic() - started
    rows = result["rows"]
    say(f"load: {rows:,} rows in {load_seconds:.2f} s = {rows / load_seconds:,.0f} rows/s "
        f"(read+COPY {result['read_copy_seconds']:.2f} s, resolve+aggregate+merge "
        f"{load_seconds - result['read_copy_seconds']:.2f} s); peak RSS {rss_after:.0f} MB "
        f"(before the load {rss_before:.0f} MB)")
    say(f"  rejected {result['rejected']:,} {result['rejects']}; other languages {result['listings_other_language']:,}")
    say(f"  observations written {result['observations_written']:,}, latest prices {result['latest_changed']:,}")
    share = result["products_resolved"] / max(1, result["products"])
    say(f"  resolved {result['products_resolved']:,} of {result['products']:,} products ({share:.1%}); "
        f"{result['listings_resolved']:,} listings; ambiguous {result['products_ambiguous']:,}")
    if not smoke:
        linked, products = mtgjson_share(url)
        say(f"  MTGJSON links {linked:,} of {products:,} main_card products ({linked / products:.1%})")
    say(f"re-run: {rerun_seconds:.2f} s, observations written {again['observations_written']}, "
        f"latest changed {again['latest_changed']}")
    streamed, count = await plain_copy(url, path)
    say(f"baseline A (reader + plain COPY of {count:,} listings): {streamed:.2f} s; "
        f"load / A = {load_seconds / streamed:.2f}x")
    parsed = [r for r in iter_listings(path) if r.__class__ is Listing]
    copied, _ = await plain_copy(url, path, parsed=parsed)
    say(f"baseline B (plain COPY of the rows already parsed): {copied:.2f} s; load / B = {load_seconds / copied:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server-url")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--reuse-db", action="store_true", help="the catalog and links a --keep-db run left")
    parser.add_argument("--smoke", action="store_true", help="first 5,000 listings, small catalog (no timing meaning)")
    args = parser.parse_args()
    if not LISTINGS.is_file():
        print(f"{LISTINGS} is not present; nothing to measure")
        return
    server = server_url(args.server_url)
    name = f"{BENCH_DB}_smoke_{os.getpid()}" if args.smoke else BENCH_DB

    def say(message: str) -> None:
        print(message, flush=True)

    if args.reuse_db and not args.smoke:
        url = with_database(server, name)
    else:
        url = create_database(server, name)
        migrate_database(url)
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = smoke_slice(Path(folder)) if args.smoke else LISTINGS
            if args.smoke or not args.reuse_db:
                setup(url, say, smoke=args.smoke, folder=Path(folder))
            asyncio.run(run(url, path, say, smoke=args.smoke))
    finally:
        if args.smoke or not (args.keep_db or args.reuse_db):
            drop_database(server, name)


if __name__ == "__main__":
    main()
