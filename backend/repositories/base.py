"""Base repository and the named-query loader (SQL sits in .sql files next to the repository).

A file holds `-- name: foo` blocks. A block named `bar_fragment` is a piece of SQL that other
blocks of the same file include as `{bar}` (expanded once, at load); any other `{marker}` is left
for the repository to fill per call (e.g. a compiled search condition). Full-line comments are
documentation for the reader and are not sent to the server.
"""
from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType

import asyncpg

_NAME_LINE = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)
_MARKER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_FRAGMENT = "_fragment"


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


def _code(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--")).strip()


def _expand(sql: str, fragments: dict[str, str], seen: tuple[str, ...] = ()) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in fragments:
            return match.group(0)   # a per-call marker
        if name in seen:
            raise ValueError(f"fragment {name!r} includes itself")
        return _expand(fragments[name], fragments, seen + (name,))

    return _MARKER.sub(replace, sql)


def load_queries(module_file: str, filename: str) -> QuerySet:
    path = Path(module_file).with_name(filename)
    text = path.read_text(encoding="utf-8")
    parts = _NAME_LINE.split(text)
    raw: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2]):
        if name in raw:
            raise ValueError(f"query {name!r} defined twice in {path}")
        raw[name] = _code(body).rstrip(";").strip()
    fragments = {name.removesuffix(_FRAGMENT): sql for name, sql in raw.items() if name.endswith(_FRAGMENT)}
    return QuerySet({name: _expand(sql, fragments) for name, sql in raw.items()}, str(path))


class BaseRepository:
    """Repositories are built per scope by the unit of work, on the scope's connection."""

    repository_name: str = ""

    def __init__(self, connection: asyncpg.Connection):
        self.conn = connection
