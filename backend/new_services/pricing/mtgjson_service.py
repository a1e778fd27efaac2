"""Load MTGJSON per-set files' identifiers into pricing.mtgjson_links (no prices: the links between
Scryfall printings and marketplace ids that the listings load and MTGStocks resolve through)."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from backend.integrations.mtgjson.reader import MtgjsonCardIds, MtgjsonFileError, MtgjsonReadStats, read_set_directory
from backend.new_services.ops.pipeline_runs import record_pipeline_event
from backend.new_services.service_manager import service
from backend.request_handling.errors import BadRequestError

PIPELINE = "mtgjson_links"


def _read_links(folder: Path) -> tuple[list[tuple], MtgjsonReadStats]:
    stats = MtgjsonReadStats()
    rows = [(r.scryfall_id, r.set_code, r.number, r.name, r.is_token, r.mtgjson_uuid, r.tcgplayer_product_id,
             r.tcgplayer_etched_product_id, r.mcm_id, r.card_kingdom_id, r.card_kingdom_foil_id, list(r.finishes))
            for r in read_set_directory(folder, stats=stats) if r.__class__ is MtgjsonCardIds]
    return rows, stats


@service("pricing.mtgjson.load_links", repositories=["ingestion_run", "mtgjson_link"], scope="steps")
async def load_links(*, uow, directory: str, triggered_by: str | None = None) -> dict[str, Any]:
    """Read a folder of MTGJSON per-set files (`SET.json[.gz]`) and upsert their identifier links."""
    folder = Path(directory)
    if not folder.is_dir():
        raise BadRequestError(f"MTGJSON folder {directory} does not exist", details={"directory": str(directory)})
    try:
        rows, stats = await asyncio.to_thread(_read_links, folder)
    except MtgjsonFileError as exc:
        raise BadRequestError(str(exc), details={"file": str(exc.path)}) from None
    async with uow.step() as repos:
        await repos.mtgjson_link.create_staging()
        await repos.mtgjson_link.stage_links(rows)
        written = await repos.mtgjson_link.upsert_links()
        totals = await repos.mtgjson_link.link_counts()
        run_id = await repos.ingestion_run.create_run(
            pipeline=PIPELINE, run_key=f"dir:{folder}", status="succeeded", triggered_by=triggered_by,
            params={"directory": str(folder)})
        summary = {"files": stats.files, "printings": stats.printings, "rejected": sum(stats.rejects.values()),
                   "inserted": written["inserted"], "updated": written["updated"],
                   "unchanged": written["seen"] - written["inserted"] - written["updated"],
                   "links": totals["links"], "links_with_tcgplayer": totals["with_tcgplayer"],
                   "links_in_catalog": totals["in_catalog"]}
        await repos.ingestion_run.finish_run(run_id, status="succeeded", counts=summary)
    record_pipeline_event(PIPELINE, "mtgjson links loaded", run_id=run_id, **summary)
    return {"run_id": run_id, "status": "succeeded", **summary}
