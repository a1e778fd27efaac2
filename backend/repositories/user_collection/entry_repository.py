"""user_collection.entries: add (merging), read, edit, remove, list with filters, and export pages."""
from __future__ import annotations

import contextlib
import uuid
from datetime import date
from typing import Any

import asyncpg

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.kit import CompiledQuery, Sort, SortWhitelist, paginate, set_clause, time_limited
from backend.repositories.registry import repository
from backend.repositories.user_collection.value_repository import entry_value, multipliers_json, price_join
from backend.request_handling.errors import ConflictError, UnprocessableError
from backend.schemas.user_collection.entry import ENTRY_SORT_FIELDS, MAX_QUANTITY

queries = load_queries(__file__, "entry_queries.sql")
ENTRY_SORTS = SortWhitelist({"name": "sort_name", "set": "sort_set", "value": "value_cents",
                             "added": "created_at", "quantity": "quantity"},
                            tiebreak="sort_set, sort_number NULLS LAST, sort_collector, entry_id",
                            fields=ENTRY_SORT_FIELDS)
# Columns PUT may change: field name -> column (a whitelist; values are parameters).
EDITABLE_COLUMNS = {
    "quantity": "quantity", "finish": "finish", "condition": "condition", "language": "language",
    "purchase_price_cents": "purchase_price_cents", "purchase_currency": "purchase_currency",
    "acquired_at": "acquired_at", "tags": "tags", "notes": "notes",
}


def _too_many() -> UnprocessableError:
    return UnprocessableError(f"an entry holds at most {MAX_QUANTITY:,} copies", code="quantity_too_large",
                              details={"max_quantity": MAX_QUANTITY})


@repository("entry")
class EntryRepository(BaseRepository):
    async def printing(self, card_id: uuid.UUID) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(queries.printing, card_id)
        return dict(row) if row else None

    async def add(self, collection_id: uuid.UUID, *, card_version_id: uuid.UUID, finish: str, condition: str,
                  language: str, quantity: int, purchase_price_cents: int | None, purchase_currency: str | None,
                  acquired_at: date | None, tags: list[str], notes: str | None,
                  merge: bool = True) -> tuple[uuid.UUID | None, bool]:
        """(entry id, whether it is new); (None, False) when merge is off and the entry exists."""
        statement = queries.add_entry if merge else queries.insert_entry
        try:
            async with self.conn.transaction():
                row = await self.conn.fetchrow(statement, collection_id, card_version_id, finish, condition,
                                               language, quantity, purchase_price_cents, purchase_currency,
                                               acquired_at, tags, notes)
        except asyncpg.CheckViolationError:
            raise _too_many() from None
        return (None, False) if row is None else (row["entry_id"], row["inserted"])

    async def existing_id(self, collection_id: uuid.UUID, card_version_id: uuid.UUID, finish: str,
                          condition: str, language: str) -> uuid.UUID | None:
        return await self.conn.fetchval(queries.existing_entry_id, collection_id, card_version_id, finish,
                                        condition, language)

    async def get_many(self, collection_id: uuid.UUID, entry_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict]:
        rows = await self.conn.fetch(queries.get_entries, collection_id, entry_ids)
        return {row["entry_id"]: dict(row) for row in rows}

    async def get_for_update(self, collection_id: uuid.UUID, entry_id: uuid.UUID) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(queries.get_entry_for_update, collection_id, entry_id)
        return dict(row) if row else None

    async def update(self, collection_id: uuid.UUID, entry_id: uuid.UUID, fields: dict[str, Any]) -> None:
        if not fields:
            return
        assignments, values = set_clause(fields, EDITABLE_COLUMNS, first_param=3)
        sql = f"UPDATE user_collection.entries SET {assignments}, updated_at = now() WHERE collection_id = $1 AND entry_id = $2"
        try:
            async with self.conn.transaction():
                await self.conn.execute(sql, collection_id, entry_id, *values)
        except asyncpg.UniqueViolationError:
            raise ConflictError("another entry of this collection already has this printing, finish, condition "
                                "and language; change that one or remove one of them", code="entry_exists",
                                details={"entry_id": str(entry_id)}) from None
        except asyncpg.CheckViolationError:
            raise _too_many() from None

    async def delete(self, collection_id: uuid.UUID, entry_ids: list[uuid.UUID]) -> list[uuid.UUID]:
        return [row["entry_id"] for row in await self.conn.fetch(queries.delete_entries, collection_id, entry_ids)]

    async def list(self, collection_id: uuid.UUID, *, finish: str | None, condition: str | None,
                   language: str | None, tag: str | None, compiled: CompiledQuery | None, sort: Sort,
                   limit: int, offset: int, currency: str, sources: list[str],
                   multipliers: dict[str, float], entry_count: int,
                   time_limit_ms: int | None = None) -> tuple[list[uuid.UUID], int]:
        """The ids of one page of entries, in order, and the total of the filtered list (`entry_count`,
        the collection's, when nothing filters it)."""
        if compiled is None and not (finish or condition or language or tag) and sort == Sort("name"):
            # The default view: a range of the name index, however large the collection.
            rows = await self.conn.fetch(queries.page_by_name, collection_id, limit, offset)
            return [row["entry_id"] for row in rows], entry_count
        params: list[Any] = [collection_id, finish, condition, language, tag]
        where, tables = "true", ""
        if compiled is not None:
            params += compiled.params
            where, tables = compiled.where, queries.catalog_join_fragment
        value_column, join = "NULL::bigint", ""
        if sort.field == "value":   # prices are looked up for every entry only when they order the list
            n = len(params)
            params += [currency, sources, multipliers_json(multipliers)]
            join = price_join(cur=f"${n + 1}", src=f"${n + 2}")
            value_column = entry_value(mult=f"${n + 3}")
        sql = (queries.list_entries.replace("{value_column}", value_column).replace("{price_join}", join)
               .replace("{catalog_tables}", tables).replace("{where}", where))
        async with time_limited(self.conn, time_limit_ms) if time_limit_ms else contextlib.nullcontext():
            rows, total = await paginate(self.conn, sql, *params, order_by=ENTRY_SORTS.order_by(sort), limit=limit,
                                         offset=offset)
        return [row["entry_id"] for row in rows], total

    async def refresh_sort_names(self) -> int:
        """Give entries of renamed printings their new sort name; how many there were."""
        return int((await self.conn.execute(queries.refresh_sort_names)).split()[-1])

    async def export_page(self, collection_id: uuid.UUID, *, after: tuple[str, uuid.UUID] | None,
                          limit: int) -> list[dict]:
        name, entry_id = after if after else (None, None)
        return [dict(row) for row in await self.conn.fetch(queries.export_page, collection_id, name, entry_id, limit)]
