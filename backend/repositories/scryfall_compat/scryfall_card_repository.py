"""Card objects for the Scryfall-compatible API: by id and other identifiers, and search pages.

Statements come from scryfall_card_queries.sql; the only per-call SQL is the search condition from
the catalog's query compiler (values as $n parameters) and the fixed order templates below.
"""
from __future__ import annotations

import uuid

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.card_catalog.card_repository import distinct_clause
from backend.repositories.kit import CompiledQuery, time_limited
from backend.repositories.registry import repository

queries = load_queries(__file__, "scryfall_card_queries.sql")

# unique mode -> (DISTINCT ON clause, the ORDER BY that makes DISTINCT ON pick the preferred printing)
# Scryfall's name order ignores spaces and punctuation ("Darkpact" before "Dark Ritual").
NAME_KEY = "replace(o.name_norm, ' ', '')"
# Identifier kind -> the statement that finds its printing.
_ID_QUERIES = {
    "multiverse": queries.id_by_multiverse, "mtgo": queries.id_by_mtgo, "arena": queries.id_by_arena,
    "tcgplayer": queries.id_by_tcgplayer, "cardmarket": queries.id_by_cardmarket,
}
ID_KINDS = frozenset(_ID_QUERIES)


def _fill(template: str, **parts: str) -> str:
    for name, text in parts.items():
        template = template.replace("{" + name + "}", text)
    return template


def search_sql(compiled: CompiledQuery, *, limit_param: str, offset_param: str) -> str:
    options = compiled.options
    direction = "DESC" if options.descending else "ASC"
    sort_key = NAME_KEY if options.order == "name" else compiled.order_sql
    order = f"sort_key {direction} NULLS LAST, sort_name, sort_set, sort_cn NULLS LAST, sort_cn_text, card_version_id"
    page_order = (f"page.sort_key {direction} NULLS LAST, page.sort_name, page.sort_set, page.sort_cn NULLS LAST, "
                  "page.sort_cn_text, page.card_version_id")
    common = {"sort_key": sort_key, "name_key": NAME_KEY, "order": order, "page_order": page_order,
              "limit": limit_param, "offset": offset_param}
    if compiled.oracle_where is not None:
        return _fill(queries.search_page_oracle, where=compiled.oracle_where, **common)
    distinct, distinct_order = distinct_clause(compiled)
    match_from = queries.from_sets_fragment if compiled.uses_sets else queries.from_printings_fragment
    return _fill(queries.search_page, match_from=match_from, distinct=distinct, distinct_order=distinct_order,
                 where=compiled.where, **common)


@repository("scryfall_card")
class ScryfallCardRepository(BaseRepository):
    async def document(self, card_id: uuid.UUID) -> str | None:
        return await self.conn.fetchval(queries.document_by_id, card_id)

    async def documents(self, card_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
        rows = await self.conn.fetch(queries.documents_by_ids, card_ids)
        return {row["id"]: row["card"] for row in rows}

    async def search(self, compiled: CompiledQuery, *, limit: int, offset: int,
                     time_limit_ms: int) -> tuple[list[str], int]:
        n = len(compiled.params)
        sql = search_sql(compiled, limit_param=f"${n + 1}::int", offset_param=f"${n + 2}::int")
        async with time_limited(self.conn, time_limit_ms):
            await self.conn.execute(queries.custom_plans)
            rows = await self.conn.fetch(sql, *compiled.params, limit, offset)
        total = rows[0]["total_count"] if rows else 0
        return [row["card"] for row in rows if row["id"] is not None], total

    async def id_by_number(self, set_code: str, collector_number: str, lang: str | None) -> uuid.UUID | None:
        return await self.conn.fetchval(queries.id_by_number, set_code, collector_number, lang)

    async def id_by(self, kind: str, value: int) -> uuid.UUID | None:
        return await self.conn.fetchval(_ID_QUERIES[kind], value)

    async def preferred_by_oracle(self, oracle_id: uuid.UUID, set_code: str | None = None) -> uuid.UUID | None:
        return await self.conn.fetchval(queries.preferred_by_oracle, oracle_id, set_code)

    async def preferred_by_illustration(self, illustration_id: uuid.UUID) -> uuid.UUID | None:
        return await self.conn.fetchval(queries.preferred_by_illustration, illustration_id)

    async def preferred_by_name(self, lowered_name: str, set_code: str | None = None) -> uuid.UUID | None:
        return await self.conn.fetchval(queries.preferred_by_name, lowered_name, set_code)

    async def existing_ids(self, card_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        return {row[0] for row in await self.conn.fetch(queries.existing_ids, card_ids)}
