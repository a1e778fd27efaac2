"""One collection import, on repositories the caller opened (its transaction): read the file as a stream,
stage its rows, resolve them to printings set-wise, plan the changes, apply them unless asked not to.

Shared by the inline import (a request) and the background job (a worker); the rules are in
docs/collections.md: resolution order, add/sync, dry runs, all-or-nothing unless skip_unresolved.
"""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from backend.new_services.user_collection.collection_service import owned_collection
from backend.new_services.user_collection.formats import (
    FIELD_SUPPORT,
    FINISH_SUPPORT,
    ImportRow,
    RowError,
    read_collection,
)
from backend.request_handling.errors import UnprocessableError
from backend.schemas.user_collection.entry import MAX_PURCHASE_PRICE, MAX_TAGS
from backend.schemas.user_collection.imports import MAX_REPORTED_ROWS

BATCH_ROWS = 5000
ANALYZE_AFTER_ROWS = 1000   # entries added or removed by one import that make its statistics stale
MAX_NOTE = 2000
MAX_TAG = 50
Progress = Callable[[dict[str, Any]], Awaitable[None]]


class ImportProblemsError(UnprocessableError):
    """Rows could not be imported and skip_unresolved was not asked for: nothing was changed."""

    code = "import_has_problems"


def _problem(line: int, column: str | None, value: str | None, reason: str, row: dict | None) -> dict[str, Any]:
    return {"line": line, "column": column, "value": value, "reason": reason, "row": row or {}}


def _checked(row: ImportRow) -> RowError | None:
    """What the database would refuse, said about the row instead."""
    if row.purchase_price is not None and row.purchase_price > MAX_PURCHASE_PRICE:
        return RowError(row.line, "purchase_price", str(row.purchase_price),
                        f"the price is more than {MAX_PURCHASE_PRICE:,}; is this column really a price?")
    if row.notes is not None and len(row.notes) > MAX_NOTE:
        return RowError(row.line, "notes", row.notes[:50] + "...", f"the note is longer than {MAX_NOTE} characters")
    if len(row.tags) > MAX_TAGS or any(len(tag) > MAX_TAG for tag in row.tags):
        return RowError(row.line, "tags", ", ".join(row.tags)[:100], f"at most {MAX_TAGS} tags of up to "
                        f"{MAX_TAG} characters each")
    return None


def _record(row: ImportRow, keeps_tags: bool) -> tuple:
    cents = None if row.purchase_price is None else int((row.purchase_price * 100).to_integral_value())
    return (row.line, row.quantity, row.name, row.set_code, row.set_name, row.collector_number, row.language,
            row.finish, row.condition, row.scryfall_id, row.tcgplayer_product_id, row.multiverse_id, cents,
            row.purchase_currency, row.acquired_at, list(row.tags) if keeps_tags else None, row.notes,
            orjson.dumps(row.raw).decode())


def _unresolved_reason(row: dict[str, Any]) -> tuple[str | None, str]:
    """(the column to blame, why) for a staged row that did not become an entry."""
    if row["card_version_id"] is not None:
        return "finish", (f"{row['printing_name']} ({row['printing_set'].upper()} {row['printing_number']}) has no "
                          f"{row['finish']} finish; it comes as {', '.join(row['finishes']) or 'no known finish'}")
    tried = []
    if row["scryfall_id"] is not None:
        tried.append(f"Scryfall id {row['scryfall_id']} is not in the catalog")
    if row["set_code"] and row["collector_number"]:
        tried.append(f"no printing {row['set_code'].upper()} #{row['collector_number']}")
    if row["tcgplayer_id"] is not None:
        tried.append(f"no printing with TCGplayer product id {row['tcgplayer_id']}")
    if row["multiverse_id"] is not None:
        tried.append(f"no printing with multiverse id {row['multiverse_id']}")
    if row["name"]:
        tried.append(f"no card named {row['name']!r}")
    return ("name" if row["name"] else None), "; ".join(tried) or "the row names no card"


