"""user_collection.collections: create, read, list, edit, delete and lock one owner's collections."""
from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.kit import Sort, SortWhitelist, paginate, set_clause
from backend.repositories.registry import repository
from backend.request_handling.errors import ConflictError
from backend.schemas.user_collection.collection import COLLECTION_SORT_FIELDS

queries = load_queries(__file__, "collection_queries.sql")
COLLECTION_SORTS = SortWhitelist({"name": "lower(name)", "created": "created_at", "entries": "entry_count"},
                                 tiebreak="collection_id", fields=COLLECTION_SORT_FIELDS)
# Columns PUT may change: model field name -> column (a whitelist; values are parameters).
EDITABLE_COLUMNS = {"name": "name", "description": "description", "kind": "kind", "currency": "currency"}


def _name_taken(name: str | None) -> ConflictError:
    return ConflictError(f"you already have a collection named {name!r}", code="collection_name_taken",
                         details={"name": name})


@repository("collection")
class CollectionRepository(BaseRepository):
    async def create(self, *, owner_id: uuid.UUID, name: str, description: str | None, kind: str,
                     currency: str) -> uuid.UUID:
        try:
            async with self.conn.transaction():
                return await self.conn.fetchval(queries.create_collection, owner_id, name, description, kind,
                                                currency)
        except asyncpg.UniqueViolationError:
            raise _name_taken(name) from None

    async def get(self, owner_id: uuid.UUID, collection_id: uuid.UUID) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(queries.get_collection, owner_id, collection_id)
        return dict(row) if row else None

    async def lock(self, owner_id: uuid.UUID, collection_id: uuid.UUID) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(queries.lock_collection, owner_id, collection_id)
        return dict(row) if row else None

    async def lock_by_id(self, collection_id: uuid.UUID) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(queries.lock_collection_by_id, collection_id)
        return dict(row) if row else None

    async def list(self, owner_id: uuid.UUID, *, kind: str | None, sort: Sort, limit: int,
                   offset: int) -> tuple[list[dict], int]:
        return await paginate(self.conn, queries.list_collections, owner_id, kind,
                              order_by=COLLECTION_SORTS.order_by(sort), limit=limit, offset=offset)

    async def update(self, owner_id: uuid.UUID, collection_id: uuid.UUID, fields: dict[str, Any]) -> None:
        if not fields:
            return
        assignments, values = set_clause(fields, EDITABLE_COLUMNS, first_param=3)
        sql = f"UPDATE user_collection.collections SET {assignments}, updated_at = now() WHERE owner_id = $1 AND collection_id = $2"
        try:
            async with self.conn.transaction():
                await self.conn.execute(sql, owner_id, collection_id, *values)
        except asyncpg.UniqueViolationError:
            raise _name_taken(fields.get("name")) from None

    async def delete(self, owner_id: uuid.UUID, collection_id: uuid.UUID) -> int | None:
        row = await self.conn.fetchrow(queries.delete_collection, owner_id, collection_id)
        return None if row is None else row["entries"]

    async def bump_contents(self, collection_id: uuid.UUID) -> None:
        await self.conn.execute(queries.bump_contents, collection_id)

    async def owned_copies(self, owner_id: uuid.UUID, except_collection: uuid.UUID) -> dict[tuple, int]:
        rows = await self.conn.fetch(queries.owned_copies, owner_id, except_collection)
        return {(row["card_version_id"], row["finish"]): row["owned"] for row in rows}
