"""Base repository and the named-query loader (SQL sits in .sql files next to the repository)."""
from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType

import asyncpg

_NAME_LINE = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


class QuerySet:
    """Named SQL statements read once from a file of `-- name: foo` blocks."""

    def __init__(self, queries: dict[str, str], source: str):
        self._queries = MappingProxyType(queries)
        self._source = source

    def __getattr__(self, name: str) -> str:
        try:
            return self._queries[name]
        except KeyError:
            raise AttributeError(f"no query {name!r} in {self._source}") from None

    def names(self) -> list[str]:
        return list(self._queries)


def load_queries(module_file: str, filename: str) -> QuerySet:
    path = Path(module_file).with_name(filename)
    text = path.read_text(encoding="utf-8")
    parts = _NAME_LINE.split(text)
    queries: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2]):
        sql = body.strip().rstrip(";").strip()
        if name in queries:
            raise ValueError(f"query {name!r} defined twice in {path}")
        queries[name] = sql
    return QuerySet(queries, str(path))


class BaseRepository:
    """Repositories are built per service call on the call's connection (inside its transaction)."""

    repository_name: str = ""

    def __init__(self, connection: asyncpg.Connection):
        self.conn = connection
