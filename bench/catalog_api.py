"""Catalog API benchmark: card by id (vs a bare FastAPI + asyncpg app), autocomplete, fuzzy named, searches.

Builds a catalog of >= --printings printings in a scratch database (bench/generate_cards.py: the
real Scryfall files from ../shared/data, then varied copies of them), loads it through the
`card_catalog.catalog_load.load_cards` key on a runtime built like the app's
(`backend.runtime.Runtime(settings, service_type="bench")`), starts one uvicorn worker of the API
(`backend.main:app`, the real app and lifespan) and one of bench/bare_app.py, and drives them with
wrk on this machine (or with a small Python driver when wrk is absent, or with --driver python).
Prints requests/s, p50/p95/p99 and the search total_counts checked against plain SQL.

    PYTHONPATH=. python bench/catalog_api.py [--printings 100000] [--duration 15] [--keep-db]
    PYTHONPATH=. python bench/catalog_api.py --smoke      # a few hundred cards, short runs, seconds
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402
from bench.harness import (SOURCES, analysed_catalog, catalog_database, resolve_driver, running_server,  # noqa: E402
                           server_env)

DATA = SOURCES[0].parent
BENCH_DB = "automana_bench_catalog"
SMOKE_PRINTINGS = 300
SMOKE_DURATION = 0.5

TYPICAL_SEARCHES = {
    "t:creature c:g mv<=3": """
        SELECT count(DISTINCT v.oracle_id) FROM card_catalog.card_versions v
        JOIN card_catalog.oracle_cards o USING (oracle_id)
        WHERE v.lang = 'en' AND v.layout NOT IN ('token','double_faced_token','emblem','art_series','vanguard','planar','scheme')
          AND o.type_line ILIKE '%creature%' AND o.cmc <= 3
          AND ('G' = ANY(o.colors) OR EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(o.faces, '[]')) f
                                               WHERE f->'colors' ? 'G'))""",
    'o:"draw a card" f:modern': """
        SELECT count(DISTINCT v.oracle_id) FROM card_catalog.card_versions v
        JOIN card_catalog.oracle_cards o USING (oracle_id)
        WHERE v.lang = 'en' AND v.layout NOT IN ('token','double_faced_token','emblem','art_series','vanguard','planar','scheme')
          AND o.legalities->>'modern' IN ('legal', 'restricted')
          AND (o.oracle_text ILIKE '%draw a card%' OR EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(o.faces, '[]')) f
                                                             WHERE f->>'oracle_text' ILIKE '%draw a card%'))""",
    "lightning": """
        SELECT count(DISTINCT v.oracle_id) FROM card_catalog.card_versions v
        JOIN card_catalog.oracle_cards o USING (oracle_id)
        WHERE v.lang = 'en' AND v.layout NOT IN ('token','double_faced_token','emblem','art_series','vanguard','planar','scheme')
          AND o.name ILIKE '%lightning%'""",
    "pow>=5 r:mythic": """
        SELECT count(DISTINCT v.oracle_id) FROM card_catalog.card_versions v
        JOIN card_catalog.oracle_cards o USING (oracle_id)
        WHERE v.lang = 'en' AND v.layout NOT IN ('token','double_faced_token','emblem','art_series','vanguard','planar','scheme')
          AND v.rarity = 'mythic'
          AND (card_catalog.stat_number(o.power) >= 5 OR EXISTS (
               SELECT 1 FROM jsonb_array_elements(COALESCE(o.faces, '[]')) f
               WHERE card_catalog.stat_number(f->>'power') >= 5))""",
}

WRK_SCRIPT = r"""
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
math.randomseed(%(seed)d)
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  io.write(string.format("P50 %%d\nP95 %%d\nP99 %%d\nERRORS %%d\nNON2XX %%d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
"""


def python_load(base: str, paths: list[str], *, duration: float, connections: int, seed: int = 42) -> dict:
    """A small closed-loop load generator (wrk's figures, in the same units: latencies in µs):
    `connections` keep-alive clients each sending the next random path as soon as the last answered."""

    async def run() -> dict:
        rng = random.Random(seed)
        latencies: list[float] = []
        failures = {"errors": 0, "non2xx": 0}
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
            deadline = time.perf_counter() + duration

            async def client() -> None:
                while time.perf_counter() < deadline:
                    sent = time.perf_counter()
                    try:
                        response = await http.get(paths[rng.randrange(len(paths))])
                    except httpx.HTTPError:
                        failures["errors"] += 1
                        continue
                    latencies.append(time.perf_counter() - sent)
                    if response.status_code >= 400:   # what wrk counts as a status error
                        failures["non2xx"] += 1

            started = time.perf_counter()
            await asyncio.gather(*(client() for _ in range(connections)))
            wall = time.perf_counter() - started
        micros = [s * 1e6 for s in latencies] or [0.0]
        return {"rps": len(latencies) / wall, "p50": int(percentile(micros, 0.50)),
                "p95": int(percentile(micros, 0.95)), "p99": int(percentile(micros, 0.99)), **failures}

    return asyncio.run(run())


def wrk(base: str, paths: list[str], *, duration: float, connections: int, threads: int, workdir: Path,
        driver: str = "wrk") -> dict:
    if driver == "python":
        return python_load(base, paths, duration=duration, connections=connections)
    paths_file = workdir / f"paths-{random.random()}.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    script = workdir / "script.lua"
    script.write_text(WRK_SCRIPT % {"paths": paths_file, "seed": 42})
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", "-s", str(script), base],
                         capture_output=True, text=True, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for key in ("P50", "P95", "P99", "ERRORS", "NON2XX"):
        result[key.lower()] = int(re.search(rf"^{key} (\d+)$", out, re.M).group(1))
    return result


def fmt(name: str, r: dict, settings: str) -> str:
    return (f"{name:<34} {r['rps']:>8.0f} req/s  p50 {r['p50'] / 1000:6.2f} ms  p95 {r['p95'] / 1000:6.2f} ms  "
            f"p99 {r['p99'] / 1000:6.2f} ms  errors {r['errors']} non-2xx {r['non2xx']}  [{settings}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--printings", type=int, default=101_000, help="cards fed to the loader (a few are rejected)")
    parser.add_argument("--duration", type=float, default=15, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=20, help="wrk connections for card-by-id")
    parser.add_argument("--search-connections", type=int, default=4, help="wrk connections for the other runs")
    parser.add_argument("--keep-db", action="store_true", help="reuse the bench database if it is already loaded")
    parser.add_argument("--skip-by-id", action="store_true", help="only the autocomplete, named and search runs")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved card-by-id rounds")
    parser.add_argument("--driver", choices=("auto", "wrk", "python"), default="auto",
                        help="load generator: wrk, or the built-in Python one (auto: wrk when installed)")
    parser.add_argument("--server-url", help="Postgres server for the scratch database (default "
                                             "BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres)")
    parser.add_argument("--smoke", action="store_true",
                        help=f"a quick run: {SMOKE_PRINTINGS} printings, {SMOKE_DURATION}s runs, one round, no "
                             "warm-up, the Python driver, a database of its own (no shared data needed)")
    parser.add_argument("--synthetic", action="store_true",
                        help="generate the catalog from synthetic cards (the default with --smoke when "
                             "../shared/data is absent)")
    args = parser.parse_args()
    sources = [] if args.synthetic else [p for p in SOURCES if p.is_file()]
    if args.smoke:
        args.printings = min(args.printings, SMOKE_PRINTINGS)
        args.duration = min(args.duration, SMOKE_DURATION)
        args.rounds = 1
        args.connections = min(args.connections, 4)
        args.search_connections = min(args.search_connections, 2)
        args.driver = "python" if args.driver == "auto" else args.driver
    elif not args.synthetic and len(sources) != len(SOURCES):
        sys.exit(f"needs the Scryfall files in {DATA} (or --synthetic, or --smoke)")
    with catalog_database(args, sources, BENCH_DB) as url:
        measure(args, url, resolve_driver(args.driver))


def measure(args, url: str, driver: str) -> None:
    with analysed_catalog(url) as catalog:
        cur, printings, oracles, ids = catalog.cursor, catalog.printings, catalog.oracles, catalog.ids
        cur.execute("SELECT name FROM card_catalog.oracle_cards WHERE NOT is_extra ORDER BY random() LIMIT 2000")
        names = [r[0] for r in cur.fetchall()]
        expected_totals = {}
        for q, sql in TYPICAL_SEARCHES.items():
            cur.execute(sql)
            expected_totals[q] = cur.fetchone()[0]
    print(f"catalog: {printings} printings, {oracles} oracle cards")

    env = server_env(url, BENCH_DATABASE_URL=url)   # the bare app reads BENCH_DATABASE_URL
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        with running_server(env, workdir) as api_base, \
                running_server(env, workdir, module="bench.bare_app:app", ready_path="/docs") as bare_base:
            card_paths = [f"/api/catalog/mtg/card-reference/{i}" for i in ids]
            bare_paths = [f"/cards/{i}" for i in ids]
            same_sql_paths = [f"/cards-same-sql/{i}" for i in ids]
            by_id = {"duration": args.duration, "connections": args.connections, "threads": 2,
                     "workdir": workdir, "driver": driver}
            others = {"duration": args.duration, "connections": args.search_connections,
                      "threads": min(2, args.search_connections), "workdir": workdir, "driver": driver}
            tool = "wrk" if driver == "wrk" else "python driver"
            duration = f"{max(1, round(args.duration))}s" if driver == "wrk" else f"{args.duration:g}s"
            threads = (lambda n: f" -t{n}") if driver == "wrk" else (lambda n: "")
            id_settings = f"{tool}{threads(2)} -c{args.connections} -d{duration}"
            other_settings = f"{tool}{threads(min(2, args.search_connections))} -c{args.search_connections} -d{duration}"

            if not args.smoke:
                # Warm both servers and Postgres' cache before measuring.
                wrk(bare_base, bare_paths, **{**by_id, "duration": 3})
                wrk(api_base, card_paths, **{**by_id, "duration": 3})
            # Interleaved rounds, so a change in the machine's load hits every contender alike.
            totals = {"bare": [], "same": [], "api": []}
            for round_number in (() if args.skip_by_id else range(1, max(1, args.rounds) + 1)):
                for key, base, paths, label in (("bare", bare_base, bare_paths, "bare: SELECT * by id"),
                                                ("same", bare_base, same_sql_paths, "bare: the API's SQL"),
                                                ("api", api_base, card_paths, "API card by id")):
                    result = wrk(base, paths, **by_id)
                    totals[key].append(result["rps"])
                    print(fmt(f"{label} (round {round_number})", result, id_settings))
            if not args.skip_by_id:
                bare_rps, same_rps, api_rps = (sum(totals[k]) for k in ("bare", "same", "api"))
                print(f"card-by-id ratio API / bare SELECT *: {api_rps / bare_rps:.2f};  "
                      f"API / bare running the same SQL: {api_rps / same_rps:.2f}")
            print(f"load average before the search runs: {os.getloadavg()[0]:.2f}")

            def prefix(name: str) -> str:
                norm = re.sub(r"[^a-z ]", "", name.lower())
                cut = norm[:rng.randint(3, 8)]
                if len(cut) > 4 and rng.random() < 0.3:  # a typo
                    i = rng.randrange(1, len(cut) - 1)
                    cut = cut[:i] + cut[i + 1:]
                return urllib.parse.quote(cut)

            auto_paths = [f"/api/catalog/mtg/card-reference/autocomplete?q={prefix(n)}" for n in names]
            print(fmt("autocomplete", wrk(api_base, auto_paths, **others), other_settings))

            def fuzzy(name: str) -> str:
                words = re.sub(r"[^a-z ]", "", name.lower()).split()
                words = [w[:max(3, len(w) - rng.randint(0, 2))] for w in words]
                return urllib.parse.quote(" ".join(words))

            fuzzy_paths = [f"/api/catalog/mtg/card-reference/named?fuzzy={fuzzy(n)}" for n in names]
            fuzzy_result = wrk(api_base, fuzzy_paths, **others)
            print(fmt("fuzzy named (200 or 404 ambiguous)", fuzzy_result, other_settings).replace(
                f"non-2xx {fuzzy_result['non2xx']}", f"non-2xx(ambiguous) {fuzzy_result['non2xx']}"))

            for q, expected in expected_totals.items():
                path = "/api/catalog/mtg/card-reference/?q=" + urllib.parse.quote(q)
                body = json.loads(urllib.request.urlopen(api_base + path).read())
                total = body["pagination"]["total_count"]
                result = wrk(api_base, [path], **others)
                check = "OK" if total == expected else f"MISMATCH (SQL says {expected})"
                print(fmt(f"search {q}", result, other_settings) + f"  total_count {total} {check}")


if __name__ == "__main__":
    main()
