"""The repository kit: what every list query needs, stated once.

- `Sort` (a public field name and a direction, chosen by the caller) and `SortWhitelist` (public
  name -> SQL expression, the only text ever spliced into ORDER BY);
- `paginate`: one page of a filtered query with the total of *that filtered query*, in one
  statement, whether or not the page is empty;
- `escape_like` for user text inside LIKE patterns;
- `StagingTable`: a TEMP table for COPY-then-upsert loads, defined once as (column, type) pairs
  from which its DDL and its COPY column list both come;
- `CompiledQuery`: a search condition compiled to SQL with its $n parameters and display options,
  as the catalog search executes it;
- `time_limited`: a statement timeout for the rest of a transaction (costly searches), its
  cancellation raised as `StatementTimedOut`.
"""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg


def escape_like(text: str) -> str:
    """`text` matched literally inside a LIKE/ILIKE pattern (the default escape is backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Sort:
    """The caller's choice: a public field name (checked against a whitelist) and a direction."""

    field: str
    descending: bool = False


class SortWhitelist:
    """Public sort names -> SQL expressions over the columns of a list query's result."""

    def __init__(self, columns: Mapping[str, str], *, tiebreak: str, fields: Iterable[str] | None = None):
        self._columns = dict(columns)
        self._tiebreak = tiebreak
        if fields is not None and set(fields) != set(self._columns):
            # The public names live in the schema module (routers offer them); they must agree.
            raise ValueError(f"sort whitelist {sorted(self._columns)} does not match the public fields "
                             f"{sorted(fields)}")

    @property
    def fields(self) -> list[str]:
        return sorted(self._columns)

    def order_by(self, sort: Sort) -> str:
        column = self._columns[sort.field]   # KeyError for anything not whitelisted
        return f"{column} {'DESC' if sort.descending else 'ASC'} NULLS LAST, {self._tiebreak}"


def paged_sql(filtered: str, *, order_by: str, limit: str, offset: str) -> str:
    """Wrap a filtered SELECT (its first column never NULL) into one page plus the total count.

    The answer always has at least one row: when the page is empty (past the end, or no match),
    a single row with NULL page columns still carries the total.
    """
    return (f"WITH matched AS MATERIALIZED ({filtered}),\n"
            f"page AS (SELECT * FROM matched ORDER BY {order_by} LIMIT {limit} OFFSET {offset})\n"
            f"SELECT page.*, counted.total_count\n"
            f"FROM (SELECT count(*) AS total_count FROM matched) AS counted LEFT JOIN page ON true\n"
            f"ORDER BY {order_by}")


def split_page(rows: Sequence[asyncpg.Record], key: str) -> tuple[list[dict[str, Any]], int]:
    """The page's rows as dicts (without total_count) and the total, from a `paged_sql` answer."""
    total = rows[0]["total_count"] if rows else 0
    items = []
    for row in rows:
        if row[key] is not None:
            item = dict(row)
            del item["total_count"]
            items.append(item)
    return items, total


async def paginate(conn: asyncpg.Connection, filtered: str, *params: Any, order_by: str, limit: int,
                   offset: int, key: str = "id") -> tuple[list[dict[str, Any]], int]:
    """One page of `filtered` (its parameters $1..$n) sorted by `order_by`, and its total."""
    n = len(params)
    sql = paged_sql(filtered, order_by=order_by, limit=f"${n + 1}::bigint", offset=f"${n + 2}::bigint")
    return split_page(await conn.fetch(sql, *params, limit, offset), key)


def set_clause(fields: dict[str, Any], columns: dict[str, str], *, first_param: int) -> tuple[str, list[Any]]:
    """`col = $n, ...` for a partial update of the given fields, each named through the whitelist
    `columns` (field -> column; the only text spliced in), numbered from `first_param`; and the values."""
    values = list(fields.values())
    assignments = [f"{columns[name]} = ${first_param + i}" for i, name in enumerate(fields)]
    return ", ".join(assignments), values


class StagingTable:
    """A per-session TEMP staging table, emptied when each transaction commits."""

    def __init__(self, name: str, columns: Sequence[tuple[str, str]]):
        self.name = name
        self.columns: tuple[str, ...] = tuple(column for column, _ in columns)
        self.ddl = (f"CREATE TEMP TABLE IF NOT EXISTS {name} (\n    "
                    + ",\n    ".join(f"{column} {sql_type}" for column, sql_type in columns)
                    + "\n) ON COMMIT DELETE ROWS")

    def position(self, column: str) -> int:
        return self.columns.index(column)


@dataclass
class SearchOptions:
    """Display options of a card search (`unique:`, `order:`, `direction:`, includes)."""

    unique: str = "cards"
    order: str = "name"
    direction: str = "auto"
    include_extras: bool = False
    any_language: bool = False
    has_lang_term: bool = False
    auto_descending: frozenset[str] = frozenset({"released"})

    @property
    def descending(self) -> bool:
        if self.direction == "auto":
            return self.order in self.auto_descending
        return self.direction == "desc"


@dataclass
class CompiledQuery:
    """A search condition over `v` (card_versions), `o` (oracle_cards) and `s` (sets) with its
    $n parameters; built by the query compiler, executed by the card repository."""

    where: str
    params: list = field(default_factory=list)
    options: SearchOptions = field(default_factory=SearchOptions)
    order_sql: str = "o.name"
    uses_sets: bool = False  # the condition refers to `s` (card_catalog.sets)
    # Set when no term looks at printings: the condition (with the extras default) on `o` alone;
    # each card is then shown by its preferred English printing, found by one index probe.
    oracle_where: str | None = None
    # ORDER BY choosing which printing stands for a card (`prefer:`); None: the default preference.
    preference_sql: str | None = None
    # A tighter statement timeout for this search (set when it runs regular expressions).
    statement_timeout_ms: int | None = None


class StatementTimedOut(Exception):
    """A statement ran past the time limit set by `time_limited` and Postgres stopped it."""

    def __init__(self, limit_ms: int):
        super().__init__(f"statement stopped after {limit_ms} ms")
        self.limit_ms = limit_ms


@contextlib.asynccontextmanager
async def time_limited(conn: asyncpg.Connection, limit_ms: int) -> AsyncIterator[None]:
    """Statements on `conn` stop after `limit_ms` until its transaction ends (SET LOCAL: the pooled
    connection keeps its own default afterwards); a stopped one raises StatementTimedOut."""
    if not conn.is_in_transaction():
        raise RuntimeError("time_limited needs a transaction: outside one, SET LOCAL does nothing")
    await conn.execute("SELECT set_config('statement_timeout', $1, true)", f"{int(limit_ms)}ms")
    try:
        yield
    except asyncpg.QueryCanceledError:
        raise StatementTimedOut(limit_ms) from None