async def import_file(collection_repository, collection_import_repository, *, owner_id: str,
                      collection_id: uuid.UUID, path: Path, format: str = "auto", mode: str = "add",
                      dry_run: bool = False, skip_unresolved: bool = False,
                      progress: Progress | None = None) -> dict[str, Any]:
    collection = await owned_collection(collection_repository, owner_id, collection_id, lock=True)
    await collection_import_repository.create_staging()
    parse_problems: list[dict] = []
    parse_problem_count = 0
    with open(path, "rb") as stream:
        reader = read_collection(stream, format=format)
        keeps_tags = "tags" in FIELD_SUPPORT[reader.format]
        read = 0

        def next_batch() -> list[tuple]:
            """Parse up to BATCH_ROWS rows (in a thread: the event loop keeps serving meanwhile)."""
            nonlocal read, parse_problem_count
            batch: list[tuple] = []
            for item in reader:
                read += 1
                if isinstance(item, ImportRow):
                    item = _checked(item) or item
                if isinstance(item, RowError):
                    parse_problem_count += 1
                    if len(parse_problems) < MAX_REPORTED_ROWS:
                        parse_problems.append(_problem(item.line, item.column, item.value, item.reason, None))
                    continue
                batch.append(_record(item, keeps_tags))
                if len(batch) >= BATCH_ROWS:
                    break
            return batch

        # The next batch is parsed while the previous one is copied into the staging table.
        parsing = asyncio.ensure_future(asyncio.to_thread(next_batch))
        while batch := await parsing:
            parsing = asyncio.ensure_future(asyncio.to_thread(next_batch))
            try:
                await collection_import_repository.stage_rows(batch)
            except BaseException:
                await asyncio.gather(parsing, return_exceptions=True)   # never leave the thread reading
                raise
            if progress is not None:
                await progress({"stage": "reading", "rows_read": read})
    if progress is not None:
        await progress({"stage": "resolving", "rows_read": read})
    await collection_import_repository.resolve(collection_id, collection["currency"],
                                               foil_covers_etched="etched" not in FINISH_SUPPORT[reader.format])
    counts = await collection_import_repository.resolution_counts()
    unresolved_rows = await collection_import_repository.problem_rows(MAX_REPORTED_ROWS)
    problems = parse_problems + [
        _problem(row["line"], column, None, reason, orjson.loads(row["raw"]))
        for row in unresolved_rows for column, reason in [_unresolved_reason(row)]]
    problems.sort(key=lambda p: p["line"])
    unresolved = parse_problem_count + counts["rows"] - counts["resolved"]
    guesses = [_problem(row["line"], "name", None,
                        f"matched by name alone: {row['name']} ({row['set_code'].upper()} {row['collector_number']}), "
                        "the newest paper printing", orjson.loads(row["raw"]))
               for row in await collection_import_repository.guessed_rows(MAX_REPORTED_ROWS)]
    planned, changes = await collection_import_repository.plan(collection_id, mode, limit=MAX_REPORTED_ROWS)
    report = {
        "collection_id": collection_id, "format": reader.format, "mode": mode, "dry_run": dry_run, "applied": False,
        "rows": read, "resolved": counts["resolved"], "unresolved": unresolved, "resolved_by": counts["resolved_by"],
        "guesses": guesses, "problems": problems[:MAX_REPORTED_ROWS], **planned, "changes": changes,
        "truncated": (unresolved > MAX_REPORTED_ROWS or len(changes) >= MAX_REPORTED_ROWS
                      or len(guesses) >= MAX_REPORTED_ROWS),
    }
    if unresolved and not skip_unresolved and not dry_run:
        raise ImportProblemsError(
            f"{unresolved} of {read} rows cannot be imported (first: line {problems[0]['line']}: "
            f"{problems[0]['reason']}); nothing was changed. Fix them, or import with skip_unresolved=true",
            details=orjson.loads(orjson.dumps(report, default=_json_default)))
    if dry_run:
        return report
    if planned["added"] or planned["changed"] or planned["removed"]:
        if progress is not None:
            await progress({"stage": "writing", "rows_read": read})
        await collection_import_repository.apply(collection_id, mode)
        await collection_repository.bump_contents(collection_id)
        if planned["added"] + planned["removed"] >= ANALYZE_AFTER_ROWS:
            await collection_import_repository.analyze_entries()
    report["applied"] = True
    return report


def _json_default(value: Any) -> Any:
    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    raise TypeError(type(value).__name__)
