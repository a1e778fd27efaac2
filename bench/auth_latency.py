"""Login and /users/me latency (p50/p95) at N concurrent clients against a real uvicorn process on loopback.

The script creates a throw-away database on the given Postgres server, migrates it (the way
`automana migrate` does), starts the real app (`uvicorn backend.main:app`: create_app and its lifespan,
which builds the composition root) on a free 127.0.0.1 port, registers one account per client, then measures:
  login   POST /api/users/auth/token (Argon2id verification, new session, tokens)
  me      GET  /api/users/users/me with a Bearer access token (JWT check + session lookup)
and drops the database at the end.

  PYTHONPATH=. python bench/auth_latency.py \
      --server-url postgresql://postgres@127.0.0.1:5432/postgres --redis-url redis://127.0.0.1:6379/13
  PYTHONPATH=. python bench/auth_latency.py --smoke     # 2 clients, a few requests each, seconds
"""
from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.core.settings import Settings  # noqa: E402
from bench.common import create_database, drop_database, free_port, migrate_database, percentile  # noqa: E402


def summary(name: str, samples: list[float], wall: float) -> str:
    ms = [s * 1000 for s in samples]
    return (f"{name:<6} n={len(ms):<5} p50={percentile(ms, 0.50):7.1f} ms  p95={percentile(ms, 0.95):7.1f} ms  "
            f"mean={statistics.fmean(ms):7.1f} ms  max={max(ms):7.1f} ms  throughput={len(ms) / wall:7.1f}/s")


async def wait_ready(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"uvicorn exited with code {proc.returncode}")
            try:
                if (await http.get(f"{base}/ready", timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("uvicorn did not become ready")


async def run(base: str, clients: int, logins_per_client: int, me_per_client: int) -> None:
    limits = httpx.Limits(max_connections=clients * 2, max_keepalive_connections=clients * 2)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        accounts = []
        for n in range(clients):
            username, password = f"bench{n}", f"Bench-Password-{secrets.token_hex(6)}"
            response = await http.post("/api/users/users/", json={
                "username": username, "email": f"{username}@example.com", "password": password})
            response.raise_for_status()
            accounts.append((username, password))

        login_samples: list[float] = []
        tokens: list[str] = [""] * clients

        async def login_worker(index: int) -> None:
            username, password = accounts[index]
            for _ in range(logins_per_client):
                started = time.perf_counter()
                response = await http.post("/api/users/auth/token", data={"username": username, "password": password})
                login_samples.append(time.perf_counter() - started)
                response.raise_for_status()
                tokens[index] = response.json()["access_token"]

        wall = time.perf_counter()
        await asyncio.gather(*(login_worker(i) for i in range(clients)))
        login_wall = time.perf_counter() - wall

        async def measure(path: str, headers_for) -> tuple[list[float], float]:
            samples: list[float] = []

            async def worker(index: int) -> None:
                headers = headers_for(index)
                for _ in range(me_per_client):
                    started = time.perf_counter()
                    response = await http.get(path, headers=headers)
                    samples.append(time.perf_counter() - started)
                    response.raise_for_status()

            started_wall = time.perf_counter()
            await asyncio.gather(*(worker(i) for i in range(clients)))
            return samples, time.perf_counter() - started_wall

        me_samples, me_wall = await measure("/api/users/users/me",
                                            lambda i: {"Authorization": f"Bearer {tokens[i]}"})
        # Baseline: the same load on an endpoint that touches neither auth nor the database.
        health_samples, health_wall = await measure("/health", lambda i: {})

    print(summary("login", login_samples, login_wall))
    print(summary("me", me_samples, me_wall))
    print(summary("health", health_samples, health_wall) + "   (baseline: no auth, no database)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server-url", default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
        "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--logins", type=int, default=10, help="logins per client")
    parser.add_argument("--requests", type=int, default=100, help="/users/me requests per client")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--smoke", action="store_true", help="a quick run: 2 clients, 1 login and 5 requests each")
    args = parser.parse_args()
    if args.smoke:
        args.clients, args.logins, args.requests, args.workers = 2, 1, 5, 1

    defaults = Settings(env="test")
    print(f"Argon2id: m={defaults.argon2_memory_cost_kib} KiB, t={defaults.argon2_time_cost}, "
          f"p={defaults.argon2_parallelism}; {args.clients} concurrent clients; uvicorn workers={args.workers}; "
          f"CPUs={os.cpu_count()}; load average before={os.getloadavg()[0]:.2f} (client and server share them)")

    name = f"automana_bench_{os.getpid()}"
    database_url = create_database(args.server_url, name)
    redis.Redis.from_url(args.redis_url).flushdb()
    port = free_port()
    proc = None
    try:
        migrate_database(database_url)
        env = {**os.environ, "ENV": "test", "DATABASE_URL": database_url, "REDIS_URL": args.redis_url,
               "JWT_SECRET_KEY": secrets.token_urlsafe(48), "PGP_SECRET_KEY": secrets.token_urlsafe(48),
               "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "backend.main:app", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(args.workers), "--no-access-log", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )
        base = f"http://127.0.0.1:{port}"
        asyncio.run(wait_ready(base, proc))
        asyncio.run(run(base, args.clients, args.logins, args.requests))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        redis.Redis.from_url(args.redis_url).flushdb()
        drop_database(args.server_url, name)


if __name__ == "__main__":
    main()
