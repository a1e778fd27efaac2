"""Loading MTGJSON per-set files (offline): rulings, set metadata (type, release date, block, parent
set) and the marketplace ids Scryfall's older files lack (TCGplayer, Cardmarket), matched to our
printings by Scryfall id. Fills blanks only; safe to run again (each file is one transaction)."""
from __future__ import annotations

import asyncio
from pathlib import Path

from backend.integrations.mtgjson.reader import (
    MtgjsonCardIds,
    MtgjsonFileError,
    MtgjsonReadStats,
    MtgjsonRuling,
    MtgjsonSet,
    iter_set_files,
    read_set_file,
)
from backend.new_services.service_manager import service
from backend.request_handling.errors import BadRequestError


def _read(path: Path, stats: MtgjsonReadStats, seen: set[int]) -> list:
    return list(read_set_file(path, stats=stats, seen_rulings=seen))


@service("scryfall_compat.mtgjson.load", repositories=["mtgjson_load", "scryfall_ruling"], scope="steps")
async def load_mtgjson(*, uow, directory: str) -> dict[str, int]:
    try:
        files = iter_set_files(directory)
    except MtgjsonFileError as exc:
        raise BadRequestError(str(exc), details={"directory": directory}) from None
    stats, seen = MtgjsonReadStats(), set()
    totals = {"files": 0, "files_refused": 0, "sets_updated": 0, "printings_updated": 0, "rulings_inserted": 0,
              "documents_completed": 0}
    for path in files:
        try:
            records = await asyncio.to_thread(_read, path, stats, seen)
        except MtgjsonFileError:
            totals["files_refused"] += 1
            continue
        sets = [(r.code, r.set_type, r.release_date, r.block, r.parent_code, r.tcgplayer_group_id, r.mtgo_code,
                 r.base_set_size) for r in records if type(r) is MtgjsonSet]
        ids = [(r.scryfall_id, r.tcgplayer_product_id, r.tcgplayer_etched_product_id, r.mcm_id)
               for r in records if type(r) is MtgjsonCardIds
               and (r.tcgplayer_product_id or r.tcgplayer_etched_product_id or r.mcm_id)]
        rulings = [(r.oracle_id, r.source, r.published_at, r.comment, r.scryfall_id)
                   for r in records if type(r) is MtgjsonRuling]
        async with uow.step() as repos:
            totals["sets_updated"] += await repos.mtgjson_load.fill_set_metadata(sets)
            totals["printings_updated"] += await repos.mtgjson_load.fill_marketplace_ids(ids)
            totals["rulings_inserted"] += await repos.scryfall_ruling.insert(rulings)
            printings = await repos.mtgjson_load.printings_of_sets([s[0] for s in sets])
            printings += [i[0] for i in ids]
            totals["documents_completed"] += await repos.mtgjson_load.complete_documents(list(dict.fromkeys(printings)))
        totals["files"] += 1
    totals["printings_read"] = stats.printings
    return totals
