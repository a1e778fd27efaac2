"""Card reference reads and deletes: by id, search pages, names, numbers, printings.

Statements come from card_queries.sql (fragments included at load); the only per-request SQL is
the search condition from the query compiler (values as $n parameters) and whitelisted order keys.
"""
from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.kit import CompiledQuery, paginate, split_page, time_limited
from backend.repositories.registry import repository
from backend.request_handling.errors import ConflictError

queries = load_queries(__file__, "card_queries.sql")


def _compose(template: str, **parts: str) -> str:
    """Fill a statement's per-call markers ({where}, {order}, ...) with SQL built for this call."""
    for name, text in parts.items():
        template = template.replace("{" + name + "}", text)
    return template


# unique mode -> (DISTINCT ON clause, the ORDER BY that makes DISTINCT ON pick the preferred printing)
_DISTINCT = {
    "cards": ("DISTINCT ON (v.oracle_id)", "ORDER BY v.oracle_id, " + queries.preference_fragment),
    "art": ("DISTINCT ON (COALESCE(v.illustration_id, v.card_version_id))",
            "ORDER BY COALESCE(v.illustration_id, v.card_version_id), " + queries.preference_fragment),
    "prints": ("", ""),
}
# Newest first, then by set and collector number (over the columns of printings_of_oracle).
PRINTINGS_ORDER = "released_at DESC NULLS LAST, \"set\", sort_cn NULLS LAST, collector_number, lang"
SUMMARY_PRICE_FIELDS = ("usd", "usd_foil", "usd_etched", "eur", "eur_foil", "tix")


def summary_from_row(row) -> dict[str, Any]:
    item = {key: row[key] for key in (
        "id", "oracle_id", "name", "printed_name", "lang", "set", "set_name", "collector_number",
        "released_at", "rarity", "layout", "type_line", "mana_cost", "cmc", "colors", "image_uris",
        "finishes", "digital", "promo")}
    item["prices"] = {name: row[f"price_{name}"] for name in SUMMARY_PRICE_FIELDS}
    return item


def _match_from(compiled: CompiledQuery) -> str:
    return queries.from_fragment if compiled.uses_sets else queries.from_printings_fragment


def distinct_clause(compiled: CompiledQuery) -> tuple[str, str]:
    """DISTINCT ON clause and its ORDER BY; `prefer:` swaps in its own choice of printing."""
    distinct, distinct_order = _DISTINCT[compiled.options.unique]
    if compiled.preference_sql and distinct_order:
        distinct_order = distinct_order.replace(queries.preference_fragment, compiled.preference_sql)
    return distinct, distinct_order


def _search_sql(compiled: CompiledQuery, *, limit_param: str, offset_param: str) -> str:
    distinct, distinct_order = distinct_clause(compiled)
    direction = "DESC" if compiled.options.descending else "ASC"
    order = f"sort_key {direction} NULLS LAST, sort_name, sort_set, sort_cn NULLS LAST, sort_cn_text"
    page_order = ("page.sort_key " + direction + " NULLS LAST, page.sort_name, page.sort_set, "
                  "page.sort_cn NULLS LAST, page.sort_cn_text")
    if compiled.oracle_where is not None:
        return _compose(queries.search_page_oracle, sort_key=compiled.order_sql, where=compiled.oracle_where,
                        order=order, page_order=page_order, limit=limit_param, offset=offset_param)
    return _compose(queries.search_page, match_from=_match_from(compiled), distinct=distinct, distinct_order=distinct_order,
                    sort_key=compiled.order_sql, where=compiled.where, order=order,
                    page_order=page_order, limit=limit_param, offset=offset_param)


