"""The price store: one printing's history and latest prices, movers, and the one merge (staging ->
price_observations + latest_prices) every price load goes through."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.kit import StagingTable
from backend.repositories.registry import repository

queries = load_queries(__file__, "price_queries.sql")

OBSERVATION_STAGING = StagingTable("stg_price_observations", (
    ("card_version_id", "UUID NOT NULL"), ("source_id", "SMALLINT NOT NULL"), ("finish", "TEXT NOT NULL"),
    ("condition", "TEXT NOT NULL"), ("currency", "CHAR(3) NOT NULL"), ("price_type", "TEXT NOT NULL"),
    ("observed_on", "DATE NOT NULL"), ("price_cents", "BIGINT NOT NULL"), ("listing_count", "INTEGER"),
))


async def note_latest_prices_changed(conn) -> None:
    """Bump pricing.latest_prices_version: call it last in a transaction that changed latest_prices."""
    await conn.execute(queries.bump_latest_prices_version)


@repository("price")
class PriceRepository(BaseRepository):
    # -- reads -----------------------------------------------------------------------------------
    async def source_ids(self) -> dict[str, int]:
        return {r["code"]: r["source_id"] for r in await self.conn.fetch(queries.source_ids)}

    async def card_exists(self, card_id: uuid.UUID) -> bool:
        return await self.conn.fetchval(queries.card_exists, card_id)

    async def card_label(self, card_id: uuid.UUID) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(queries.card_label, card_id)
        return dict(row) if row else None

    async def history(self, card_id: uuid.UUID, *, first_day: dt.date, last_day: dt.date, source_id: int | None,
                      finish: str | None, currency: str | None, price_type: str | None, condition: str | None,
                      limit: int) -> list:
        """Records (read by column name), unsorted: up to a few thousand per call on the hot path."""
        return await self.conn.fetch(queries.history, card_id, first_day, last_day, source_id, finish, currency,
                                     price_type, condition, limit)

    async def latest(self, card_id: uuid.UUID) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.conn.fetch(queries.latest, card_id)]

    async def last_day(self, *, source_id: int, currency: str, price_type: str, on_or_before: dt.date) -> dt.date | None:
        return await self.conn.fetchval(queries.last_day, source_id, currency, price_type, on_or_before)

    async def movers(self, *, source_id: int, currency: str, price_type: str, now_day: dt.date, then_day: dt.date,
                     min_cents: int, limit: int, direction: str) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(queries.movers, source_id, currency, price_type, now_day, then_day, min_cents,
                                     limit, direction)
        return [dict(r) for r in rows]

    # -- writes ----------------------------------------------------------------------------------
    async def ensure_partitions(self, first_day: dt.date, last_day: dt.date) -> int:
        """Monthly partitions for [first_day, last_day] (rows of a month without one would sit in the
        default partition until it is created)."""
        return await self.conn.fetchval(queries.ensure_partitions, first_day, last_day)

    async def create_observation_staging(self) -> None:
        await self.conn.execute(OBSERVATION_STAGING.ddl)

    async def drop_observation_staging(self) -> None:
        await self.conn.execute(queries.drop_observation_staging)

    async def stage_observations(self, rows: Iterable[Sequence[Any]]) -> None:
        """COPY rows of OBSERVATION_STAGING's columns into the session's staging table (emptied on commit)."""
        await self.conn.copy_records_to_table(OBSERVATION_STAGING.name, records=rows,
                                              columns=OBSERVATION_STAGING.columns)

    async def merge_staged_observations(self, run_id: int | None) -> tuple[int, int]:
        """Staged rows into the store: (observations written, latest prices changed). Creates the month
        partitions the rows need first. Run inside a transaction (the staging table empties on commit)."""
        first, last = await self.conn.fetchrow(queries.staged_day_range)
        if first is None:
            return 0, 0
        await self.ensure_partitions(first, last)
        row = await self.conn.fetchrow(queries.merge_staged_observations, run_id)
        if row["latest"]:
            await note_latest_prices_changed(self.conn)
        return row["observations"], row["latest"]
