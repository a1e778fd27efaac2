"""What the API benchmarks share: the generated catalog they run against (built once per database,
reused with --keep-db), the real app (or the bare reference app) run as a server, and the choice of
load generator.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import psycopg2

from bench.common import (ROOT, bench_settings, create_database, drop_database, free_port, loaded_printings,
                          migrate_database, server_url, start_logging, with_database)
from bench.generate_cards import DEFAULT_SOURCES, generate

# The real Scryfall files the generator varies (from ../shared/data; synthetic cards without them).
SOURCES = DEFAULT_SOURCES


async def build_catalog(url: str, target: int, workdir: Path, sources: list[Path]) -> None:
    """Write a bulk file with the ingest helper's generator (real cards, varied; synthetic ones when
    `sources` is empty) and load it through the catalog's bulk-load key."""
    from backend.new_services.card_catalog.catalog_load.bulk_file import BulkFile
    from backend.runtime import Runtime

    bulk = workdir / "bench-cards.json.gz"
    written = generate(sources, target, bulk)
    settings = bench_settings(url)
    start_logging(settings)
    async with Runtime(settings, service_type="bench") as runtime:
        started = time.monotonic()
        counts = await runtime.execute_service("card_catalog.catalog_load.load_cards", cards=BulkFile(bulk).records())
    print(f"generated {written} printings; loaded {counts.seen} ({counts.inserted} inserted, "
          f"{counts.rejected} rejected) in {time.monotonic() - started:.0f}s")


@contextlib.contextmanager
def catalog_database(args, sources: list[Path], name: str, *, reuse_fraction: float = 0.99) -> Iterator[str]:
    """The bench catalog: about args.printings printings in database `name` (its own per process with
    --smoke), built unless --keep-db finds it loaded (migrated to the newest schema then), dropped
    afterwards unless --keep-db. The real files yield a little over 100,000 printings whatever is asked
    beyond that, hence the cap on what counts as loaded."""
    server = server_url(args.server_url)
    database = f"{name}_smoke_{os.getpid()}" if args.smoke else name
    url = with_database(server, database)
    reuse = args.keep_db and loaded_printings(url) >= min(100_000, int(args.printings * reuse_fraction))
    try:
        if reuse:
            migrate_database(url)
        else:
            create_database(server, database)
            migrate_database(url)
            with tempfile.TemporaryDirectory() as tmp:
                asyncio.run(build_catalog(url, args.printings, Path(tmp), sources))
        yield url
    finally:
        if not args.keep_db:
            drop_database(server, database)


@contextlib.contextmanager
def analysed_catalog(url: str) -> Iterator:
    """The bench catalog, vacuumed and analysed: its `printings` and `oracles` counts, 5,000 random
    printing `ids`, and a `cursor` (autocommit) for the caller's own sampling queries."""
    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
            cur.execute("SELECT count(*), count(DISTINCT oracle_id) FROM card_catalog.card_versions")
            printings, oracles = cur.fetchone()
            cur.execute("SELECT card_version_id FROM card_catalog.card_versions ORDER BY random() LIMIT 5000")
            ids = [str(row[0]) for row in cur.fetchall()]
            yield SimpleNamespace(cursor=cur, printings=printings, oracles=oracles, ids=ids)
    finally:
        conn.close()


def resolve_driver(requested: str) -> str:
    """`wrk` when asked for (it must be installed) or, for `auto`, when installed; else `python`."""
    if requested == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if requested == "wrk" and not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk), or use --driver python")
    return requested


def server_env(database_url: str, redis_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a benchmarked server: this one's, pointed at the bench database (and Redis, or
    none), quiet logs, none of the caller's SEARCH_* tuning unless passed in `extra`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("SEARCH_")}
    env.update({"ENV": "dev", "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "LOG_TO_DATABASE": "false",
                "PYTHONPATH": str(ROOT)})
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


@contextlib.contextmanager
def running_server(env: dict, workdir: Path, *, module: str = "backend.main:app",
                   ready_path: str = "/health") -> Iterator[str]:
    """One uvicorn worker of `module` on a free port, once `ready_path` answers 200 (the app serves only
    after its lifespan opened the pools); its log goes to a file in `workdir` (a pipe nobody reads would
    block the server once full). Yields the base URL; stops the server afterwards."""
    port = free_port()
    log_path = workdir / f"server-{port}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", module, "--host", "127.0.0.1", "--port", str(port),
             "--workers", "1", "--no-access-log", "--log-level", "warning", "--loop", "uvloop", "--http", "httptools"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}{ready_path}", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{module} did not start: {log_path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
