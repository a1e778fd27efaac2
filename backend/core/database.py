"""Connection pools: asyncpg for services, psycopg2 for the work that must be sync (migrations, log writer)."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

import asyncpg
import orjson
import psycopg2
import psycopg2.extras
import psycopg2.pool

from backend.core.settings import Settings

logger = logging.getLogger(__name__)


def normalise_dsn(url: str) -> str:
    """Accept SQLAlchemy-style driver suffixes (postgresql+asyncpg://) as well as plain URLs."""
    scheme, sep, rest = url.partition("://")
    if "+" in scheme:
        scheme = scheme.split("+", 1)[0]
    if scheme == "postgres":
        scheme = "postgresql"
    return f"{scheme}{sep}{rest}"


def _encode_jsonb(value) -> bytes:
    return b"\x01" + orjson.dumps(value)     # jsonb's binary format: a version byte, then the text


def _decode_jsonb(data: bytes):
    return orjson.loads(data[1:])


async def _init_connection(conn: asyncpg.Connection) -> None:
    # json/jsonb in and out as Python objects, encoded by orjson (pre-encoded text can be passed as
    # orjson.Fragment). Binary format, so COPY (copy_records_to_table) can write these columns too.
    await conn.set_type_codec("jsonb", encoder=_encode_jsonb, decoder=_decode_jsonb, schema="pg_catalog",
                              format="binary")
    await conn.set_type_codec("json", encoder=orjson.dumps, decoder=orjson.loads, schema="pg_catalog",
                              format="binary")


_NOT_YET_REACHABLE = (asyncpg.CannotConnectNowError, asyncpg.TooManyConnectionsError,
                      asyncpg.ConnectionDoesNotExistError)


async def init_async_pool(settings: Settings) -> asyncpg.Pool:
    dsn = normalise_dsn(settings.database_url or "")
    delay = settings.db_connect_backoff_seconds
    for attempt in range(1, settings.db_connect_attempts + 1):
        try:
            return await asyncpg.create_pool(
                dsn,
                min_size=settings.db_pool_min_size,
                max_size=settings.db_pool_max_size,
                init=_init_connection,
                server_settings={
                    "application_name": "automana",
                    "statement_timeout": str(settings.db_statement_timeout_ms),
                    "idle_in_transaction_session_timeout": str(settings.db_statement_timeout_ms),
                },
                # A connection that errored is reset (ROLLBACK; RESET ALL) by asyncpg on release.
                max_inactive_connection_lifetime=300,
            )
        except (OSError, *_NOT_YET_REACHABLE) as exc:
            # Only a server that is not up yet is worth waiting for; a wrong database name,
            # password or permission will not fix itself, so it fails at once.
            if attempt == settings.db_connect_attempts:
                raise
            logger.warning("database not reachable (attempt %s): %s", attempt, type(exc).__name__)
            await asyncio.sleep(delay)
            delay *= 2
    raise RuntimeError("unreachable")


class SyncPool:
    """A psycopg2 pool for the work that must be sync (migrations, the log writer thread).

    One connection is kept open (psycopg2's pools close every connection returned beyond their
    minimum); the others open when needed. Each is rolled back before it goes back, so none returns
    in an aborted transaction; a broken one is closed.
    """

    def __init__(self, dsn: str, maxconn: int):
        self._pool = psycopg2.pool.ThreadedConnectionPool(1, maxconn, dsn, application_name="automana-sync")

    @classmethod
    def for_url(cls, database_url: str, *, maxconn: int = 1) -> "SyncPool":
        return cls(normalise_dsn(database_url), maxconn)

    @contextlib.contextmanager
    def connection(self) -> Iterator[psycopg2.extensions.connection]:
        conn = self._pool.getconn()
        broken = False
        try:
            yield conn
        finally:
            try:
                if conn.closed:
                    broken = True
                else:
                    conn.rollback()
            except psycopg2.Error:
                broken = True
            self._pool.putconn(conn, close=broken)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[psycopg2.extensions.connection]:
        with self.connection() as conn:
            try:
                yield conn
                conn.commit()
            except BaseException:
                conn.rollback()
                raise

    def close(self) -> None:
        self._pool.closeall()


def init_sync_pool(settings: Settings) -> SyncPool:
    return SyncPool(normalise_dsn(settings.database_url or ""), settings.db_sync_pool_max_size)


async def close_async_pool(pool: asyncpg.Pool | None) -> None:
    if pool is not None:
        await pool.close()
