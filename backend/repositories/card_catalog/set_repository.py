"""Set reference: read by id or code, list with filters, edit fields, delete when unused."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.kit import Sort, SortWhitelist, escape_like, paginate
from backend.repositories.registry import repository
from backend.schemas.card_catalog.set import SET_SORT_FIELDS

queries = load_queries(__file__, "set_queries.sql")
SET_SORTS = SortWhitelist({"released_at": "released_at", "name": "name", "code": "code",
                           "card_count": "card_count"}, tiebreak="code", fields=SET_SORT_FIELDS)
# Columns PUT may change: model field name -> column (a whitelist; values are parameters).
EDITABLE_COLUMNS = {
    "code": "code", "name": "name", "set_type": "set_type", "released_at": "released_at",
    "block_code": "block_code", "block": "block", "parent_set_code": "parent_set_code",
    "card_count": "card_count", "printed_size": "printed_size", "digital": "digital",
    "foil_only": "foil_only", "nonfoil_only": "nonfoil_only", "icon_svg_uri": "icon_svg_uri",
    "mtgo_code": "mtgo_code", "arena_code": "arena_code", "tcgplayer_id": "tcgplayer_id",
}


@repository("set")
class SetRepository(BaseRepository):
    async def get(self, set_id: uuid.UUID) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(queries.set_by_id, set_id)
        return dict(row) if row else None

    async def get_by_code(self, code: str) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(queries.set_by_code, code.lower())
        return dict(row) if row else None

    async def list(self, *, set_type: str | None, released_from: date | None, released_to: date | None,
                   digital: bool | None, search: str | None, sort: Sort, limit: int,
                   offset: int) -> tuple[list[dict], int]:
        text = escape_like(search) if search else None
        return await paginate(self.conn, queries.list_sets, set_type, released_from, released_to, digital, text,
                              order_by=SET_SORTS.order_by(sort), limit=limit, offset=offset)

    async def update(self, set_id: uuid.UUID, fields: dict[str, Any]) -> dict[str, Any] | None:
        assignments, values = [], []
        for name, value in fields.items():
            values.append(value)
            assignments.append(f"{EDITABLE_COLUMNS[name]} = ${len(values) + 1}")
        if assignments:
            sql = ("UPDATE card_catalog.sets SET " + ", ".join(assignments)
                   + ", updated_at = now(), content_hash = NULL WHERE set_id = $1")
            await self.conn.execute(sql, set_id, *values)
            if "code" in fields:
                await self.conn.execute(queries.rename_set_code_on_cards, set_id, fields["code"])
        return await self.get(set_id)

    async def codes_held_by_other_sets(self, ids: list[uuid.UUID], codes: list[str]) -> set[str]:
        rows = await self.conn.fetch(queries.codes_held_by_other_sets, ids, codes)
        return {row["code"] for row in rows}

    async def lock(self, set_id: uuid.UUID) -> bool:
        return await self.conn.fetchval(queries.lock_set, set_id) is not None

    async def card_count(self, set_id: uuid.UUID) -> int:
        return await self.conn.fetchval(queries.count_cards_in_set, set_id)

    async def delete(self, set_id: uuid.UUID) -> bool:
        return await self.conn.fetchval(queries.delete_set, set_id) is not None
