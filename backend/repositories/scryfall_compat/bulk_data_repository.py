"""Bulk files of the Scryfall-compatible API: their entries, and the documents each type holds,
streamed through a cursor (constant memory whatever the catalog's size)."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.registry import repository
from backend.repositories.scryfall_compat.scryfall_card_repository import queries as card_queries
from backend.repositories.scryfall_compat.scryfall_ruling_repository import queries as ruling_queries

queries = load_queries(__file__, "bulk_data_queries.sql")
CONTENT = {
    "all_cards": card_queries.bulk_all_cards,
    "default_cards": card_queries.bulk_default_cards,
    "oracle_cards": card_queries.bulk_oracle_cards,
    "unique_artwork": card_queries.bulk_unique_artwork,
    "rulings": ruling_queries.bulk_rulings,
}
BULK_TYPES = tuple(CONTENT)
CURSOR_PREFETCH = 500


@repository("bulk_data")
class BulkDataRepository(BaseRepository):
    async def entries(self) -> list[dict]:
        return [dict(r) for r in await self.conn.fetch(queries.entries)]

    async def entry_by_type(self, bulk_type: str) -> dict | None:
        row = await self.conn.fetchrow(queries.entry_by_type, bulk_type)
        return dict(row) if row else None

    async def entry_by_id(self, bulk_id: uuid.UUID) -> dict | None:
        row = await self.conn.fetchrow(queries.entry_by_id, bulk_id)
        return dict(row) if row else None

    async def entry_by_file(self, file_name: str) -> dict | None:
        row = await self.conn.fetchrow(queries.entry_by_file, file_name)
        return dict(row) if row else None

    async def save_entry(self, *, bulk_type: str, bulk_id: uuid.UUID, file_name: str, size: int,
                         compressed_size: int, record_count: int, updated_at: dt.datetime) -> str | None:
        return await self.conn.fetchval(queries.save_entry, bulk_type, bulk_id, file_name, size, compressed_size,
                                        record_count, updated_at)

    async def try_lock(self) -> bool:
        return await self.conn.fetchval(queries.try_lock)

    async def unlock(self) -> None:
        await self.conn.fetchval(queries.unlock)

    async def stream(self, bulk_type: str) -> AsyncIterator[str]:
        """The JSON text of each object of a bulk type; call inside a transaction (cursors need one)."""
        async for row in self.conn.cursor(CONTENT[bulk_type], prefetch=CURSOR_PREFETCH):
            yield row[0]
