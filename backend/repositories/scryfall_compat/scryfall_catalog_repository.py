"""Distinct values behind Scryfall's catalogs (names, artists, type lines, stats, keywords, watermarks)."""
from __future__ import annotations

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.registry import repository

queries = load_queries(__file__, "scryfall_catalog_queries.sql")
STATS = frozenset({"power", "toughness", "loyalty"})


@repository("scryfall_catalog")
class ScryfallCatalogRepository(BaseRepository):
    async def _column(self, sql: str, *args) -> list[str]:
        return [row[0] for row in await self.conn.fetch(sql, *args)]

    async def card_names(self) -> list[str]:
        return await self._column(queries.card_names)

    async def artist_names(self) -> list[str]:
        return await self._column(queries.artist_names)

    async def type_lines(self) -> list[str]:
        return await self._column(queries.type_lines)

    async def stat_values(self, stat: str) -> list[str]:
        if stat not in STATS:
            raise ValueError(f"unknown stat {stat!r}")
        return await self._column(queries.stat_values, stat)

    async def keywords(self) -> list[str]:
        return await self._column(queries.keywords)

    async def watermarks(self) -> list[str]:
        return await self._column(queries.watermarks)

    async def flavor_word_candidates(self) -> list[str]:
        return await self._column(queries.flavor_word_lines)

    async def version(self) -> str:
        return await self.conn.fetchval(queries.catalog_version)