@repository("card")
class CardRepository(BaseRepository):
    async def card_json(self, card_id: uuid.UUID) -> str | None:
        return await self.conn.fetchval(queries.card_json_by_id, card_id)

    async def cards_json(self, card_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
        rows = await self.conn.fetch(queries.card_json_by_ids, card_ids)
        return {row["card_version_id"]: row["card"] for row in rows}

    # Searches run in a transaction (their planner settings and time limit are SET LOCAL); past
    # `time_limit_ms` a search raises kit.StatementTimedOut.

    async def search(self, compiled: CompiledQuery, *, limit: int, offset: int,
                     time_limit_ms: int) -> tuple[list[dict], int]:
        n = len(compiled.params)
        sql = _search_sql(compiled, limit_param=f"${n + 1}::int", offset_param=f"${n + 2}::int")
        async with time_limited(self.conn, time_limit_ms):
            await self.conn.execute(queries.custom_plans)
            rows, total = split_page(await self.conn.fetch(sql, *compiled.params, limit, offset), "id")
        return [summary_from_row(row) for row in rows], total

    async def random_id(self, compiled: CompiledQuery, *, time_limit_ms: int) -> uuid.UUID | None:
        """A uniformly random matching card. Card-level conditions pick an oracle card (count, then
        one random offset over the narrow oracle rows) and show its preferred printing."""
        async with time_limited(self.conn, time_limit_ms):
            await self.conn.execute(queries.custom_plans)
            if compiled.oracle_where is not None:
                sql = _compose(queries.random_oracle_id, where=compiled.oracle_where)
                oracle_id = await self.conn.fetchval(sql, *compiled.params)
                if oracle_id is None:
                    return None
                card_id = await self.conn.fetchval(queries.preferred_english_printing, oracle_id)
                if card_id is not None:
                    return card_id
                # A card with no English printing (rare): draw again among printings, as a search would.
            distinct, distinct_order = distinct_clause(compiled)
            sql = _compose(queries.random_card_id, match_from=_match_from(compiled), distinct=distinct,
                           distinct_order=distinct_order, where=compiled.where)
            return await self.conn.fetchval(sql, *compiled.params)

    async def oracle_cards_named(self, lowered_name: str) -> list[dict]:
        return [dict(r) for r in await self.conn.fetch(queries.oracle_ids_by_exact_name, lowered_name)]

    async def fuzzy_candidates(self, normalized: str, contains_pattern: str) -> list[dict]:
        return [dict(r) for r in await self.conn.fetch(queries.fuzzy_name_candidates, normalized, contains_pattern)]

    async def preferred_printing(self, oracle_id: uuid.UUID, *, set_code: str | None = None,
                                 lang: str | None = None) -> uuid.UUID | None:
        return await self.conn.fetchval(queries.preferred_printing, oracle_id, set_code, lang)

    async def autocomplete_prefix(self, normalized: str, include_extras: bool) -> list[str]:
        return [r["name"] for r in await self.conn.fetch(queries.autocomplete_prefix, normalized, include_extras)]

    async def autocomplete_word_start(self, like_prefix: str, include_extras: bool) -> list[str]:
        return [r["name"] for r in await self.conn.fetch(queries.autocomplete_word_start, like_prefix, include_extras)]

    async def autocomplete_similar(self, normalized: str, include_extras: bool) -> list[str]:
        return [r["name"] for r in await self.conn.fetch(queries.autocomplete_similar, normalized, include_extras)]

    async def card_id_by_number(self, set_code: str, collector_number: str, lang: str | None) -> uuid.UUID | None:
        return await self.conn.fetchval(queries.card_id_by_number, set_code, collector_number, lang)

    async def card_id_by_multiverse_id(self, multiverse_id: int) -> uuid.UUID | None:
        return await self.conn.fetchval(queries.ids_by_multiverse_id, multiverse_id)

    async def card_id_by_mtgo_id(self, mtgo_id: int) -> uuid.UUID | None:
        return await self.conn.fetchval(queries.ids_by_mtgo_id, mtgo_id)

    async def oracle_id_of(self, card_id: uuid.UUID) -> uuid.UUID | None:
        return await self.conn.fetchval(queries.oracle_id_of_card, card_id)

    async def printings(self, oracle_id: uuid.UUID, *, lang: str | None, limit: int,
                        offset: int) -> tuple[list[dict], int]:
        rows, total = await paginate(self.conn, queries.printings_of_oracle, oracle_id, lang,
                                     order_by=PRINTINGS_ORDER, limit=limit, offset=offset)
        return [summary_from_row(row) for row in rows], total

    async def exists(self, card_id: uuid.UUID) -> bool:
        return await self.conn.fetchval(queries.card_exists, card_id)

    async def delete(self, card_id: uuid.UUID) -> tuple[int, int]:
        try:
            row = await self.conn.fetchrow(queries.delete_card, card_id)
        except asyncpg.ForeignKeyViolationError as error:
            if error.constraint_name != "entries_card_version_fkey":
                raise
            raise ConflictError("this printing is in users' collections; it cannot be deleted",
                                code="card_in_use", details={"id": str(card_id)}) from None
        return row["removed"], row["orphaned"]
