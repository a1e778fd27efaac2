"""Versioned SQL migrations: backend/database/migrations/NNNN_name.sql, applied in order, each once.

A small runner rather than a framework: migrations are plain SQL (the same text psql would run),
the runner is ~100 lines, and it gives exactly what we need — a session advisory lock so two
processes never migrate at once, one transaction per file, and a checksum so an edited,
already-applied file is refused instead of silently diverging.
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg2

from backend.core.database import SyncPool

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Arbitrary constant identifying "the AutoMana migration lock" among advisory locks.
MIGRATION_LOCK_ID = 0x4155544F4D  # "AUTOM"


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def list_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE.match(path.name)
        if not match:
            raise MigrationError(f"migration file {path.name} is not named NNNN_name.sql")
        migrations.append(Migration(int(match.group(1)), match.group(2), path))
    versions = [m.version for m in migrations]
    if len(versions) != len(set(versions)):
        raise MigrationError("two migration files share a version number")
    return migrations


def migrate(pool: SyncPool, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply pending migrations; return those applied. Safe to run concurrently and repeatedly."""
    applied_now: list[Migration] = []
    with pool.connection() as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_ID,))
        try:
            with conn.cursor() as cur:
                cur.execute(
                    """CREATE TABLE IF NOT EXISTS public.schema_migrations (
                           version    INTEGER PRIMARY KEY,
                           name       TEXT NOT NULL,
                           checksum   TEXT NOT NULL,
                           applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"""
                )
                cur.execute("SELECT version, checksum FROM public.schema_migrations")
                applied = dict(cur.fetchall())
            conn.autocommit = False
            for migration in list_migrations(directory):
                if migration.version in applied:
                    if applied[migration.version] != migration.checksum:
                        raise MigrationError(
                            f"migration {migration.path.name} was changed after it was applied; "
                            "add a new migration instead"
                        )
                    continue
                logger.info("applying migration %s", migration.path.name)
                with conn.cursor() as cur:
                    try:
                        cur.execute(migration.sql)
                        cur.execute(
                            "INSERT INTO public.schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                            (migration.version, migration.name, migration.checksum),
                        )
                        conn.commit()
                    except psycopg2.Error as exc:
                        conn.rollback()
                        raise MigrationError(f"migration {migration.path.name} failed: {exc}") from exc
                applied_now.append(migration)
        finally:
            if not conn.closed:
                conn.rollback()
                conn.autocommit = True
                with conn.cursor() as cur:
                    cur.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_ID,))
                conn.autocommit = False
    return applied_now


def pending_migrations(pool: SyncPool, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    with pool.connection() as conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass('public.schema_migrations') IS NOT NULL")
        if not cur.fetchone()[0]:
            return list_migrations(directory)
        cur.execute("SELECT version FROM public.schema_migrations")
        done = {row[0] for row in cur.fetchall()}
    return [m for m in list_migrations(directory) if m.version not in done]
