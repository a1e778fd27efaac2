"""Bulk writes of the Scryfall loader: COPY into session staging tables, then set-based upserts."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.registry import repository

queries = load_queries(__file__, "catalog_load_queries.sql")

VERSION_STAGING_COLUMNS = (
    "card_version_id", "oracle_id", "set_code", "collector_number", "lang", "released_at", "rarity",
    "finishes", "games", "name", "printed_name", "printed_type_line", "printed_text", "flavor_text",
    "artist", "artist_ids", "illustration_id", "border_color", "frame", "frame_effects",
    "security_stamp", "full_art", "textless", "promo", "promo_types", "reprint", "variation", "digital",
    "booster", "oversized", "layout", "image_status", "image_uris", "card_faces", "multiverse_ids",
    "mtgo_id", "mtgo_foil_id", "arena_id", "tcgplayer_id", "tcgplayer_etched_id", "cardmarket_id",
    "scryfall_uri", "usd_cents", "usd_foil_cents", "usd_etched_cents", "eur_cents", "eur_foil_cents",
    "tix_cents", "content_hash", "source_hash",
)
ORACLE_STAGING_COLUMNS = (
    "oracle_id", "name", "layout", "mana_cost", "cmc", "type_line", "oracle_text", "power",
    "toughness", "loyalty", "defense", "colors", "color_identity", "color_indicator", "keywords",
    "produced_mana", "legalities", "reserved", "edhrec_rank", "faces", "content_hash", "source_rank",
)
SET_COLUMNS = (
    "set_id", "code", "name", "set_type", "released_at", "block_code", "block", "parent_set_code",
    "card_count", "printed_size", "digital", "foil_only", "nonfoil_only", "icon_svg_uri", "mtgo_code",
    "arena_code", "tcgplayer_id", "content_hash",
)


@repository("catalog_load")
class CatalogLoadRepository(BaseRepository):
    async def create_staging(self) -> None:
        await self.conn.execute(queries.create_staging)

    async def drop_staging(self) -> None:
        await self.conn.execute(queries.drop_staging)

    async def known_set_codes(self) -> set[str]:
        return {r["code"] for r in await self.conn.fetch(queries.known_set_codes)}

    async def version_hashes(self, ids: Sequence[str]) -> dict[str, str]:
        rows = await self.conn.fetch(queries.version_hashes, ids)
        return {r["id"]: r["content_hash"] for r in rows}

    async def source_hashes(self, ids: Sequence[str]) -> dict[str, str]:
        rows = await self.conn.fetch(queries.source_hashes, ids)
        return {r["id"]: r["source_hash"] for r in rows}

    async def oracle_hashes(self, ids: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
        rows = await self.conn.fetch(queries.oracle_hashes, ids)
        return {r["id"]: (r["content_hash"], r["source_rank"]) for r in rows}

    async def insert_sets_from_cards(self, rows: Sequence[tuple[str, str, str, str]]) -> list[str]:
        if not rows:
            return []
        ids, codes, names, types = (list(col) for col in zip(*rows))
        return [r["code"] for r in await self.conn.fetch(queries.insert_sets_from_cards, ids, codes, names, types)]

    async def stage_versions(self, records: Sequence[tuple]) -> None:
        await self.conn.copy_records_to_table("stg_card_versions", records=records,
                                              columns=VERSION_STAGING_COLUMNS, schema_name="pg_temp")

    async def stage_oracles(self, records: Sequence[tuple]) -> None:
        await self.conn.copy_records_to_table("stg_oracle_cards", records=records,
                                              columns=ORACLE_STAGING_COLUMNS, schema_name="pg_temp")

    async def upsert_oracle_cards(self) -> tuple[int, int]:
        inserted = int((await self.conn.execute(queries.insert_oracle_cards)).split()[-1])
        updated = int((await self.conn.execute(queries.update_oracle_cards)).split()[-1])
        return inserted, updated

    async def upsert_card_versions(self, prices_observed_at: dt.datetime) -> tuple[int, int]:
        row = await self.conn.fetchrow(queries.upsert_card_versions, prices_observed_at)
        return row["inserted"], row["updated"]

    async def replace_external_identifiers(self, existing_ids: Sequence[str]) -> int:
        """Write the staged printings' identifiers; drop stale ones of those that existed before."""
        await self.conn.execute(queries.stage_external_identifiers)
        written = int((await self.conn.execute(queries.upsert_external_identifiers)).split()[-1])
        removed = 0
        if existing_ids:
            removed = int((await self.conn.execute(queries.delete_stale_external_identifiers,
                                                   existing_ids)).split()[-1])
        return written + removed

    async def price_source_id(self, code: str) -> int:
        return await self.conn.fetchval(queries.price_source_id, code)

    async def upsert_prices(self, *, source_id: int, observed_on: dt.date, run_id: int | None) -> tuple[int, int]:
        row = await self.conn.fetchrow(queries.upsert_prices, source_id, observed_on, run_id)
        return row["observations"], row["latest"]

    async def insert_rejects(self, run_id: int | None, rejects: Sequence[tuple[str | None, str, str]]) -> None:
        if rejects:
            ids, reasons, payloads = (list(col) for col in zip(*rejects))
            await self.conn.execute(queries.insert_rejects, run_id, ids, reasons, payloads)

    async def upsert_sets(self, rows: Sequence[tuple]) -> tuple[int, int]:
        """Upsert /sets rows; a code held by a card-created set under another id is moved over."""
        if not rows:
            return 0, 0
        columns = [list(col) for col in zip(*rows)]
        moved = await self.conn.fetch(queries.sets_with_other_id, columns[0], columns[1])
        for m in moved:
            await self.conn.execute(queries.park_set_code, m["old_id"])
        row = await self.conn.fetchrow(queries.upsert_sets, *columns)
        for m in moved:
            await self.conn.execute(queries.move_versions_to_set, m["old_id"], m["new_id"])
            await self.conn.execute(queries.delete_set, m["old_id"])
        return row["inserted"], row["updated"]
