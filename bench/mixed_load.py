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
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import httpx
import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402
from bench.harness import SOURCES, catalog_database, resolve_driver, running_server, server_env  # noqa: E402
from bench.search_cost import BENCH_DB, CARDS, clear_gate_counters  # noqa: E402

SMOKE_PRINTINGS = 300
SMOKE_DURATION = 2.0
# Share of each kind of request (a catalog browsed mostly by card, some typing and searching).
MIX = {"card": 55, "autocomplete": 15, "named": 10, "search": 15, "login": 5}
SEARCHES = ["t:creature c:g mv<=3", 'o:"draw a card" f:modern', "lightning", "pow>=5 r:mythic", "t:goblin",
            "c:u t:instant mv<=2", "r:mythic s:{set}", "a:{artist}"]
ACCOUNTS = 20
PASSWORD = "Mixed-Load-Bench-Pass-41"
SHED = {(429, "rate_limited"), (503, "search_busy")}


def parse_mix(text: str) -> dict[str, int]:
    mix = {kind: int(weight) for kind, weight in (part.split("=") for part in text.split(","))}
    unknown = set(mix) - set(MIX)
    if unknown or not any(mix.values()):
        raise argparse.ArgumentTypeError(f"kinds are {', '.join(MIX)}, with at least one weight above 0")
    return {kind: weight for kind, weight in mix.items() if weight > 0}


def client_address(rng: random.Random, pool: int) -> str:
    n = rng.randrange(pool)
    return f"203.0.113.{n % 250 + 1}" if n < 250 else f"2001:db8:{n:x}::1"


class Requests:
    """The requests of each kind, drawn from a sample of the catalog."""

    def __init__(self, catalog: dict, rng: random.Random):
        self.catalog = catalog
        self.rng = rng

    def make(self, kind: str) -> tuple[str, str, dict | None]:
        """(method, path, form) of a request of this kind."""
        rng, catalog = self.rng, self.catalog
        if kind == "card":
            return "GET", f"{CARDS}/{rng.choice(catalog['ids'])}", None
        if kind == "autocomplete":
            name = re.sub(r"[^a-z ]", "", rng.choice(catalog["names"]).lower())
            return "GET", f"{CARDS}/autocomplete?q={urllib.parse.quote(name[:rng.randint(3, 8)])}", None
        if kind == "named":
            name = rng.choice(catalog["names"])
            if rng.random() < 0.5:
                return "GET", f"{CARDS}/named?exact={urllib.parse.quote(name)}", None
            words = [word[:max(3, len(word) - 1)] for word in re.sub(r"[^a-z ]", "", name.lower()).split()]
            return "GET", f"{CARDS}/named?fuzzy={urllib.parse.quote(' '.join(words))}", None
        if kind == "search":
            q = rng.choice(SEARCHES).format(set=rng.choice(catalog["sets"]), artist=rng.choice(catalog["artists"]))
            return "GET", f"{CARDS}/?q={urllib.parse.quote(q)}&limit=20", None
        return "POST", "/api/users/auth/token", {"username": f"mixload{rng.randrange(ACCOUNTS)}", "password": PASSWORD}


class Stats:
    """What one kind of request got: latencies (or wrk's percentiles), answers by (status, code)."""

    def __init__(self):
        self.latencies: list[float] = []   # seconds (Python driver)
        self.percentiles: dict[str, float] | None = None   # ms (wrk)
        self.answers = 0
        self.statuses: collections.Counter = collections.Counter()
        self.transport_errors = 0

    def ms(self, fraction: float) -> float:
        if self.percentiles is not None:
            return self.percentiles[f"p{round(fraction * 100)}"]
        return percentile([s * 1000 for s in self.latencies] or [0.0], fraction)

    def errors(self, kind: str) -> int:
        bad = self.transport_errors
        for (status, code), count in self.statuses.items():
            expected = status < 400 or (status, code) in SHED or (
                kind == "named" and (status, code) in {(404, "ambiguous_name"), (404, "not_found")})
            bad += 0 if expected else count
        return bad

    def shed(self) -> int:
        return sum(count for key, count in self.statuses.items() if key in SHED)


def python_mixed(base: str, requests: Requests, mix: dict[str, int], *, connections: int, duration: float,
                 addresses: int) -> tuple[dict[str, Stats], float]:
    """Closed-loop clients, each drawing the kind of its next request from the mix."""
    stats = {kind: Stats() for kind in mix}
    kinds = [kind for kind, weight in mix.items() for _ in range(weight)]
    rng = requests.rng

    async def client(http: httpx.AsyncClient, deadline: float) -> None:
        while time.perf_counter() < deadline:
            kind = rng.choice(kinds)
            method, path, form = requests.make(kind)
            sent = time.perf_counter()
            try:
                response = await http.request(method, path, data=form,
                                              headers={"X-Forwarded-For": client_address(rng, addresses)})
            except httpx.HTTPError:
                stats[kind].transport_errors += 1
                continue
            stats[kind].latencies.append(time.perf_counter() - sent)
            stats[kind].answers += 1
            code = "" if response.status_code < 400 else response.json().get("error", {}).get("code", "?")
            stats[kind].statuses[(response.status_code, code)] += 1

    async def run() -> float:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
            started = time.perf_counter()
            await asyncio.gather(*(client(http, started + duration) for _ in range(connections)))
            return time.perf_counter() - started

    return stats, asyncio.run(run())


