"""Search cost benchmark (issue 11): card-by-id throughput while 20 clients repeat costly searches.

Builds the catalog like bench/catalog_api.py (>= --printings printings in a scratch database, loaded
through `card_catalog.catalog_load.load_cards`), then, for each configuration of the search gate,
starts one uvicorn worker of the real app (`backend.main:app`, with Redis for the rate limit) and
measures card by id (wrk, or the Python driver when wrk is absent):

  1. unloaded;
  2. while --attackers clients, each with its own X-Forwarded-For address (the app trusts the
     loopback proxy), repeat costly searches as fast as they are answered, ignoring Retry-After:
     the issue's 995-character `-o:x` x 199, and valid costly queries within the bounds.

Configurations: "gated" (the defaults: rate limit, search slots, statement timeout), "gated, half
the pool" (as many slots as half the pooled connections, whatever the cores) and "relaxed" (no
rate limit, as many slots as pooled connections, no search time limit: the gate off).
Each configuration runs --rounds interleaved unloaded / attacked phases (the machine's other load
shifts between rounds). Prints card-by-id req/s and p50/p95/p99 of every phase, the ratio of the
attacked to the unloaded throughput over all rounds (target: >= 0.5 gated), and what the attackers
got: answers per status and error code, and their latency.

    PYTHONPATH=. python bench/search_cost.py [--printings 101000] [--duration 10] [--rounds 3] [--keep-db]
        [--redis-url redis://127.0.0.1:6379/13]
    PYTHONPATH=. python bench/search_cost.py --smoke      # a few hundred cards, short runs, seconds
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg2
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.core.settings import Settings  # noqa: E402
from bench.catalog_api import fmt, wrk  # noqa: E402
from bench.common import percentile  # noqa: E402
from bench.harness import (SOURCES, analysed_catalog, catalog_database, resolve_driver, running_server,  # noqa: E402
                           server_env)

BENCH_DB = "automana_bench_search_cost"
SMOKE_PRINTINGS = 300
SMOKE_DURATION = 1.0
CARDS = "/api/catalog/mtg/card-reference"
# The query (refused by the query bounds now), then valid queries that are costly anyway:
# the most negations allowed (no index can serve them), the most terms allowed, a broad match.
COSTLY_QUERIES = {
    "issue: -o:x x199": " ".join(["-o:x"] * 199),
    "-o:x x15": " ".join(["-o:x"] * 15),
    "o:e x50": " ".join(["o:e"] * 50),
    "-o:zz -t:zz x7 o:a": " ".join(["-o:zz -t:zz"] * 7 + ["o:a"]),
    "t:creature": "t:creature",
}
GATE_KEYS = "automana:search:*"


def gate_configurations(pool_size: int) -> dict[str, dict[str, str]]:
    return {
        "gated": {},   # the defaults
        # The slots at half the pool, whatever the cores: shows why the default also counts cores.
        "gated, half the pool": {"SEARCH_MAX_CONCURRENT": str(max(1, pool_size // 2))},
        "relaxed": {"SEARCH_RATE_LIMIT": "", "SEARCH_MAX_CONCURRENT": str(pool_size),
                    "SEARCH_QUEUE_SECONDS": "60", "SEARCH_STATEMENT_TIMEOUT_MS": "600000"},
    }


def describe(search) -> str:
    return (f"rate limit {search.rate_limit or 'off'}, {search.max_concurrent} search slots, queue "
            f"{search.queue_seconds:g} s, search statement timeout {search.statement_timeout_ms} ms")


class Attack:
    """Attacker clients, one address each, repeating costly searches until stopped."""

    def __init__(self, base: str, clients: int):
        self.base = base
        self.clients = clients
        self.stopping = asyncio.Event()
        self.answers: list[tuple[str, int, str, float]] = []   # (query label, status, error code, seconds)
        self.errors = 0

    async def client(self, index: int) -> None:
        headers = {"X-Forwarded-For": f"198.51.100.{index + 1}"}
        labels = list(COSTLY_QUERIES)
        async with httpx.AsyncClient(base_url=self.base, headers=headers, timeout=120) as http:
            turn = index
            while not self.stopping.is_set():
                label = labels[turn % len(labels)]
                turn += 1
                sent = time.perf_counter()
                try:
                    response = await http.get(f"{CARDS}/", params={"q": COSTLY_QUERIES[label]})
                except httpx.HTTPError:
                    self.errors += 1
                    continue
                code = "" if response.status_code < 400 else response.json()["error"]["code"]
                self.answers.append((label, response.status_code, code, time.perf_counter() - sent))

    def report(self, seconds: float) -> list[str]:
        if not self.answers:
            return [f"attackers: no answer in {seconds:.0f} s (transport errors {self.errors})"]
        by_status = collections.Counter(f"{status}{' ' + code if code else ''}" for _, status, code, _ in self.answers)
        latencies = [answer[3] * 1000 for answer in self.answers]
        lines = [f"attackers ({self.clients} addresses): {len(self.answers)} answers in {seconds:.1f} s "
                 f"({len(self.answers) / seconds:.0f}/s), transport errors {self.errors}; p50 "
                 f"{percentile(latencies, 0.5):.1f} ms  p95 {percentile(latencies, 0.95):.1f} ms  "
                 f"p99 {percentile(latencies, 0.99):.1f} ms",
                 "  answers: " + ", ".join(f"{key} x{count}" for key, count in sorted(by_status.items()))]
        for label in COSTLY_QUERIES:
            mine = [answer for answer in self.answers if answer[0] == label]
            if not mine:
                continue
            statuses = collections.Counter(status for _, status, _, _ in mine)
            ms = [answer[3] * 1000 for answer in mine]
            lines.append(f"  {label:<20} {len(mine):>6} answers ("
                         + ", ".join(f"{status} x{count}" for status, count in sorted(statuses.items()))
                         + f"); p50 {percentile(ms, 0.5):.1f} ms  p95 {percentile(ms, 0.95):.1f} ms")
        return lines


async def by_id_under_attack(base: str, paths: list[str], by_id: dict, attackers: int,
                             warmup: float) -> tuple[dict, Attack, float]:
    attack = Attack(base, attackers)
    tasks = [asyncio.create_task(attack.client(i)) for i in range(attackers)]
    started = time.perf_counter()
    try:
        await asyncio.sleep(warmup)   # the attack in full swing before card reads are measured
        result = await asyncio.to_thread(wrk, base, paths, **by_id)
    finally:
        attack.stopping.set()
        await asyncio.gather(*tasks)
    return result, attack, time.perf_counter() - started


def wait_idle(url: str) -> None:
    """Wait until the searches the attackers left running in Postgres have ended (the next phase
    measures an unloaded server)."""
    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        deadline = time.monotonic() + 600
        with conn.cursor() as cur:
            while time.monotonic() < deadline:
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND state = 'active' AND pid <> pg_backend_pid()")
                if cur.fetchone()[0] == 0:
                    return
                time.sleep(0.1)
    finally:
        conn.close()


def clear_gate_counters(redis_url: str, *patterns: str) -> None:
    """Forget the counters of earlier runs (only keys matching the patterns, default the search gate's)."""
    client = redis.Redis.from_url(redis_url)
    try:
        for pattern in patterns or (GATE_KEYS,):
            keys = list(client.scan_iter(pattern, count=1000))
            if keys:
                client.delete(*keys)
    finally:
        client.close()


def measure(args, url: str, driver: str) -> None:
    with analysed_catalog(url) as catalog:
        printings, oracles, ids = catalog.printings, catalog.oracles, catalog.ids
    print(f"catalog: {printings} printings, {oracles} oracle cards; load average {os.getloadavg()[0]:.2f}")

    paths = [f"{CARDS}/{card_id}" for card_id in ids]
    base_env = server_env(url, args.redis_url)
    base_env.update(dict(assignment.split("=", 1) for assignment in args.server_env))
    pool_size = Settings(**{"env": "dev", "database_url": url}).db_pool_max_size
    tool = "wrk -t2" if driver == "wrk" else "python driver"
    with tempfile.TemporaryDirectory() as tmp:
        by_id = {"duration": args.duration, "connections": args.connections, "threads": 2,
                 "workdir": Path(tmp), "driver": driver}
        label = f"{tool} -c{args.connections} -d{args.duration:g}s"
        configurations = gate_configurations(pool_size)
        if args.smoke:   # the two ends are enough to prove the script runs
            configurations.pop("gated, half the pool")
        for config, overrides in configurations.items():
            env = {**base_env, **overrides}
            search = Settings(env="dev", database_url=url, **{"search": {
                key.removeprefix("SEARCH_").lower(): value for key, value in env.items() if key.startswith("SEARCH_")}}).search
            print(f"[{config}: {describe(search)}]")
            clear_gate_counters(args.redis_url)
            with running_server(env, Path(tmp)) as api_base:
                if not args.smoke:
                    wrk(api_base, paths, **{**by_id, "duration": 3})   # warm the server and Postgres' cache
                unloaded_total = loaded_total = 0.0
                attacks = []
                for round_number in range(1, args.rounds + 1):
                    # Interleaved, so a change in the machine's other load hits both phases alike.
                    unloaded = wrk(api_base, paths, **by_id)
                    print(fmt(f"card by id, unloaded ({round_number})", unloaded, label))
                    loaded, attack, attack_seconds = asyncio.run(
                        by_id_under_attack(api_base, paths, by_id, args.attackers, args.warmup))
                    print(fmt(f"card by id, {args.attackers} attackers ({round_number})", loaded, label))
                    unloaded_total += unloaded["rps"]
                    loaded_total += loaded["rps"]
                    attacks.append((attack, attack_seconds))
                    wait_idle(url)
                ratio = loaded_total / unloaded_total if unloaded_total else 0.0
                print(f"card by id kept {ratio:.2f} of its unloaded throughput ({config}; load average "
                      f"{os.getloadavg()[0]:.2f})")
                merged = Attack(api_base, args.attackers)
                for attack, _ in attacks:
                    merged.answers += attack.answers
                    merged.errors += attack.errors
                for line in merged.report(sum(seconds for _, seconds in attacks)):
                    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--printings", type=int, default=101_000, help="cards fed to the loader")
    parser.add_argument("--duration", type=float, default=10, help="seconds per card-by-id run")
    parser.add_argument("--connections", type=int, default=20, help="connections driving card by id")
    parser.add_argument("--attackers", type=int, default=20, help="attacking clients (one address each)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved unloaded / attacked rounds per configuration")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of attack before card reads are measured")
    parser.add_argument("--keep-db", action="store_true", help="reuse the bench database if it is already loaded")
    parser.add_argument("--driver", choices=("auto", "wrk", "python"), default="auto",
                        help="card-by-id load generator (auto: wrk when installed)")
    parser.add_argument("--server-url", help="Postgres server for the scratch database (default "
                                             "BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
                        help="Redis for the search rate limit (only its automana:search:* keys are touched)")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an extra environment variable for the server (e.g. SEARCH_MAX_CONCURRENT=2); repeatable")
    parser.add_argument("--synthetic", action="store_true", help="generate the catalog from synthetic cards")
    parser.add_argument("--smoke", action="store_true",
                        help=f"a quick run: {SMOKE_PRINTINGS} synthetic printings, {SMOKE_DURATION:g}s runs, "
                             "4 attackers, the Python driver, a database of its own")
    args = parser.parse_args()
    sources = [] if args.synthetic else [path for path in SOURCES if path.is_file()]
    if args.smoke:
        args.printings = min(args.printings, SMOKE_PRINTINGS)
        args.duration = min(args.duration, SMOKE_DURATION)
        args.connections, args.attackers, args.warmup = min(args.connections, 4), min(args.attackers, 4), 0.2
        args.rounds = 1
        args.driver = "python" if args.driver == "auto" else args.driver
        sources = []
    elif not args.synthetic and len(sources) != len(SOURCES):
        sys.exit("needs the Scryfall files in ../shared/data (or --synthetic, or --smoke)")
    with catalog_database(args, sources, BENCH_DB) as url:
        measure(args, url, resolve_driver(args.driver))


if __name__ == "__main__":
    main()
