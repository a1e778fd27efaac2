"""Load a TCGplayer marketplace listings dump (`main_listing.csv[.gz]`) into the price store.

One transaction: the listings are streamed (COPY) into a session staging table, products resolved
to printings in SQL (catalog TCGplayer ids, then MTGJSON's links), English listings (a product id names the English printing) aggregated per
(printing, finish, condition, day) into the lowest and the median asking price with the number of
listings, and merged into price_observations + latest_prices. Unreadable listings and unresolved
products are kept in pricing.tcgplayer_listing_rejects with their reason. A re-run adds nothing.
"""
from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from backend.integrations.tcgplayer.listings import Listing, ListingReject, TcgplayerDumpError, iter_listings
from backend.new_services.ops.pipeline_runs import RunFinished, fail_abandoned_runs, record_pipeline_event, run_step
from backend.new_services.service_manager import service
from backend.request_handling.errors import BadRequestError, ConflictError

logger = logging.getLogger(__name__)

PIPELINE = "tcgplayer_listings"
LOCK = "automana:pricing:tcgplayer_listings"
LABEL = "TCGplayer listings load"
PROGRESS_EVERY = 100_000


def _rows(records: Iterator[Listing | ListingReject], rejects: list[ListingReject], counts: Counter,
          progress: Callable[[int], None] | None) -> Iterator[tuple]:
    """COPY rows of the listings; rejects are set aside (they go to the reject table afterwards)."""
    seen = 0
    for record in records:
        seen += 1
        if progress is not None and seen % PROGRESS_EVERY == 0:
            progress(seen)
        if record.__class__ is ListingReject:
            rejects.append(record)
            continue
        if record.language != "en":
            # A product id names the English printing; other languages are other printings.
            counts["other_language"] += 1
            continue
        yield (record.product_id, record.condition, record.finish, record.language, record.observed_on,
               record.price_cents)
    counts["rows"] = seen


@service("pricing.listing.load_file", repositories=["ingestion_run", "listing", "price"], scope="steps")
async def load_file(*, uow, path: str, triggered_by: str | None = None,
                    progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Load one listings dump; returns the run's summary (rows, rejects by reason, products resolved,
    observations written)."""
    file = Path(path)
    if not file.is_file():
        raise BadRequestError(f"listings file {path} does not exist", details={"path": str(path)})
    stat = file.stat()
    async with uow.step() as repos:
        await repos.ingestion_run.xact_lock(LOCK + ":runs")
        await fail_abandoned_runs(repos.ingestion_run, PIPELINE, lock_name=LOCK, stale_after=3600)
        run_id = await repos.ingestion_run.create_run(
            pipeline=PIPELINE, run_key=f"file:{file.name}:{stat.st_size}:{int(stat.st_mtime)}", status="running",
            triggered_by=triggered_by, params={"path": str(file)})
    started = time.monotonic()
    counts: Counter = Counter()
    rejects: list[ListingReject] = []
    try:
        async with run_step(uow, run_id, "load_listings", lock_name=LOCK, pipeline=PIPELINE, label=LABEL,
                            lock_wait_seconds=30.0) as step:
            async with uow.session() as repos:
                source_id = (await repos.price.source_ids())["tcgplayer"]
                await repos.listing.create_staging()
                await repos.price.create_observation_staging()
                try:
                    async with repos.transaction():
                        await repos.listing.bulk_settings()
                        await repos.listing.copy_listings(_rows(iter_listings(file), rejects, counts, progress))
                        read_seconds = time.monotonic() - started
                        await repos.listing.copy_rejects(
                            (run_id, r.line, r.product_id, r.reason, r.raw) for r in rejects)
                        products = await repos.listing.resolve_products()
                        await repos.listing.insert_product_rejects(run_id)
                        staged = await repos.listing.stage_aggregates(source_id)
                        written, latest = await repos.price.merge_staged_observations(run_id)
                finally:
                    await repos.listing.drop_staging()
            listings = counts["rows"] - len(rejects)
            elapsed = time.monotonic() - started
            step.counts = {
                "rows": counts["rows"], "listings": listings, "rejected": len(rejects),
                "rejects": dict(Counter(r.reason for r in rejects)),
                "products": products["products"], "products_resolved": products["resolved"],
                "products_unresolved": products["unresolved"], "products_ambiguous": products["ambiguous"],
                "listings_resolved": products["resolved_listings"],
                "listings_other_language": counts["other_language"],
                "observations_staged": staged, "observations_written": written, "latest_changed": latest,
                "read_copy_seconds": round(read_seconds, 3), "duration_seconds": round(elapsed, 3),
                "rows_per_second": round(counts["rows"] / elapsed) if elapsed > 0 else None,
            }
    except RunFinished as finished:
        raise ConflictError(finished.reason, details={"run_id": run_id}) from None
    except TcgplayerDumpError as exc:
        raise BadRequestError(str(exc), details={"path": str(file)}) from None
    async with uow.step() as repos:
        await repos.ingestion_run.finish_run(run_id, status="succeeded", counts=step.counts)
    record_pipeline_event(PIPELINE, "tcgplayer listings loaded", run_id=run_id,
                          **{k: v for k, v in step.counts.items() if not isinstance(v, dict)})
    return {"run_id": run_id, "status": "succeeded", **step.counts}
