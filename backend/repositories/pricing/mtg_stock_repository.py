"""MTGStocks staging: raw answers per print, the catalog printings a print may be, and rejects."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.registry import repository

queries = load_queries(__file__, "mtg_stock_queries.sql")


@repository("mtg_stock")
class MtgStockRepository(BaseRepository):
    async def stage_print(self, print_id: int, details_json: str | None, prices_json: str | None,
                          run_id: int | None) -> None:
        await self.conn.execute(queries.stage_print, print_id, details_json, prices_json, run_id)

    async def fresh_print_ids(self, print_ids: Sequence[int], max_age_seconds: float) -> set[int]:
        rows = await self.conn.fetch(queries.fresh_print_ids, list(print_ids), float(max_age_seconds))
        return {r["print_id"] for r in rows}

    async def staged_print(self, print_id: int) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(queries.staged_print, print_id)
        return dict(row) if row else None

    async def mark_resolved(self, print_id: int, card_version_id: uuid.UUID, finish: str, resolved_by: str,
                            points: int) -> None:
        await self.conn.execute(queries.mark_resolved, print_id, card_version_id, finish, resolved_by, points)
        await self.conn.execute(queries.delete_reject, print_id)

    async def reject(self, print_id: int, reason: str, detail: str | None, *, run_id: int | None,
                     candidates: Sequence[uuid.UUID] = ()) -> None:
        await self.conn.execute(queries.mark_unresolved, print_id)
        await self.conn.execute(queries.upsert_reject, print_id, reason, (detail or "")[:1000] or None,
                                list(candidates) or None, run_id)

    async def retryable_rejects(self, limit: int) -> list[int]:
        return [r["print_id"] for r in await self.conn.fetch(queries.retryable_rejects, limit)]

    async def reject_counts(self) -> dict[str, int]:
        return {r["reason"]: r["prints"] for r in await self.conn.fetch(queries.reject_counts)}

    # -- resolution candidates (card_versions rows with the columns variant tags are checked against)
    async def by_scryfall_id(self, scryfall_id: uuid.UUID) -> list[dict]:
        return [dict(r) for r in await self.conn.fetch(queries.by_scryfall_id, scryfall_id)]

    async def by_tcgplayer_id(self, tcg_id: int) -> list[dict]:
        return [dict(r) for r in await self.conn.fetch(queries.by_tcgplayer_id, tcg_id)]

    async def by_cardmarket_id(self, mkm_id: int) -> list[dict]:
        return [dict(r) for r in await self.conn.fetch(queries.by_cardmarket_id, mkm_id)]

    async def by_multiverse_id(self, multiverse_id: int) -> list[dict]:
        return [dict(r) for r in await self.conn.fetch(queries.by_multiverse_id, multiverse_id)]

    async def by_set_number(self, set_codes: Sequence[str], number: str) -> list[dict]:
        return [dict(r) for r in await self.conn.fetch(queries.by_set_number, list(set_codes), number)]

    async def by_set_name(self, set_codes: Sequence[str], name: str) -> list[dict]:
        return [dict(r) for r in await self.conn.fetch(queries.by_set_name, list(set_codes), name)]
