"""What collections are worth: current value, value history (cached per collection) and movers.

Reads pricing.latest_prices and pricing.price_observations, never writes them; the cache lives in
user_collection.value_history / value_history_state.
"""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import orjson

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.registry import repository

queries = load_queries(__file__, "value_queries.sql")


def with_parameters(sql: str, *, cur: str = "NULL", src: str = "NULL", mult: str = "NULL",
                    scope: str = "x.collection_id = $1") -> str:
    """Fill the price markers of a statement with the parameters (or columns) that carry them."""
    return (sql.replace("{cur}", cur).replace("{src}", src).replace("{mult}", mult)
            .replace("{scope}", scope))


# Statements with their markers filled once, at import.
ENTRY_PRICES = with_parameters(queries.entry_prices, cur="$3", src="$4", mult="$5",
                               scope="x.collection_id = $1 AND x.entry_id = ANY($2::uuid[])")
COLLECTION_VALUE = with_parameters(queries.collection_value, cur="$2", src="$3", mult="$4")
PRICED_ENTRIES = with_parameters(queries.priced_entries, cur="$2", src="$3", mult="$4")
COLLECTIONS_VALUE = with_parameters(queries.collections_value, src="$2", mult="$3")
MOVERS = with_parameters(queries.movers, cur="$2", src="$3", mult="$4")
# The figures a value summary stores, in save_summary's parameter order.
SUMMARY_COLUMNS = ("entry_count", "card_count", "priced_entries", "value_cents", "prices_as_of", "cost_basis_cents",
                   "cost_basis_entries", "value_of_cost_basis_entries_cents", "unrealised_gain_cents",
                   "other_currency_only", "unpriced")


def price_join(*, cur: str, src: str) -> str:
    """The current-price join for another repository's statement (alias `price`, over entries `e` of
    the collection in $1)."""
    return with_parameters(queries.price_join_fragment, cur=cur, src=src)


def entry_value(*, mult: str) -> str:
    return with_parameters(queries.entry_value_fragment, mult=mult)


def multipliers_json(multipliers: dict[str, float]) -> str:
    return orjson.dumps({grade: str(Decimal(str(factor))) for grade, factor in multipliers.items()}).decode()


