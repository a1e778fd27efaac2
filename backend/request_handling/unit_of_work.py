"""The unit of work: the only place that connects, begins, commits and rolls back.

A service declares its repositories and a scope; the ServiceManager opens the scope and hands
the service its repositories (or, for `steps`, a UnitOfWork that opens short scopes on demand):

- `transaction` (default): one connection, one transaction for the whole call.
- `autocommit`: one pooled connection, each statement commits on its own (hot read paths).
- `steps`: no connection is held by the call itself. `async with uow.step() as repos:` is a
  short committed transaction; `async with uow.session() as repos:` holds one connection in
  autocommit (advisory locks, temp tables, long loads) on which `repos.transaction()` opens a
  transaction. Pipelines and flows that do slow work between writes (hashing, downloads) use it,
  so their progress is visible while they run and no connection idles meanwhile.

Repositories are only ever built here, on the scope's connection, and only those declared.
"""
from __future__ import annotations

import contextlib
import enum
from collections.abc import AsyncIterator, Mapping
from typing import Any

import asyncpg

from backend.request_handling.QueryExecutor import QueryExecutor


class Scope(str, enum.Enum):
    TRANSACTION = "transaction"
    AUTOCOMMIT = "autocommit"
    STEPS = "steps"


class Repositories:
    """The repositories one service declared, all bound to one connection; built on first use."""

    def __init__(self, connection: asyncpg.Connection, classes: Mapping[str, type], owner: str):
        self._connection = connection
        self._classes = classes
        self._owner = owner
        self._built: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        built = self._built.get(name)
        if built is None:
            cls = self._classes.get(name)
            if cls is None:
                raise AttributeError(f"{self._owner} did not declare the repository {name!r} "
                                     f"(declared: {', '.join(sorted(self._classes)) or 'none'})")
            built = self._built[name] = cls(self._connection)
        return built

    def transaction(self) -> Any:
        """A transaction on this scope's connection; nested, it is a savepoint."""
        return self._connection.transaction()

    def in_transaction(self) -> bool:
        return self._connection.is_in_transaction()

    def connection_closed(self) -> bool:
        return self._connection.is_closed()

    def for_callee(self, classes: Mapping[str, type], owner: str) -> "Repositories":
        """Another service's repositories on this same connection (a call joining this transaction)."""
        return Repositories(self._connection, classes, owner)


class UnitOfWork:
    """What one service call may open: scopes over its declared repositories."""

    def __init__(self, executor: QueryExecutor, classes: Mapping[str, type], owner: str):
        self._executor = executor
        self._classes = classes
        self.owner = owner

    @contextlib.asynccontextmanager
    async def session(self, *, timeout: float | None = None) -> AsyncIterator[Repositories]:
        """One pooled connection in autocommit for the block (reset and released on exit)."""
        async with self._executor.connection(timeout=timeout) as connection:
            yield Repositories(connection, self._classes, self.owner)

    @contextlib.asynccontextmanager
    async def step(self) -> AsyncIterator[Repositories]:
        """One short transaction, committed when the block ends, rolled back if it raises."""
        async with self.session() as repos, repos.transaction():
            yield repos

    @contextlib.asynccontextmanager
    async def scope(self, scope: Scope) -> AsyncIterator[Repositories | None]:
        """The scope the manager opens around a call (None for `steps`: the service opens its own)."""
        if scope is Scope.STEPS:
            yield None
        elif scope is Scope.AUTOCOMMIT:
            async with self.session() as repos:
                yield repos
        else:
            async with self.step() as repos:
                yield repos
