"""Catalog API benchmark: card by id (vs a bare FastAPI + asyncpg app), autocomplete, fuzzy named, searches.

Builds a catalog of >= --printings printings in a scratch database (bench/generate_cards.py: the
real Scryfall files from ../shared/data, then varied copies of them), loads it with the Scryfall
loader, starts
one uvicorn worker of the API and one of bench/bare_app.py, and drives them with wrk on this
machine. Prints requests/s, p50/p95/p99 and the search total_counts checked against plain SQL.

    PYTHONPATH=. python bench/catalog_api.py [--printings 100000] [--duration 15] [--keep-db]
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

import asyncpg
import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.database.migrate import migrate  # noqa: E402
from backend.new_services.card_catalog.scryfall_loader import BulkFile, load_cards  # noqa: E402
from bench.generate_cards import generate  # noqa: E402
from backend.request_handling.QueryExecutor import QueryExecutor  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "scryfall"
SOURCES = [DATA / "default-cards-2019.json.gz", DATA / "cards-2022-2026.json.gz"]
SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "automana_bench_catalog"
API_PORT, BARE_PORT = 8711, 8712

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


def db_url(name: str) -> str:
    return SERVER.rsplit("/", 1)[0] + "/" + name


def admin(sql: str) -> None:
    conn = psycopg2.connect(SERVER)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


async def build_catalog(url: str, target: int, workdir: Path) -> None:
    """Write a bulk file with the ingest helper's generator (real cards, varied), load it with the loader."""
    bulk = workdir / "bench-cards.json.gz"
    written = generate(SOURCES, target, bulk)
    pool = await asyncpg.create_pool(url, min_size=1, max_size=4)
    started = time.monotonic()
    counts = await load_cards(executor=QueryExecutor(pool), cards=BulkFile(bulk))
    await pool.close()
    print(f"generated {written} printings; loaded {counts.seen} ({counts.inserted} inserted, "
          f"{counts.rejected} rejected) in {time.monotonic() - started:.0f}s")


def start_server(module: str, port: int, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", module, "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--no-access-log", "--log-level", "warning", "--loop", "uvloop", "--http", "httptools"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/docs", timeout=1)
            return proc
        except Exception:
            if proc.poll() is not None:
                raise RuntimeError(f"{module} exited: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.3)
    raise RuntimeError(f"{module} did not start")


def wrk(base: str, paths: list[str], *, duration: int, connections: int, threads: int, workdir: Path) -> dict:
    paths_file = workdir / f"paths-{random.random()}.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    script = workdir / "script.lua"
    script.write_text(WRK_SCRIPT % {"paths": paths_file, "seed": 42})
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "-s", str(script), base],
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
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=20, help="wrk connections for card-by-id")
    parser.add_argument("--search-connections", type=int, default=4, help="wrk connections for the other runs")
    parser.add_argument("--keep-db", action="store_true", help="reuse the bench database if it is already loaded")
    parser.add_argument("--skip-by-id", action="store_true", help="only the autocomplete, named and search runs")
    args = parser.parse_args()
    if not all(p.is_file() for p in SOURCES):
        sys.exit(f"needs the Scryfall files in {DATA}")
    url = db_url(BENCH_DB)

    reuse = False
    if args.keep_db:
        try:
            conn = psycopg2.connect(url)
            with conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM card_catalog.card_versions")
                reuse = cur.fetchone()[0] >= 100_000
            conn.close()
        except psycopg2.Error:
            reuse = False
    if not reuse:
        admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        admin(f'CREATE DATABASE "{BENCH_DB}"')
        migrate(url)
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(build_catalog(url, args.printings, Path(tmp)))
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        cur.execute("SELECT count(*), count(DISTINCT oracle_id) FROM card_catalog.card_versions")
        printings, oracles = cur.fetchone()
        cur.execute("SELECT card_version_id FROM card_catalog.card_versions ORDER BY random() LIMIT 5000")
        ids = [str(r[0]) for r in cur.fetchall()]
        cur.execute("SELECT name FROM card_catalog.oracle_cards WHERE NOT is_extra ORDER BY random() LIMIT 2000")
        names = [r[0] for r in cur.fetchall()]
        expected_totals = {}
        for q, sql in TYPICAL_SEARCHES.items():
            cur.execute(sql)
            expected_totals[q] = cur.fetchone()[0]
    conn.close()
    print(f"catalog: {printings} printings, {oracles} oracle cards")

    env = {**os.environ, "ENV": "dev", "DATABASE_URL": url, "BENCH_DATABASE_URL": url, "LOG_LEVEL": "WARNING",
           "LOG_TO_DATABASE": "false", "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        api = start_server("backend.main:app", API_PORT, env)
        bare = start_server("bench.bare_app:app", BARE_PORT, env)
        try:
            api_base, bare_base = f"http://127.0.0.1:{API_PORT}", f"http://127.0.0.1:{BARE_PORT}"
            card_paths = [f"/api/catalog/mtg/card-reference/{i}" for i in ids]
            bare_paths = [f"/cards/{i}" for i in ids]
            same_sql_paths = [f"/cards-same-sql/{i}" for i in ids]
            by_id = dict(duration=args.duration, connections=args.connections, threads=2, workdir=workdir)
            others = dict(duration=args.duration, connections=args.search_connections,
                          threads=min(2, args.search_connections), workdir=workdir)
            id_settings = f"wrk -t2 -c{args.connections} -d{args.duration}s"
            other_settings = f"wrk -t{min(2, args.search_connections)} -c{args.search_connections} -d{args.duration}s"

            # Warm both servers and Postgres' cache before measuring.
            wrk(bare_base, bare_paths, **{**by_id, "duration": 3})
            wrk(api_base, card_paths, **{**by_id, "duration": 3})
            # Interleaved rounds, so a change in the machine's load hits every contender alike.
            totals = {"bare": [], "same": [], "api": []}
            for round_number in (() if args.skip_by_id else (1, 2)):
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
        finally:
            for proc in (api, bare):
                proc.terminate()
                proc.wait(timeout=20)
    if not args.keep_db:
        admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
