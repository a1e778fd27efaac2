"""What the benchmarks share: scratch databases on a Postgres server, migrations run the way the CLI
runs them, and settings for a process built through the composition root (backend/runtime.py).

A benchmark's own measurement plumbing (creating/dropping its scratch database, a reference COPY,
counting rows to prove a re-load wrote nothing) talks to Postgres with psycopg2 directly; the work
being measured always goes through `Runtime(settings, service_type="bench")` and service keys, or
through the real app (`backend.main`).
"""
from __future__ import annotations

import contextlib
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from backend.core.database import normalise_dsn  # noqa: E402
from backend.core.settings import Settings  # noqa: E402

SHARED_SCRYFALL = ROOT.parent / "shared" / "data" / "scryfall"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def server_url(explicit: str | None = None) -> str:
    """The Postgres server to create scratch databases on: --server-url, else BENCH_DATABASE_URL."""
    return normalise_dsn(explicit or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_SERVER)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(normalise_dsn(url))
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def admin(server: str, sql: str) -> None:
    conn = psycopg2.connect(server)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def create_database(server: str, name: str) -> str:
    admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(server, f'CREATE DATABASE "{name}"')
    return with_database(server, name)


def drop_database(server: str, name: str) -> None:
    admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def scratch_database(server: str, name: str, *, migrated: bool = True, keep: bool = False) -> Iterator[str]:
    """A fresh database `name` on `server` (migrated by the real migrations), dropped afterwards."""
    url = create_database(server, name)
    try:
        if migrated:
            migrate_database(url)
        yield url
    finally:
        if not keep:
            drop_database(server, name)


def loaded_printings(database_url: str) -> int:
    """Printings already in a kept bench database (0 when it does not exist or is not migrated):
    `--keep-db` runs reuse a catalog that is (nearly) the size they would build."""
    try:
        conn = psycopg2.connect(database_url)
    except psycopg2.Error:
        return 0
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM card_catalog.card_versions")
            return cur.fetchone()[0]
    except psycopg2.Error:
        return 0
    finally:
        conn.close()


def migrate_database(database_url: str) -> list:
    """Apply the migrations the way `automana migrate` does: the composition root's sync pool."""
    from backend.database.migrate import migrate
    from backend.runtime import open_sync_pool

    pool = open_sync_pool(bench_settings(database_url, log_to_database=False))
    try:
        return migrate(pool)
    finally:
        pool.close()


def bench_settings(database_url: str, **overrides) -> Settings:
    """Settings for a benchmark process: the app's one settings class, its defaults and any
    variables in the environment (SCRYFALL_BATCH_SIZE, ...), with this database."""
    values = {"env": "dev", "database_url": database_url}
    values.update(overrides)
    return Settings(**values)


def start_logging(settings: Settings) -> None:
    """Console logging as the CLI sets it up (warnings on screen, pipeline events to the database
    writer the runtime attaches); stdout stays free for the figures."""
    from backend.core.logging_config import configure_logging

    configure_logging(settings, "bench", console_level="WARNING")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]
