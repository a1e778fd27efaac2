"""Importing a collection file set-wise: stage rows (COPY), resolve them to printings, fold them into
entries, compare with the collection, apply. Runs on the caller's connection and transaction."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
import orjson

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.kit import StagingTable
from backend.repositories.registry import repository
from backend.request_handling.errors import UnprocessableError
from backend.schemas.user_collection.entry import MAX_QUANTITY

queries = load_queries(__file__, "collection_import_queries.sql")

ROW_STAGING = StagingTable("import_rows", (
    ("line", "INTEGER NOT NULL"), ("quantity", "INTEGER NOT NULL"), ("name", "TEXT"), ("set_code", "TEXT"),
    ("set_name", "TEXT"), ("collector_number", "TEXT"), ("language", "TEXT"), ("finish", "TEXT NOT NULL"),
    ("condition", "TEXT"), ("scryfall_id", "UUID"), ("tcgplayer_id", "BIGINT"), ("multiverse_id", "BIGINT"),
    ("price_cents", "BIGINT"), ("currency", "TEXT"), ("acquired_at", "DATE"), ("tags", "TEXT[]"),
    ("notes", "TEXT"), ("raw", "TEXT"),
    # Filled by resolution.
    ("card_version_id", "UUID"), ("resolved_by", "TEXT"), ("finish_ok", "BOOLEAN"), ("printing_lang", "TEXT"),
))
STAGED_COLUMNS = ROW_STAGING.columns[:ROW_STAGING.position("raw") + 1]
ENTRY_STAGING = StagingTable("import_entries", (
    ("card_version_id", "UUID NOT NULL"), ("finish", "TEXT NOT NULL"), ("condition", "TEXT NOT NULL"),
    ("language", "TEXT NOT NULL"), ("quantity", "BIGINT NOT NULL"), ("price_cents", "BIGINT"), ("currency", "TEXT"),
    ("acquired_at", "DATE"), ("tags", "TEXT[]"), ("notes", "TEXT"), ("lines", "INTEGER[] NOT NULL"),
    ("entry_id", "UUID"), ("quantity_before", "INTEGER"), ("unchanged", "BOOLEAN"),
))
# In this order: the first method that finds a printing wins.
RESOLUTION_ORDER = (
    ("scryfall_id", queries.resolve_by_scryfall_id), ("set_number", queries.resolve_by_set_number),
    ("tcgplayer_id", queries.resolve_by_tcgplayer_id), ("multiverse_id", queries.resolve_by_multiverse_id),
    ("name_set", queries.resolve_by_name_and_set), ("name_guess", queries.resolve_by_name),
)


@repository("collection_import")
class CollectionImportRepository(BaseRepository):
    async def create_staging(self) -> None:
        for table in (ROW_STAGING, ENTRY_STAGING):
            await self.conn.execute(table.ddl)
            await self.conn.execute(f"TRUNCATE pg_temp.{table.name}")

    async def stage_rows(self, records: Sequence[tuple]) -> None:
        await self.conn.copy_records_to_table(ROW_STAGING.name, records=records, columns=STAGED_COLUMNS,
                                              schema_name="pg_temp")

    async def resolve(self, collection_id: uuid.UUID, currency: str, *, foil_covers_etched: bool) -> None:
        for method, statement in RESOLUTION_ORDER:
            # A method runs only while some unresolved row carries what it matches on: most files are
            # resolved whole by their first method, and the name matches are the costly ones.
            pending = await self.conn.fetchrow(queries.pending_methods)
            if pending[method]:
                await self.conn.execute(statement)
        if foil_covers_etched:
            await self.conn.execute(queries.foil_as_etched)
        await self.conn.execute(queries.take_sole_entry_defaults, collection_id)
        await self.conn.execute(queries.take_defaults, currency)

    async def resolution_counts(self) -> dict[str, Any]:
        row = await self.conn.fetchrow(queries.resolution_counts)
        return {"rows": row["rows"], "resolved": row["resolved"], "resolved_by": orjson.loads(row["resolved_by"])}

    async def problem_rows(self, limit: int) -> list[dict]:
        return [dict(row) for row in await self.conn.fetch(queries.problem_rows, limit)]

    async def guessed_rows(self, limit: int) -> list[dict]:
        return [dict(row) for row in await self.conn.fetch(queries.guessed_rows, limit)]

    async def plan(self, collection_id: uuid.UUID, mode: str, *, limit: int) -> tuple[dict, list[dict]]:
        await self.conn.execute(queries.fold_entries)
        await self.conn.execute(queries.match_existing, collection_id)
        counts = dict(await self.conn.fetchrow(queries.planned_counts, collection_id, mode))
        changes = [dict(row) for row in await self.conn.fetch(queries.planned_changes, collection_id, mode, limit)]
        return counts, changes

    async def analyze_entries(self) -> None:
        await self.conn.execute(queries.analyze_entries)

    async def apply(self, collection_id: uuid.UUID, mode: str) -> None:
        try:
            async with self.conn.transaction():
                await self.conn.execute(queries.apply_to_existing, collection_id, mode)
                if mode == "sync":   # before the new entries go in (they are in no file row's entry_id)
                    await self.conn.execute(queries.remove_unlisted, collection_id)
                await self.conn.execute(queries.insert_new, collection_id)
        except (asyncpg.CheckViolationError, asyncpg.NumericValueOutOfRangeError):
            raise UnprocessableError(f"the import would put more than {MAX_QUANTITY:,} copies in one entry",
                                     code="quantity_too_large", details={"max_quantity": MAX_QUANTITY}) from None
