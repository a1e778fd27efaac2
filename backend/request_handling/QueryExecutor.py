"""QueryExecutor: hands out pooled asyncpg connections to the unit of work (and nothing else)."""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg

# Errors that mean "this pooled connection is dead" (server restart, network cut).
CONNECTION_LOST = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.InternalClientError,
                   asyncpg.AdminShutdownError, ConnectionError)


class QueryExecutor:
    def __init__(self, pool: asyncpg.Pool):
        self.pool = pool

    @contextlib.asynccontextmanager
    async def connection(self, *, timeout: float | None = None) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection in autocommit; asyncpg rolls back and resets it on release."""
        async with self.pool.acquire(timeout=timeout) as conn:
            yield conn

    async def expire_connections(self) -> None:
        """Make the pool reconnect every connection on next use (after the server restarted)."""
        await self.pool.expire_connections()
