"""QueryExecutor: hands out pooled asyncpg connections to the unit of work (and nothing else)."""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg

# Errors that mean "this pooled connection is dead" (server restart, network cut).
CONNECTION_LOST = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.InternalClientError,
                   asyncpg.AdminShutdownError, asyncpg.CannotConnectNowError, ConnectionError)


class QueryExecutor:
    def __init__(self, pool: asyncpg.Pool):
        self.pool = pool

    @contextlib.asynccontextmanager
    async def connection(self, *, timeout: float | None = None) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection in autocommit; asyncpg rolls back and resets it on release."""
        try:
            conn = await self.pool.acquire(timeout=timeout)
        except ConnectionError:
            raise
        except OSError as exc:
            # A unix socket that is gone while the server restarts raises FileNotFoundError:
            # to callers it is the same "database unreachable" as a refused TCP connection.
            raise ConnectionError(f"cannot reach the database: {exc}") from exc
        try:
            yield conn
        finally:
            await self.pool.release(conn)

    async def expire_connections(self) -> None:
        """Make the pool reconnect every connection on next use (after the server restarted)."""
        await self.pool.expire_connections()
