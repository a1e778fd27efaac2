"""Bulk loading of Scryfall objects into the catalog: the entry points pipelines, uploads, the CLI
and the benchmarks call (by key). Admin writes of a few cards use card_service's plain path."""
from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterable, Callable, Iterable
from typing import Any

from backend.core.settings import Settings
from backend.new_services.card_catalog.catalog_load.bulk_load import load_cards as run_bulk_load
from backend.new_services.card_catalog.catalog_load.normalize import normalize_set
from backend.new_services.card_catalog.catalog_load.writer import LoadCounts
from backend.new_services.service_manager import service


@service("card_catalog.catalog_load.load_cards", repositories=["catalog_load"], scope="steps")
async def load_cards(*, uow, settings: Settings, cards: Iterable[Any] | AsyncIterable[Any],
                     run_id: int | None = None, observed_on: dt.date | None = None, force: bool = False,
                     on_batch: Callable | None = None, batch_size: int | None = None,
                     writers: int | None = None) -> LoadCounts:
    """Load card objects (dicts, or a BulkFile's records) with concurrent writers, committed per batch.
    Batch size and writers default to SCRYFALL_BATCH_SIZE / SCRYFALL_WRITERS. `observed_on` is the
    day of the data: printings stored from newer data are kept unless `force`."""
    return await run_bulk_load(uow, cards=cards, run_id=run_id, observed_on=observed_on, force=force,
                               on_batch=on_batch,
                               batch_size=batch_size or settings.scryfall.batch_size,
                               writers=writers or settings.scryfall.writers)


@service("card_catalog.catalog_load.load_sets", repositories=["catalog_load"])
async def load_sets(*, catalog_load_repository, sets: Iterable[Any]) -> LoadCounts:
    """Upsert Scryfall set objects (from /sets) in one transaction; malformed ones count as rejected."""
    counts = LoadCounts()
    rows: dict[str, tuple] = {}
    for obj in sets:
        counts.seen += 1
        try:
            row = normalize_set(obj)
        except (ValueError, TypeError):
            counts.rejected += 1
            continue
        rows[row[0]] = row
    counts.inserted, counts.updated = await catalog_load_repository.upsert_sets(list(rows.values()))
    counts.unchanged = len(rows) - counts.inserted - counts.updated
    return counts
