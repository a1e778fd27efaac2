"""QueryExecutor: the one way code obtains connections and transactions (async and sync)."""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator

import asyncpg

from backend.core.database import SyncPool


class QueryExecutor:
    def __init__(self, pool: asyncpg.Pool, sync_pool: SyncPool | None = None):
        self.pool = pool
        self.sync_pool = sync_pool

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection in autocommit; asyncpg rolls back and resets it on release."""
        async with self.pool.acquire() as conn:
            yield conn

    @contextlib.asynccontextmanager
    async def transaction(self, *, readonly: bool = False) -> AsyncIterator[asyncpg.Connection]:
        async with self.pool.acquire() as conn:
            async with conn.transaction(readonly=readonly):
                yield conn

    @contextlib.contextmanager
    def sync_transaction(self) -> Iterator:
        if self.sync_pool is None:
            raise RuntimeError("no sync pool configured")
        with self.sync_pool.transaction() as conn:
            yield conn

    async def ping(self) -> None:
        """One round trip; a connection the server dropped (restart) is discarded and one retry made."""
        for attempt in (1, 2):
            try:
                async with self.pool.acquire(timeout=2) as conn:
                    await conn.fetchval("SELECT 1", timeout=2)
                return
            except (asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError,
                    asyncpg.AdminShutdownError, ConnectionError):
                if attempt == 2:
                    raise