@repository("value")
class ValueRepository(BaseRepository):
    async def serial_plans(self) -> None:
        await self.conn.execute(queries.serial_plans)

    # -- current value ---------------------------------------------------------------------------
    async def entry_prices(self, collection_id: uuid.UUID, entry_ids: list[uuid.UUID], *, currency: str,
                           sources: list[str], multipliers: dict[str, float]) -> dict[uuid.UUID, dict]:
        rows = await self.conn.fetch(ENTRY_PRICES, collection_id, entry_ids, currency, sources,
                                     multipliers_json(multipliers))
        return {row["entry_id"]: dict(row) for row in rows}

    async def collection_value(self, collection_id: uuid.UUID, *, currency: str, sources: list[str],
                               multipliers: dict[str, float], unpriced_listed: int) -> dict[str, Any]:
        """The figures of a value summary (SUMMARY_COLUMNS)."""
        return dict(await self.conn.fetchrow(COLLECTION_VALUE, collection_id, currency, sources,
                                             multipliers_json(multipliers), unpriced_listed))

    async def prices_version(self) -> int:
        return await self.conn.fetchval(queries.prices_version)

    async def current_summary(self, collection_id: uuid.UUID, *, contents_version: int,
                              valuation_key: str) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(queries.current_summary, collection_id, contents_version, valuation_key)
        return dict(row) if row else None

    async def current_values(self, collections: list[tuple[uuid.UUID, int, str]]) -> dict[uuid.UUID, int]:
        """Cached values still current, of (collection id, contents version, valuation key) triples."""
        ids, versions, keys = (list(column) for column in zip(*collections)) if collections else ([], [], [])
        rows = await self.conn.fetch(queries.current_values, ids, versions, keys)
        return {row["collection_id"]: row["value_cents"] for row in rows}

    async def save_summary(self, collection_id: uuid.UUID, *, contents_version: int, valuation_key: str,
                           prices_version: int, summary: dict[str, Any]) -> None:
        await self.conn.execute(queries.save_summary, collection_id, contents_version, valuation_key,
                                prices_version, *(summary[column] for column in SUMMARY_COLUMNS))

    async def stale_summaries(self, *, usd_key: str, eur_key: str) -> list[uuid.UUID]:
        return [row["collection_id"] for row in await self.conn.fetch(queries.stale_summaries, usd_key, eur_key)]

    async def priced_entries(self, collection_id: uuid.UUID, *, currency: str, sources: list[str],
                             multipliers: dict[str, float]) -> list[dict]:
        rows = await self.conn.fetch(PRICED_ENTRIES, collection_id, currency, sources, multipliers_json(multipliers))
        return [dict(row) for row in rows]

    async def collections_value(self, collection_ids: list[uuid.UUID], *, sources: list[str],
                                multipliers: dict[str, float]) -> dict[uuid.UUID, int]:
        rows = await self.conn.fetch(COLLECTIONS_VALUE, collection_ids, sources, multipliers_json(multipliers))
        return {row["collection_id"]: row["value_cents"] for row in rows}

    async def movers(self, collection_id: uuid.UUID, *, currency: str, sources: list[str],
                     multipliers: dict[str, float], start: date) -> list[dict]:
        rows = await self.conn.fetch(MOVERS, collection_id, currency, sources, multipliers_json(multipliers), start)
        return [dict(row) for row in rows]

    # -- value history cache ---------------------------------------------------------------------
    async def history_state(self, collection_id: uuid.UUID) -> dict | None:
        row = await self.conn.fetchrow(queries.history_state, collection_id)
        return dict(row) if row else None

    async def newest_observation(self) -> date | None:
        return await self.conn.fetchval(queries.newest_observation)

    async def price_activity(self) -> str:
        return await self.conn.fetchval(queries.price_activity)

    async def history_deltas(self, collection_id: uuid.UUID, *, currency: str, sources: list[str],
                             multipliers: dict[str, float], after: date | None) -> list[dict]:
        rows = await self.conn.fetch(queries.history_deltas, collection_id, currency, sources,
                                     multipliers_json(multipliers), after)
        return [dict(row) for row in rows]

    async def history_check(self, collection_id: uuid.UUID, *, currency: str, sources: list[str],
                            multipliers: dict[str, float], through: date) -> dict:
        return dict(await self.conn.fetchrow(queries.history_check, collection_id, currency, sources,
                                             multipliers_json(multipliers), through))

    async def clear_history(self, collection_id: uuid.UUID, after: date | None = None) -> None:
        await self.conn.execute(queries.clear_history, collection_id, after)

    async def history_value_on(self, collection_id: uuid.UUID, day: date) -> Decimal | None:
        return await self.conn.fetchval(queries.history_value_on, collection_id, day)

    async def append_history(self, collection_id: uuid.UUID, *, first: date, last: date, base: Decimal,
                             deltas: list[dict]) -> None:
        await self.conn.execute(queries.append_history, collection_id, first, last, base,
                                [d["day"] for d in deltas], [d["delta"] for d in deltas],
                                [d["observations"] for d in deltas])

    async def save_history_state(self, collection_id: uuid.UUID, *, contents_version: int, valuation_key: str,
                                 observed_through: date | None, newest_seen: date | None) -> None:
        await self.conn.execute(queries.save_history_state, collection_id, contents_version, valuation_key,
                                observed_through, newest_seen)

    async def history_series(self, collection_id: uuid.UUID, start: date) -> list[dict]:
        return [dict(row) for row in await self.conn.fetch(queries.history_series, collection_id, start)]

    async def history_bounds(self, collection_id: uuid.UUID) -> tuple[date | None, date | None]:
        row = await self.conn.fetchrow(queries.history_bounds, collection_id)
        return row["first_day"], row["last_day"]

    async def collections_with_history(self) -> list[dict]:
        return [dict(row) for row in await self.conn.fetch(queries.collections_with_history)]
