"""Mixed load (issue 11): --connections clients for --duration seconds against one uvicorn worker of
the real app (`backend.main:app`, Postgres and Redis), mixing card reads by id, named lookups,
autocomplete, searches and logins, each request from an X-Forwarded-For address drawn from a pool
of --addresses clients (the app trusts the loopback proxy, so the search rate limit and the login
throttle count them apart).

The catalog is the one bench/search_cost.py builds (>= --printings printings; --keep-db reuses it).
Prints, per endpoint: answers, req/s, p50/p95/p99 and answers by status. Errors are transport
failures and any answer that is neither a success nor an expected one (a 404 of a fuzzy name that is
ambiguous); answers the search gate sheds on purpose (429 rate_limited, 503 search_busy) are
counted apart. Expected: 0 errors.

    PYTHONPATH=. python bench/mixed_load.py [--connections 50] [--duration 60] [--keep-db]
        [--redis-url redis://127.0.0.1:6379/13]
    PYTHONPATH=. python bench/mixed_load.py --smoke      # a few hundred cards, seconds
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import re
import sys
import time
import urllib.parse
from pathlib import Path

import httpx
import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.catalog_api import SOURCES, start_server, wait_ready  # noqa: E402
from bench.common import free_port, percentile  # noqa: E402
from bench.search_cost import BENCH_DB, CARDS, catalog_database, clear_gate_counters  # noqa: E402

SMOKE_PRINTINGS = 300
SMOKE_DURATION = 2.0
# Share of each kind of request (a catalog browsed mostly by card, some typing and searching).
MIX = {"card": 55, "autocomplete": 15, "named": 10, "search": 15, "login": 5}
SEARCHES = ["t:creature c:g mv<=3", 'o:"draw a card" f:modern', "lightning", "pow>=5 r:mythic", "t:goblin",
            "c:u t:instant mv<=2", "r:mythic s:{set}", "a:{artist}"]
ACCOUNTS = 20
PASSWORD = "Mixed-Load-Bench-Pass-41"
SHED = {(429, "rate_limited"), (503, "search_busy")}


def client_address(rng: random.Random, pool: int) -> str:
    n = rng.randrange(pool)
    return f"203.0.113.{n % 250 + 1}" if n < 250 else f"2001:db8:{n:x}::1"


class Load:
    def __init__(self, base: str, catalog: dict, *, addresses: int, seed: int):
        self.base = base
        self.catalog = catalog
        self.addresses = addresses
        self.rng = random.Random(seed)
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.statuses: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.transport_errors: collections.Counter = collections.Counter()
        self.kinds = [kind for kind, weight in MIX.items() for _ in range(weight)]

    def request(self) -> tuple[str, str, str, dict | None]:
        """(kind, method, path, form) of the next request."""
        rng, catalog = self.rng, self.catalog
        kind = rng.choice(self.kinds)
        if kind == "card":
            return kind, "GET", f"{CARDS}/{rng.choice(catalog['ids'])}", None
        if kind == "autocomplete":
            name = re.sub(r"[^a-z ]", "", rng.choice(catalog["names"]).lower())
            return kind, "GET", f"{CARDS}/autocomplete?q={urllib.parse.quote(name[:rng.randint(3, 8)])}", None
        if kind == "named":
            name = rng.choice(catalog["names"])
            if rng.random() < 0.5:
                return kind, "GET", f"{CARDS}/named?exact={urllib.parse.quote(name)}", None
            words = [word[:max(3, len(word) - 1)] for word in re.sub(r"[^a-z ]", "", name.lower()).split()]
            return kind, "GET", f"{CARDS}/named?fuzzy={urllib.parse.quote(' '.join(words))}", None
        if kind == "search":
            q = rng.choice(SEARCHES).format(set=rng.choice(catalog["sets"]), artist=rng.choice(catalog["artists"]))
            return kind, "GET", f"{CARDS}/?q={urllib.parse.quote(q)}&limit=20", None
        username = f"mixload{rng.randrange(ACCOUNTS)}"
        return kind, "POST", "/api/users/auth/token", {"username": username, "password": PASSWORD}

    async def client(self, http: httpx.AsyncClient, deadline: float) -> None:
        while time.perf_counter() < deadline:
            kind, method, path, form = self.request()
            headers = {"X-Forwarded-For": client_address(self.rng, self.addresses)}
            sent = time.perf_counter()
            try:
                response = await http.request(method, path, data=form, headers=headers)
            except httpx.HTTPError as exc:
                self.transport_errors[f"{kind}: {type(exc).__name__}"] += 1
                continue
            self.latencies[kind].append(time.perf_counter() - sent)
            code = "" if response.status_code < 400 else response.json().get("error", {}).get("code", "?")
            self.statuses[kind][(response.status_code, code)] += 1

    def errors(self, kind: str) -> int:
        bad = 0
        for (status, code), count in self.statuses[kind].items():
            expected = status < 400 or (status, code) in SHED or (
                kind == "named" and (status, code) in {(404, "ambiguous_name"), (404, "not_found")})
            bad += 0 if expected else count
        return bad

    def report(self, seconds: float) -> None:
        total_answers = total_errors = total_shed = 0
        for kind in MIX:
            ms = [s * 1000 for s in self.latencies[kind]] or [0.0]
            answers = len(self.latencies[kind])
            shed = sum(count for key, count in self.statuses[kind].items() if key in SHED)
            errors = self.errors(kind) + sum(n for key, n in self.transport_errors.items() if key.startswith(kind))
            total_answers, total_errors, total_shed = total_answers + answers, total_errors + errors, total_shed + shed
            statuses = ", ".join(f"{status}{' ' + code if code else ''} x{count}"
                                 for (status, code), count in sorted(self.statuses[kind].items()))
            print(f"{kind:<13} {answers:>7} answers {answers / seconds:>7.1f} req/s  p50 {percentile(ms, 0.5):7.1f} ms"
                  f"  p95 {percentile(ms, 0.95):7.1f} ms  p99 {percentile(ms, 0.99):7.1f} ms  errors {errors}"
                  f"  shed {shed}  [{statuses}]")
        print(f"total         {total_answers:>7} answers {total_answers / seconds:>7.1f} req/s  errors {total_errors}"
              f"  shed (429 rate_limited, 503 search_busy) {total_shed}")
        for what, count in sorted(self.transport_errors.items()):
            print(f"  transport error {what} x{count}")


def catalog_sample(url: str) -> dict:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT card_version_id FROM card_catalog.card_versions ORDER BY random() LIMIT 5000")
            ids = [str(row[0]) for row in cur.fetchall()]
            cur.execute("SELECT name FROM card_catalog.oracle_cards WHERE NOT is_extra ORDER BY random() LIMIT 2000")
            names = [row[0] for row in cur.fetchall()]
            cur.execute("SELECT code FROM card_catalog.sets ORDER BY random() LIMIT 200")
            sets = [row[0] for row in cur.fetchall()]
            cur.execute("SELECT DISTINCT split_part(artist, ' ', 1) FROM card_catalog.card_versions "
                        "WHERE artist ~ '^[A-Za-z]{3,}' LIMIT 200")
            artists = [row[0].lower() for row in cur.fetchall()]
            cur.execute("SELECT count(*) FROM card_catalog.card_versions")
            printings = cur.fetchone()[0]
    finally:
        conn.close()
    return {"ids": ids, "names": names, "sets": sets or ["lea"], "artists": artists or ["john"],
            "printings": printings}


async def create_accounts(base: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        for n in range(ACCOUNTS):
            response = await http.post("/api/users/users/", json={
                "username": f"mixload{n}", "email": f"mixload{n}@example.com", "password": PASSWORD})
            if response.status_code not in (201, 409):   # 409: kept from an earlier run (--keep-db)
                raise SystemExit(f"could not create a bench account: {response.status_code} {response.text}")


async def run(base: str, catalog: dict, args) -> None:
    await create_accounts(base)
    load = Load(base, catalog, addresses=args.addresses, seed=11)
    limits = httpx.Limits(max_connections=args.connections, max_keepalive_connections=args.connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        started = time.perf_counter()
        deadline = started + args.duration
        await asyncio.gather(*(load.client(http, deadline) for _ in range(args.connections)))
        seconds = time.perf_counter() - started
    load.report(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--addresses", type=int, default=500, help="client addresses the requests come from")
    parser.add_argument("--printings", type=int, default=101_000, help="catalog size (as bench/search_cost.py)")
    parser.add_argument("--keep-db", action="store_true", help="reuse the bench catalog if it is already loaded")
    parser.add_argument("--server-url", help="Postgres server for the scratch database (default "
                                             "BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
                        help="Redis for the rate limits (only automana:search:* and automana:login:* keys are touched)")
    parser.add_argument("--synthetic", action="store_true", help="generate the catalog from synthetic cards")
    parser.add_argument("--smoke", action="store_true",
                        help=f"a quick run: {SMOKE_PRINTINGS} synthetic printings, 4 connections, {SMOKE_DURATION:g}s")
    args = parser.parse_args()
    sources = [] if args.synthetic else [path for path in SOURCES if path.is_file()]
    if args.smoke:
        args.printings, args.duration = min(args.printings, SMOKE_PRINTINGS), min(args.duration, SMOKE_DURATION)
        args.connections = min(args.connections, 4)
        sources = []
    elif not args.synthetic and len(sources) != len(SOURCES):
        sys.exit("needs the Scryfall files in ../shared/data (or --synthetic, or --smoke)")

    with catalog_database(args, sources, BENCH_DB) as url:
        catalog = catalog_sample(url)
        print(f"catalog: {catalog['printings']} printings; {args.connections} connections, {args.duration:g} s, "
              f"{args.addresses} client addresses; mix {MIX}; CPUs {os.cpu_count()}, load average "
              f"{os.getloadavg()[0]:.2f} (client and server share them)")
        env = {**os.environ, "ENV": "dev", "DATABASE_URL": url, "REDIS_URL": args.redis_url, "LOG_LEVEL": "WARNING",
               "LOG_TO_DATABASE": "false", "PYTHONPATH": str(ROOT)}
        for name in [name for name in env if name.startswith("SEARCH_")]:
            del env[name]
        clear_gate_counters(args.redis_url, "automana:search:*", "automana:login:*")
        port = free_port()
        api = start_server("backend.main:app", port, env)
        try:
            wait_ready("backend.main:app", api, port)
            asyncio.run(run(f"http://127.0.0.1:{port}", catalog, args))
        finally:
            api.terminate()
            api.wait(timeout=30)
            clear_gate_counters(args.redis_url, "automana:search:*", "automana:login:*")


if __name__ == "__main__":
    main()
