"""Writes of an MTGJSON load: set metadata and marketplace ids where the catalog has blanks, and the
card objects that gain them."""
from __future__ import annotations

import uuid
from collections.abc import Sequence

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.registry import repository

queries = load_queries(__file__, "mtgjson_load_queries.sql")


def _count(status: str) -> int:
    return int(status.split()[-1])


@repository("mtgjson_load")
class MtgjsonLoadRepository(BaseRepository):
    async def fill_set_metadata(self, rows: Sequence[tuple]) -> int:
        """(code, type, release date, block, parent code, TCGplayer group id, MTGO code, base size) rows."""
        if not rows:
            return 0
        return _count(await self.conn.execute(queries.fill_set_metadata, *[list(c) for c in zip(*rows)]))

    async def fill_marketplace_ids(self, rows: Sequence[tuple[uuid.UUID, int | None, int | None, int | None]]) -> int:
        if not rows:
            return 0
        return _count(await self.conn.execute(queries.fill_marketplace_ids, *[list(c) for c in zip(*rows)]))

    async def complete_documents(self, card_ids: Sequence[uuid.UUID]) -> int:
        if not card_ids:
            return 0
        return _count(await self.conn.execute(queries.complete_documents, list(card_ids)))

    async def printings_of_sets(self, codes: Sequence[str]) -> list[uuid.UUID]:
        return [row[0] for row in await self.conn.fetch(queries.printings_of_sets, list(codes))]
