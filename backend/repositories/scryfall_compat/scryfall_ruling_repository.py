"""Rulings by oracle card: reads for /scryfall/cards/.../rulings and idempotent inserts."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.registry import repository

queries = load_queries(__file__, "scryfall_ruling_queries.sql")


@repository("scryfall_ruling")
class ScryfallRulingRepository(BaseRepository):
    async def of_oracle(self, oracle_id: uuid.UUID) -> list[str]:
        return [row[0] for row in await self.conn.fetch(queries.rulings_of_oracle, oracle_id)]

    async def oracle_of(self, card_id: uuid.UUID) -> uuid.UUID | None:
        return await self.conn.fetchval(queries.oracle_of_printing, card_id)

    async def insert(self, rulings: Sequence[tuple[uuid.UUID | None, str, dt.date, str, uuid.UUID | None]]) -> int:
        """(oracle id or None, source, date, comment, printing id or None) rows; returns how many were new."""
        if not rulings:
            return 0
        columns = [list(col) for col in zip(*rulings)]
        return int((await self.conn.execute(queries.insert_rulings, *columns)).split()[-1])
