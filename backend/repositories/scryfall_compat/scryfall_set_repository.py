"""Set objects for the Scryfall-compatible API (JSON text built by Postgres)."""
from __future__ import annotations

import uuid

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.registry import repository

queries = load_queries(__file__, "scryfall_set_queries.sql")


@repository("scryfall_set")
class ScryfallSetRepository(BaseRepository):
    async def all(self) -> list[str]:
        return [row[0] for row in await self.conn.fetch(queries.all_sets)]

    async def by_code(self, code: str) -> str | None:
        return await self.conn.fetchval(queries.set_by_code, code)

    async def by_id(self, set_id: uuid.UUID) -> str | None:
        return await self.conn.fetchval(queries.set_by_id, set_id)

    async def by_tcgplayer(self, group_id: int) -> str | None:
        return await self.conn.fetchval(queries.set_by_tcgplayer, group_id)
