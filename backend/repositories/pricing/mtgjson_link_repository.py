"""MTGJSON's identifiers per Scryfall printing (pricing.mtgjson_links): TCGplayer product ids,
Cardmarket and Card Kingdom ids, which resolve marketplace data to printings."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.registry import repository

queries = load_queries(__file__, "mtgjson_link_queries.sql")
LINK_COLUMNS = ("scryfall_id", "set_code", "collector_number", "name", "is_token", "mtgjson_uuid",
                "tcgplayer_product_id", "tcgplayer_etched_product_id", "mcm_id", "card_kingdom_id",
                "card_kingdom_foil_id", "finishes")


@repository("mtgjson_link")
class MtgjsonLinkRepository(BaseRepository):
    async def create_staging(self) -> None:
        await self.conn.execute(queries.create_staging)

    async def stage_links(self, rows: Iterable[Sequence[Any]]) -> None:
        await self.conn.copy_records_to_table("stg_mtgjson_links", records=rows, columns=LINK_COLUMNS)

    async def upsert_links(self) -> dict[str, int]:
        row = await self.conn.fetchrow(queries.upsert_links)
        return dict(row) if row else {"inserted": 0, "updated": 0, "seen": 0}

    async def link_counts(self) -> dict[str, int]:
        return dict(await self.conn.fetchrow(queries.link_counts))
