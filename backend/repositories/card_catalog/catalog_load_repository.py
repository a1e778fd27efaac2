"""Bulk writes of the Scryfall loader: COPY into session staging tables, then set-based upserts."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import orjson

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
# Printings and oracle cards not stored yet are COPied straight into the catalog. The staging tuples
# hold JSON as text (for hashing); orjson.Fragment passes that text through the jsonb codec as is.
_VERSION_JSON = tuple(VERSION_STAGING_COLUMNS.index(c) for c in ("image_uris", "card_faces"))
_ORACLE_JSON = tuple(ORACLE_STAGING_COLUMNS.index(c) for c in ("legalities", "faces"))
_FIRST_PRICE = VERSION_STAGING_COLUMNS.index("usd_cents")
_HASHES = VERSION_STAGING_COLUMNS.index("content_hash")
VERSION_TABLE_COLUMNS = VERSION_STAGING_COLUMNS[:_FIRST_PRICE] + (
    "set_id", "price_usd", "price_usd_foil", "price_usd_etched", "price_eur", "price_eur_foil", "price_tix",
    "prices_updated_at", "content_hash", "source_hash")
PRICE_COLUMNS = ("card_version_id", "source_id", "finish", "condition", "currency", "price_type", "observed_on",
                 "price_cents")


def _with_fragments(row: tuple, positions: tuple[int, ...]) -> list:
    out = list(row)
    for i in positions:
        if out[i] is not None:
            out[i] = orjson.Fragment(out[i])
    return out


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

    async def set_ids(self, codes: Sequence[str] | None = None) -> dict[str, str]:
        """Set code -> set id, for every set or for `codes`."""
        rows = await (self.conn.fetch(queries.set_ids) if codes is None
                      else self.conn.fetch(queries.set_ids_for_codes, list(codes)))
        return {r["code"]: r["set_id"] for r in rows}

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

    async def copy_oracle_cards(self, records: Sequence[tuple]) -> None:
        """Insert oracle cards known to be new (a duplicate key raises UniqueViolationError)."""
        rows = sorted((_with_fragments(r, _ORACLE_JSON) for r in records), key=lambda r: r[0])
        await self.conn.copy_records_to_table("oracle_cards", schema_name="card_catalog", records=rows,
                                              columns=ORACLE_STAGING_COLUMNS)

    async def copy_card_versions(self, records: Sequence[tuple], set_ids: Sequence[str | None],
                                 prices_observed_at: dt.datetime) -> None:
        """Insert printings known to be new, given as staging tuples and their sets' ids."""
        def rows():   # built as COPY consumes them: no second copy of the batch in memory
            for record, set_id in zip(records, set_ids):
                row = _with_fragments(record[:_FIRST_PRICE], _VERSION_JSON)
                cents = record[_FIRST_PRICE:_HASHES]
                row.append(set_id)
                row.extend(None if c is None else Decimal(c).scaleb(-2) for c in cents)
                row.append(prices_observed_at if any(c is not None for c in cents) else None)
                row.extend(record[_HASHES:])
                yield row
        await self.conn.copy_records_to_table("card_versions", schema_name="card_catalog", records=rows(),
                                              columns=VERSION_TABLE_COLUMNS)

    async def copy_new_prices(self, prices: Sequence[tuple[str, str, str, int]], *, source_id: int,
                              observed_on: dt.date, run_id: int | None) -> None:
        """The day's (printing, finish, currency, cents) of printings just inserted: an observation and
        the latest price each."""
        latest = [(card, source_id, finish, "NM", currency, "market", observed_on, cents)
                  for card, finish, currency, cents in prices]
        await self.conn.copy_records_to_table("price_observations", schema_name="pricing",
                                              records=[row + (run_id,) for row in latest],
                                              columns=PRICE_COLUMNS + ("run_id",))
        await self.conn.copy_records_to_table("latest_prices", schema_name="pricing", records=latest,
                                              columns=PRICE_COLUMNS)

    async def upsert_oracle_cards(self) -> tuple[int, int]:
        inserted = int((await self.conn.execute(queries.insert_oracle_cards)).split()[-1])
        updated = int((await self.conn.execute(queries.update_oracle_cards)).split()[-1])
        return inserted, updated

    async def upsert_card_versions(self, prices_observed_at: dt.datetime) -> tuple[int, int]:
        row = await self.conn.fetchrow(queries.upsert_card_versions, prices_observed_at)
        return row["inserted"], row["updated"]

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