WRK_SCRIPT = r"""
local lines = {}
for line in io.lines("%(requests)s") do lines[#lines + 1] = line end
local addresses = {}
for line in io.lines("%(addresses)s") do addresses[#addresses + 1] = line end
math.randomseed(%(seed)d)
ok, ambiguous, not_found, rate_limited, search_busy, other = 0, 0, 0, 0, 0, 0
local threads = {}
function setup(thread) threads[#threads + 1] = thread end
request = function()
  local method, path, body = string.match(lines[math.random(#lines)], "^(%%u+)\t([^\t]+)\t?(.*)$")
  local headers = {["X-Forwarded-For"] = addresses[math.random(#addresses)]}
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format(method, path, headers, body)
  end
  return wrk.format(method, path, headers)
end
response = function(status, headers, body)
  if status < 400 then ok = ok + 1
  elseif status == 404 and string.find(body, "ambiguous_name", 1, true) then ambiguous = ambiguous + 1
  elseif status == 404 then not_found = not_found + 1
  elseif status == 429 then rate_limited = rate_limited + 1
  elseif status == 503 and string.find(body, "search_busy", 1, true) then search_busy = search_busy + 1
  else other = other + 1 end
end
done = function(summary, latency, requests)
  local totals = {ok = 0, ambiguous = 0, not_found = 0, rate_limited = 0, search_busy = 0, other = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do totals[name] = totals[name] + thread:get(name) end
  end
  io.write(string.format("P50 %%d\nP95 %%d\nP99 %%d\nERRORS %%d\n", latency:percentile(50),
    latency:percentile(95), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  for name, count in pairs(totals) do io.write(string.format("COUNT %%s %%d\n", name, count)) end
end
"""
WRK_CODES = {"ok": (200, ""), "ambiguous": (404, "ambiguous_name"), "not_found": (404, "not_found"),
             "rate_limited": (429, "rate_limited"), "search_busy": (503, "search_busy"), "other": (500, "other")}


def split_connections(mix: dict[str, int], connections: int) -> dict[str, int]:
    """Connections per kind, in proportion to the mix (largest remainders), at least one each."""
    total = sum(mix.values())
    shares = {kind: connections * weight / total for kind, weight in mix.items()}
    split = {kind: max(1, int(share)) for kind, share in shares.items()}
    for kind in sorted(shares, key=lambda k: shares[k] - int(shares[k]), reverse=True):
        if sum(split.values()) >= connections:
            break
        split[kind] += 1
    return split


def wrk_mixed(base: str, requests: Requests, mix: dict[str, int], *, connections: int, duration: float,
              addresses: int, workdir: Path) -> tuple[dict[str, Stats], float]:
    """One wrk per kind, all at once, the connections split by the mix: the server sees the mix, and
    each kind gets wrk's own latency percentiles."""
    address_file = workdir / "addresses.txt"
    address_file.write_text("\n".join(client_address(requests.rng, addresses) for _ in range(2000)) + "\n")
    procs = {}
    for seed, (kind, count) in enumerate(split_connections(mix, connections).items(), start=1):
        lines = []
        for _ in range(2000):
            method, path, form = requests.make(kind)
            lines.append(f"{method}\t{path}\t{urllib.parse.urlencode(form) if form else ''}")
        (workdir / f"{kind}.txt").write_text("\n".join(lines) + "\n")
        script = workdir / f"{kind}.lua"
        script.write_text(WRK_SCRIPT % {"requests": workdir / f"{kind}.txt", "addresses": address_file, "seed": seed})
        procs[kind] = subprocess.Popen(["wrk", "-t1", f"-c{count}", f"-d{max(1, round(duration))}s", "--timeout", "60s",
                                        "-s", str(script), base], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True)
    stats = {}
    for kind, proc in procs.items():
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"wrk ({kind}) failed: {err}")
        kind_stats = stats[kind] = Stats()
        kind_stats.percentiles = {name: int(re.search(rf"^{name.upper()} (\d+)$", out, re.M).group(1)) / 1000
                                  for name in ("p50", "p95", "p99")}
        kind_stats.transport_errors = int(re.search(r"^ERRORS (\d+)$", out, re.M).group(1))
        for name, count in re.findall(r"^COUNT (\w+) (\d+)$", out, re.M):
            if int(count):
                kind_stats.statuses[WRK_CODES[name]] += int(count)
        kind_stats.answers = sum(kind_stats.statuses.values())
    return stats, float(max(1, round(duration)))


