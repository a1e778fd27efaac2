"""Search-language benchmark: latency of representative queries through the service keys.

Builds (or reuses with --keep-db) a catalog of ~--printings printings in a scratch database the way
bench/catalog_api.py does (real Scryfall cards from ../shared/data, varied; synthetic ones with
--synthetic), then runs each query --iterations times, one at a time, through
`card_catalog.card.search` / `.random` / `.named` / `.autocomplete` on a runtime built like the
app's, and prints p50/p95 per query. `random` is also timed the way it ran before (every matching
printing deduplicated and sorted by random()), on the same catalog in the same run, for the ratio.

    PYTHONPATH=. python bench/search_language.py [--printings 100000] [--iterations 60] [--keep-db]
    PYTHONPATH=. python bench/search_language.py --smoke     # a few hundred cards, a few rounds
"""
from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import time
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.request_handling.errors import DomainError  # noqa: E402
from backend.runtime import Runtime  # noqa: E402
from bench.common import bench_settings, percentile, start_logging  # noqa: E402
from bench.harness import SOURCES, catalog_database  # noqa: E402

BENCH_DB = "automana_bench_search_language"
SMOKE_PRINTINGS = 300
SMOKE_ITERATIONS = 3

SEARCHES = [
    "t:creature c:g",
    'o:"draw a card" f:modern',
    "pow>=5 r:mythic",
    'fo:"draw a card"',
    "m:{G}{G} t:creature",
    "is:fetchland or is:shockland",
    "prints>=5 t:instant",
    "in:rare -r:rare",
    "new:art is:reprint",
    "t:creature order:edhrec",
    "t:instant prefer:oldest",
]
REGEX_SEARCHES = [
    "o:/^{T}:/",
    "name:/\\bdragon\\b/",
    "o:/~ deals \\d damage/",
    "t:/^legendary creature — (elf|goblin)/",
    "o:/\\spp until end of turn/",
    "fo:/\\(.*\\)$/",
]
# The statement `random` ran before it drew an oracle card by offset (kept for the ratio).
OLD_RANDOM = """
WITH matched AS MATERIALIZED (
    SELECT DISTINCT ON (v.oracle_id) v.card_version_id
    FROM card_catalog.card_versions v JOIN card_catalog.oracle_cards o ON o.oracle_id = v.oracle_id
    WHERE NOT o.is_extra AND v.lang = 'en'
    ORDER BY v.oracle_id, v.is_paper DESC, v.released_at DESC NULLS LAST, (v.lang = 'en') DESC, v.card_version_id
)
SELECT card_version_id FROM matched ORDER BY random() LIMIT 1
"""


def typo(name: str, rng: random.Random) -> str:
    """The name with two neighbouring letters swapped (or a letter dropped): what people type."""
    letters = re.sub(r"[^A-Za-z ]", "", name)
    if len(letters) < 5:
        return letters
    i = rng.randrange(1, len(letters) - 2)
    if rng.random() < 0.6 and letters[i] != " " and letters[i + 1] != " ":
        return letters[:i] + letters[i + 1] + letters[i] + letters[i + 2:]
    return letters[:i] + letters[i + 1:]


def fmt(name: str, samples: list[float], note: str = "") -> str:
    ms = sorted(s * 1000 for s in samples)
    return (f"{name:<44} p50 {percentile(ms, 0.50):8.1f} ms  p95 {percentile(ms, 0.95):8.1f} ms  "
            f"n {len(ms)}{'  ' + note if note else ''}")


async def timed(samples: list[float], call) -> object:
    started = time.perf_counter()
    try:
        return await call()
    except DomainError:
        return None   # 404 ambiguous / no match is an answer too
    finally:
        samples.append(time.perf_counter() - started)


async def measure(url: str, iterations: int) -> None:
    rng = random.Random(11)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM ANALYZE")
        printings, oracles = await conn.fetchrow(
            "SELECT count(*), count(DISTINCT oracle_id) FROM card_catalog.card_versions")
        names = [r["name"] for r in await conn.fetch(
            "SELECT name FROM card_catalog.oracle_cards WHERE NOT is_extra ORDER BY random() LIMIT 500")]
        print(f"catalog: {printings} printings, {oracles} oracle cards")
        old_random: list[float] = []
        for _ in range(iterations):
            await timed(old_random, lambda: conn.fetchval(OLD_RANDOM))
    finally:
        await conn.close()

    settings = bench_settings(url)
    start_logging(settings)
    async with Runtime(settings, service_type="bench") as runtime:
        run = runtime.execute_service

        async def series(name: str, make_call, note: str = "") -> None:
            await make_call()()   # warm
            samples: list[float] = []
            for _ in range(iterations):
                await timed(samples, make_call())
            print(fmt(name, samples, note))

        print(fmt("random (before: sort every match)", old_random))
        await series("random", lambda: (lambda: run("card_catalog.card.random")))
        await series("random t:creature c:g", lambda: (lambda: run("card_catalog.card.random", q="t:creature c:g")))
        await series("fuzzy named (typos)", lambda: (
            lambda name=typo(rng.choice(names), rng): run("card_catalog.card.named", fuzzy=name)))
        await series("autocomplete (2-8 letters)", lambda: (
            lambda text=re.sub(r"[^a-z]", "", rng.choice(names).lower())[:rng.randint(2, 8)]:
            run("card_catalog.card.autocomplete", q=text)))
        for q in SEARCHES:
            await series(f"search {q}", lambda q=q: (lambda: run("card_catalog.card.search", q=q, limit=50)))
        for q in REGEX_SEARCHES:
            await series(f"regex {q}", lambda q=q: (lambda: run("card_catalog.card.search", q=q, limit=50)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--printings", type=int, default=101_000)
    parser.add_argument("--iterations", type=int, default=60, help="calls per query")
    parser.add_argument("--keep-db", action="store_true", help="reuse the bench database if it is already loaded")
    parser.add_argument("--server-url", help="Postgres server for the scratch database")
    parser.add_argument("--smoke", action="store_true", help="a few hundred cards, a few calls per query")
    parser.add_argument("--synthetic", action="store_true", help="synthetic cards instead of ../shared/data")
    args = parser.parse_args()
    sources = [] if args.synthetic else [p for p in SOURCES if p.is_file()]
    if args.smoke:
        args.printings, args.iterations = min(args.printings, SMOKE_PRINTINGS), SMOKE_ITERATIONS
    with catalog_database(args, sources, BENCH_DB, reuse_fraction=0.95) as url:
        asyncio.run(measure(url, args.iterations))


if __name__ == "__main__":
    main()
