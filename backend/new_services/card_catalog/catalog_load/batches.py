"""Turning a batch of bulk-file items (raw card lines or dicts) into normalised cards and rejects."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import msgspec
import orjson

from backend.new_services.card_catalog.catalog_load.bulk_file import RawCard
from backend.new_services.card_catalog.catalog_load.card_schema import CARD_DECODER, validation_reason
from backend.new_services.card_catalog.catalog_load.normalize import CardRejected, NormalizedCard, normalize_card

_MAX_REJECT_PAYLOAD = 200_000


def _reject_payload(card: Any) -> str:
    try:
        text = orjson.dumps(card, default=str).decode()
    except TypeError:
        text = orjson.dumps(repr(card)).decode()
    if len(text) > _MAX_REJECT_PAYLOAD:
        text = orjson.dumps({"truncated": text[:1000]}).decode()
    return text


@dataclass(slots=True)
class Batch:
    cards: dict[str, NormalizedCard]              # by card id; a later duplicate replaces an earlier one
    rejects: list[tuple[str | None, str, str]]   # (scryfall_id, reason, payload json)
    seen: int


def _raw_payload(text: bytes) -> str:
    """A rejected line as JSON for the reject table: the card itself when it parses, else its start
    (as a string, which also keeps a NUL escape from reaching jsonb)."""
    try:
        return _reject_payload(orjson.loads(text))
    except orjson.JSONDecodeError:
        return orjson.dumps({"raw": text[:2000].decode("utf-8", "replace")}).decode()


def normalize_batch(raw_cards: list) -> Batch:
    cards: dict[str, NormalizedCard] = {}
    rejects: list[tuple[str | None, str, str]] = []
    for raw in raw_cards:
        source_hash = None
        if raw.__class__ is RawCard:
            source_hash = raw.source_hash
            if b"\\u0000" in raw.text:   # Postgres text cannot hold NUL: reject the card, not the batch
                rejects.append((raw.card_id, "card contains a NUL character (\\u0000)",
                                orjson.dumps({"raw": raw.text[:2000].decode("utf-8", "replace")}).decode()))
                continue
            try:
                parsed = CARD_DECODER.decode(raw.text)
            except msgspec.ValidationError as exc:
                rejects.append((raw.card_id, validation_reason(exc), _raw_payload(raw.text)))
                continue
            except msgspec.DecodeError as exc:
                rejects.append((raw.card_id, f"invalid JSON: {exc}", _raw_payload(raw.text)))
                continue
        else:
            parsed = raw
        try:
            card = normalize_card(parsed, source_hash, raw.text if raw.__class__ is RawCard else None)
        except Exception as exc:  # a malformed card must not stop the load; keep it with the reason
            payload = _raw_payload(raw.text) if raw.__class__ is RawCard else _reject_payload(raw)
            if isinstance(exc, CardRejected):
                rejects.append((exc.scryfall_id, exc.reason, payload))
            else:
                card_id = raw.card_id if raw.__class__ is RawCard else (
                    raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None)
                rejects.append((card_id, f"invalid card: {type(exc).__name__}: {exc}", payload))
            continue
        cards[card.card_version_id] = card
    return Batch(cards, rejects, len(raw_cards))


def take(iterator: Iterator, size: int) -> list:
    batch = []
    for item in iterator:
        batch.append(item)
        if len(batch) >= size:
            break
    return batch