def report(stats: dict[str, Stats], seconds: float, split: dict[str, int] | None) -> None:
    total_answers = total_errors = total_shed = 0
    for kind, kind_stats in stats.items():
        errors, shed = kind_stats.errors(kind), kind_stats.shed()
        total_answers += kind_stats.answers
        total_errors += errors
        total_shed += shed
        statuses = ", ".join(f"{status}{' ' + code if code else ''} x{count}"
                             for (status, code), count in sorted(kind_stats.statuses.items()))
        connections = f" ({split[kind]} conn.)" if split else ""
        print(f"{kind + connections:<22} {kind_stats.answers:>7} answers {kind_stats.answers / seconds:>7.1f} req/s  "
              f"p50 {kind_stats.ms(0.5):7.1f} ms  p95 {kind_stats.ms(0.95):7.1f} ms  p99 {kind_stats.ms(0.99):7.1f} ms  "
              f"errors {errors}  shed {shed}  [{statuses}]")
    print(f"{'total':<22} {total_answers:>7} answers {total_answers / seconds:>7.1f} req/s  errors {total_errors}  "
          f"shed (429 rate_limited, 503 search_busy) {total_shed}")


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


def run(base: str, catalog: dict, args, driver: str) -> None:
    asyncio.run(create_accounts(base))
    requests = Requests(catalog, random.Random(11))
    options = {"connections": args.connections, "duration": args.duration, "addresses": args.addresses}
    if driver == "wrk":
        with tempfile.TemporaryDirectory() as tmp:
            stats, seconds = wrk_mixed(base, requests, args.mix, workdir=Path(tmp), **options)
        report(stats, seconds, split_connections(args.mix, args.connections))
    else:
        stats, seconds = python_mixed(base, requests, args.mix, **options)
        report(stats, seconds, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--mix", type=parse_mix, default=MIX,
                        help="weights of the request kinds, e.g. card=55,autocomplete=15,named=10,search=15,login=5")
    parser.add_argument("--addresses", type=int, default=500, help="client addresses the requests come from")
    parser.add_argument("--printings", type=int, default=101_000, help="catalog size (as bench/search_cost.py)")
    parser.add_argument("--keep-db", action="store_true", help="reuse the bench catalog if it is already loaded")
    parser.add_argument("--server-url", help="Postgres server for the scratch database (default "
                                             "BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
                        help="Redis for the rate limits (only automana:search:* and automana:login:* keys are touched)")
    parser.add_argument("--driver", choices=("auto", "wrk", "python"), default="auto",
                        help="load generator: one wrk per kind of request (connections split by the mix), or "
                             "closed-loop Python clients (auto: wrk when installed)")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an extra environment variable for the server (e.g. SEARCH_MAX_CONCURRENT=2); repeatable")
    parser.add_argument("--synthetic", action="store_true", help="generate the catalog from synthetic cards")
    parser.add_argument("--smoke", action="store_true",
                        help=f"a quick run: {SMOKE_PRINTINGS} synthetic printings, 4 connections, {SMOKE_DURATION:g}s")
    args = parser.parse_args()
    sources = [] if args.synthetic else [path for path in SOURCES if path.is_file()]
    if args.smoke:
        args.printings, args.duration = min(args.printings, SMOKE_PRINTINGS), min(args.duration, SMOKE_DURATION)
        args.connections = min(args.connections, 4)
        args.driver = "python" if args.driver == "auto" else args.driver
        sources = []
    elif not args.synthetic and len(sources) != len(SOURCES):
        sys.exit("needs the Scryfall files in ../shared/data (or --synthetic, or --smoke)")

    driver = resolve_driver(args.driver)

    with catalog_database(args, sources, BENCH_DB) as url:
        catalog = catalog_sample(url)
        print(f"catalog: {catalog['printings']} printings; {driver}, {args.connections} connections, {args.duration:g} s, "
              f"{args.addresses} client addresses; mix {args.mix}; CPUs {os.cpu_count()}, load average "
              f"{os.getloadavg()[0]:.2f} (client and server share them)")
        env = server_env(url, args.redis_url)
        env.update(dict(assignment.split("=", 1) for assignment in args.server_env))
        clear_gate_counters(args.redis_url, "automana:search:*", "automana:login:*")
        try:
            with tempfile.TemporaryDirectory() as tmp, running_server(env, Path(tmp)) as base:
                run(base, catalog, args, driver)
        finally:
            clear_gate_counters(args.redis_url, "automana:search:*", "automana:login:*")


if __name__ == "__main__":
    main()
