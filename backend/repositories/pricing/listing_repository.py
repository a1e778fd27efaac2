"""TCGplayer listings: COPY into session staging, product resolution, aggregation into the price
store's staging table, and the rejects of a load."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.registry import repository

queries = load_queries(__file__, "listing_queries.sql")
LISTING_COLUMNS = ("product_id", "condition", "finish", "language", "observed_on", "price_cents")
REJECT_COLUMNS = ("run_id", "line", "product_id", "reason", "raw")


@repository("listing")
class ListingRepository(BaseRepository):
    async def create_staging(self) -> None:
        await self.conn.execute(queries.drop_staging)
        await self.conn.execute(queries.create_staging)

    async def drop_staging(self) -> None:
        await self.conn.execute(queries.drop_staging)

    async def bulk_settings(self) -> None:
        await self.conn.execute(queries.bulk_settings)

    async def copy_listings(self, rows: Iterable[Sequence[Any]]) -> None:
        await self.conn.copy_records_to_table("stg_tcgplayer_listings", records=rows, columns=LISTING_COLUMNS)

    async def copy_rejects(self, rows: Iterable[Sequence[Any]]) -> None:
        await self.conn.copy_records_to_table("tcgplayer_listing_rejects", schema_name="pricing", records=rows,
                                              columns=REJECT_COLUMNS)

    async def resolve_products(self) -> dict[str, int]:
        await self.conn.execute(queries.resolve_products)
        return dict(await self.conn.fetchrow(queries.product_counts))

    async def insert_product_rejects(self, run_id: int) -> None:
        await self.conn.execute(queries.insert_product_rejects, run_id)

    async def stage_aggregates(self, source_id: int) -> int:
        """Aggregates into stg_price_observations (see the price repository); the number staged."""
        return int((await self.conn.execute(queries.stage_aggregates, source_id)).split()[-1])
