"""Bulk writes of the Scryfall loader: COPY into session staging tables, then set-based upserts."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import orjson

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.kit import StagingTable
from backend.repositories.pricing.price_repository import note_latest_prices_changed
from backend.repositories.registry import repository

queries = load_queries(__file__, "catalog_load_queries.sql")

# The staging tables, each defined once: their DDL, their COPY column lists and the order of the
# tuples the normaliser builds (catalog_load/normalize.py) all come from these.
VERSION_STAGING = StagingTable("stg_card_versions", (
    ("card_version_id", "UUID NOT NULL"), ("oracle_id", "UUID NOT NULL"), ("set_code", "TEXT NOT NULL"),
    ("collector_number", "TEXT NOT NULL"), ("lang", "TEXT NOT NULL"), ("released_at", "DATE"),
    ("rarity", "TEXT NOT NULL"), ("finishes", "TEXT[] NOT NULL"), ("games", "TEXT[] NOT NULL"),
    ("name", "TEXT NOT NULL"), ("printed_name", "TEXT"), ("printed_type_line", "TEXT"), ("printed_text", "TEXT"),
    ("flavor_text", "TEXT"), ("artist", "TEXT"), ("artist_ids", "UUID[]"), ("illustration_id", "UUID"),
    ("border_color", "TEXT"), ("frame", "TEXT"), ("frame_effects", "TEXT[] NOT NULL"), ("security_stamp", "TEXT"),
    ("full_art", "BOOLEAN NOT NULL"), ("textless", "BOOLEAN NOT NULL"), ("promo", "BOOLEAN NOT NULL"),
    ("promo_types", "TEXT[] NOT NULL"), ("reprint", "BOOLEAN NOT NULL"), ("variation", "BOOLEAN NOT NULL"),
    ("digital", "BOOLEAN NOT NULL"), ("booster", "BOOLEAN NOT NULL"), ("oversized", "BOOLEAN NOT NULL"),
    ("layout", "TEXT NOT NULL"), ("image_status", "TEXT"), ("image_uris", "TEXT"), ("card_faces", "TEXT"),
    ("multiverse_ids", "INTEGER[] NOT NULL"), ("mtgo_id", "INTEGER"), ("mtgo_foil_id", "INTEGER"),
    ("arena_id", "INTEGER"), ("tcgplayer_id", "INTEGER"), ("tcgplayer_etched_id", "INTEGER"),
    ("cardmarket_id", "INTEGER"), ("scryfall_uri", "TEXT"), ("watermark", "TEXT"),
    ("highres_image", "BOOLEAN NOT NULL"), ("story_spotlight", "BOOLEAN NOT NULL"), ("previewed_at", "DATE"),
    ("preview_source", "TEXT"), ("penny_rank", "INTEGER"),
    ("usd_cents", "BIGINT"), ("usd_foil_cents", "BIGINT"), ("usd_etched_cents", "BIGINT"), ("eur_cents", "BIGINT"),
    ("eur_foil_cents", "BIGINT"), ("tix_cents", "BIGINT"),
    ("content_hash", "TEXT NOT NULL"), ("source_hash", "TEXT"),
))
ORACLE_STAGING = StagingTable("stg_oracle_cards", (
    ("oracle_id", "UUID NOT NULL"), ("name", "TEXT NOT NULL"), ("layout", "TEXT NOT NULL"), ("mana_cost", "TEXT"),
    ("cmc", "DOUBLE PRECISION NOT NULL"), ("type_line", "TEXT"), ("oracle_text", "TEXT"), ("power", "TEXT"),
    ("toughness", "TEXT"), ("loyalty", "TEXT"), ("defense", "TEXT"), ("colors", "TEXT[] NOT NULL"),
    ("color_identity", "TEXT[] NOT NULL"), ("color_indicator", "TEXT[]"), ("keywords", "TEXT[] NOT NULL"),
    ("produced_mana", "TEXT[]"), ("legalities", "TEXT NOT NULL"), ("reserved", "BOOLEAN NOT NULL"),
    ("edhrec_rank", "INTEGER"), ("faces", "TEXT"), ("content_hash", "TEXT NOT NULL"), ("source_rank", "TEXT NOT NULL"),
))
# Printings and oracle cards not stored yet are COPied straight into the catalog. The staging tuples
# hold JSON as text (for hashing); orjson.Fragment passes that text through the jsonb codec as is.
_VERSION_JSON = tuple(VERSION_STAGING.position(c) for c in ("image_uris", "card_faces"))
_ORACLE_JSON = tuple(ORACLE_STAGING.position(c) for c in ("legalities", "faces"))
_FIRST_PRICE = VERSION_STAGING.position("usd_cents")
_HASHES = VERSION_STAGING.position("content_hash")
VERSION_TABLE_COLUMNS = VERSION_STAGING.columns[:_FIRST_PRICE] + (
    "set_id", "price_usd", "price_usd_foil", "price_usd_etched", "price_eur", "price_eur_foil", "price_tix",
    "prices_updated_at", "content_hash", "source_hash", "source_date")
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
    async def tune_bulk_session(self) -> None:
        """Session settings for a long bulk load (see session_settings); reset when the connection
        goes back to the pool."""
        await self.conn.execute(queries.session_settings)

    async def create_staging(self) -> None:
        await self.conn.execute(VERSION_STAGING.ddl)
        await self.conn.execute(ORACLE_STAGING.ddl)

    async def drop_staging(self) -> None:
        await self.conn.execute(queries.drop_staging)

    async def set_ids(self, codes: Sequence[str] | None = None) -> dict[str, str]:
        """Set code -> set id, for every set or for `codes`."""
        rows = await (self.conn.fetch(queries.set_ids) if codes is None
                      else self.conn.fetch(queries.set_ids_for_codes, list(codes)))
        return {r["code"]: r["set_id"] for r in rows}

    async def version_hashes(self, ids: Sequence[str]) -> dict[str, tuple[str, dt.date | None]]:
        """Printing id -> (content hash, source date) of the stored printings among `ids`."""
        rows = await self.conn.fetch(queries.version_hashes, ids)
        return {r["id"]: (r["content_hash"], r["source_date"]) for r in rows}

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
        await self.conn.copy_records_to_table(VERSION_STAGING.name, records=records,
                                              columns=VERSION_STAGING.columns, schema_name="pg_temp")

    async def stage_oracles(self, records: Sequence[tuple]) -> None:
        await self.conn.copy_records_to_table(ORACLE_STAGING.name, records=records,
                                              columns=ORACLE_STAGING.columns, schema_name="pg_temp")

    async def copy_oracle_cards(self, records: Sequence[tuple]) -> None:
        """Insert oracle cards known to be new (a duplicate key raises UniqueViolationError)."""
        rows = sorted((_with_fragments(r, _ORACLE_JSON) for r in records), key=lambda r: r[0])
        await self.conn.copy_records_to_table("oracle_cards", schema_name="card_catalog", records=rows,
                                              columns=ORACLE_STAGING.columns)

    async def copy_card_versions(self, records: Sequence[tuple], set_ids: Sequence[str | None],
                                 prices_observed_at: dt.datetime, source_date: dt.date) -> None:
        """Insert printings known to be new, given as staging tuples and their sets' ids."""
        def rows():   # built as COPY consumes them: no second copy of the batch in memory
            for record, set_id in zip(records, set_ids):
                row = _with_fragments(record[:_FIRST_PRICE], _VERSION_JSON)
                cents = record[_FIRST_PRICE:_HASHES]
                row.append(set_id)
                row.extend(None if c is None else Decimal(c).scaleb(-2) for c in cents)
                row.append(prices_observed_at if any(c is not None for c in cents) else None)
                row.extend(record[_HASHES:])
                row.append(source_date)
                yield row
        await self.conn.copy_records_to_table("card_versions", schema_name="card_catalog", records=rows(),
                                              columns=VERSION_TABLE_COLUMNS)

    async def ensure_price_partition(self, observed_on: dt.date) -> None:
        await self.conn.fetchval(queries.ensure_price_partition, observed_on)

    async def copy_documents(self, documents: Sequence[tuple[str, str]]) -> None:
        """The card objects (id, JSON text) of printings just inserted."""
        await self.conn.copy_records_to_table(
            "card_documents", schema_name="card_catalog", columns=("card_version_id", "document"),
            records=[(card_id, orjson.Fragment(text)) for card_id, text in documents])

    async def upsert_documents(self, documents: Sequence[tuple[str, str]]) -> None:
        """The card objects (id, JSON text) of printings written by the upsert (new or changed)."""
        if documents:
            ids, texts = (list(col) for col in zip(*sorted(documents)))
            await self.conn.execute(queries.upsert_documents, ids, texts)

    async def refresh_documents(self, documents: Sequence[tuple[str, str]]) -> None:
        """Store the card objects (id, JSON text) of unchanged printings where they differ or are missing."""
        if documents:
            ids, texts = (list(col) for col in zip(*sorted(documents)))
            await self.conn.execute(queries.refresh_documents, ids, texts)

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

    async def upsert_card_versions(self, prices_observed_at: dt.datetime, *, source_date: dt.date,
                                   force: bool = False) -> tuple[int, int]:
        """Upsert the staged printings; one stored from data newer than `source_date` is kept unless `force`."""
        row = await self.conn.fetchrow(queries.upsert_card_versions, prices_observed_at, source_date, force)
        return row["inserted"], row["updated"]

    async def price_source_id(self, code: str) -> int:
        return await self.conn.fetchval(queries.price_source_id, code)

    async def upsert_prices(self, *, source_id: int, observed_on: dt.date, run_id: int | None) -> tuple[int, int]:
        row = await self.conn.fetchrow(queries.upsert_prices, source_id, observed_on, run_id)
        return row["observations"], row["latest"]

    async def note_prices_changed(self) -> None:
        """Last in a transaction that wrote current prices (see pricing.latest_prices_version)."""
        await note_latest_prices_changed(self.conn)

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
