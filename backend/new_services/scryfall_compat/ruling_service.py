"""Rulings of the Scryfall-compatible API: a card's rulings (by any of its identifiers), and loading
Scryfall's rulings file (e.g. one another AutoMana generated)."""
from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import uuid
from pathlib import Path
from typing import Any

import ijson

from backend.new_services.scryfall_compat.objects import list_text
from backend.new_services.service_manager import service
from backend.repositories.scryfall_compat.scryfall_card_repository import ScryfallCardRepository
from backend.repositories.scryfall_compat.scryfall_ruling_repository import ScryfallRulingRepository
from backend.request_handling.errors import BadRequestError, NotFoundError

RULINGS_BATCH = 5_000


@service("scryfall_compat.ruling.list", repositories=["scryfall_ruling", "scryfall_card"], scope="autocommit")
async def list_rulings(*, scryfall_ruling_repository: ScryfallRulingRepository,
                       scryfall_card_repository: ScryfallCardRepository, card_id: uuid.UUID | None = None,
                       kind: str | None = None, value: int | None = None, set_code: str | None = None,
                       collector_number: str | None = None) -> str:
    """The rulings of the card a printing identifier names (Scryfall id, multiverse/mtgo/arena id, or
    set code + collector number)."""
    if card_id is None and kind is not None and value is not None:
        card_id = await scryfall_card_repository.id_by(kind, value)
    elif card_id is None and set_code and collector_number:
        card_id = await scryfall_card_repository.id_by_number(set_code.lower(), collector_number, None)
    oracle_id = await scryfall_ruling_repository.oracle_of(card_id) if card_id is not None else None
    if oracle_id is None:
        raise NotFoundError("No card found with the given identifier.")
    return list_text(await scryfall_ruling_repository.of_oracle(oracle_id))


def _ruling_rows(path: Path, stats: dict[str, int]):
    """(oracle id, source, date, comment, None) of each valid ruling object in a Scryfall rulings file."""
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    with (gzip.open(path, "rb") if gzipped else open(path, "rb")) as stream:
        for item in ijson.items(stream, "item"):
            row = _ruling_row(item)
            if row is None:
                stats["rejected"] += 1
            else:
                yield row


def _ruling_row(item: Any) -> tuple | None:
    if not isinstance(item, dict) or not isinstance(item.get("comment"), str) or not item["comment"].strip():
        return None
    try:
        oracle_id = uuid.UUID(str(item.get("oracle_id")))
        published = dt.date.fromisoformat(str(item.get("published_at")))
    except ValueError:
        return None
    source = item.get("source") if item.get("source") in ("wotc", "scryfall") else "wotc"
    return oracle_id, source, published, item["comment"], None


def _batches(rows, size: int):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@service("scryfall_compat.ruling.load_file", repositories=["scryfall_ruling"], scope="steps")
async def load_rulings_file(*, uow, path: str) -> dict[str, int]:
    """Load a Scryfall rulings file (a JSON array of ruling objects, plain or gzipped). Rulings already
    stored are kept; each batch commits on its own, so a re-run duplicates nothing."""
    file = Path(path)
    if not file.is_file():
        raise BadRequestError(f"no file at {path}", details={"path": path})
    stats = {"read": 0, "inserted": 0, "rejected": 0}
    batches = _batches(_ruling_rows(file, stats), RULINGS_BATCH)
    while True:
        try:
            batch = await asyncio.to_thread(next, batches, None)
        except ijson.JSONError as exc:
            raise BadRequestError(f"{file.name} is not a JSON array of rulings: {exc}") from None
        if batch is None:
            return stats
        stats["read"] += len(batch)
        async with uow.step() as repos:
            stats["inserted"] += await repos.scryfall_ruling.insert(batch)
