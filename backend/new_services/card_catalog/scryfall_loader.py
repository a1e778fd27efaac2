"""Scryfall card/set loader: normalise card objects (both schemas) and upsert them in batches.

Each batch: content hashes of the batch's printings are compared with the catalog, only new or
changed ones are COPYed into session staging tables, then set-based upserts write sets, oracle
cards, printings, external ids and the day's prices in one transaction. Parsing the next batch
overlaps with the database work of the previous one.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import hashlib
import os
import uuid
from collections.abc import AsyncIterable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import ijson
import orjson

from backend.repositories.card_catalog.catalog_load_repository import CatalogLoadRepository

DEFAULT_BATCH_SIZE = 5000
# Sets created from a card without `set_id` (older schema) get an id derived from their code.
SET_ID_NAMESPACE = uuid.UUID("6f1b7c1e-5a43-4c1e-9d7e-2a7c3b0e5f10")
PRICE_FIELDS = ("usd", "usd_foil", "usd_etched", "eur", "eur_foil", "tix")
_HASH_OPTS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
_MAX_REJECT_PAYLOAD = 200_000


class CardRejected(ValueError):
    """A card object that cannot be loaded; `reason` says why, `scryfall_id` which one (if known)."""

    def __init__(self, reason: str, scryfall_id: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.scryfall_id = scryfall_id


@dataclass(slots=True)
class NormalizedCard:
    card_version_id: str
    oracle_id: str
    set_code: str
    set_row: tuple[str, str, str, str]     # (set_id, code, name, set_type) for a set not yet known
    version: tuple                         # in CatalogLoadRepository VERSION_STAGING_COLUMNS order
    version_hash: str
    oracle: tuple                          # in ORACLE_STAGING_COLUMNS order (hash and rank last)
    oracle_hash: str
    oracle_rank: str
    prices: dict[str, int]                 # usd/usd_foil/... -> integer cents


@dataclass
class LoadCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    sets_created: int = 0
    oracle_inserted: int = 0
    oracle_updated: int = 0
    external_ids_written: int = 0
    price_observations: int = 0
    latest_prices: int = 0
    seen: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, other: "LoadCounts") -> None:
        for name in ("inserted", "updated", "unchanged", "rejected", "sets_created", "oracle_inserted",
                     "oracle_updated", "external_ids_written", "price_observations", "latest_prices", "seen"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        return {**data, **extra}


# -- normalisation ---------------------------------------------------------------------------------

def _uuid(value: Any, what: str, card_id: str | None) -> str:
    if not isinstance(value, str):
        raise CardRejected(f"{what} is missing" if value is None else f"{what} is not a string", card_id)
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise CardRejected(f"{what} {value!r} is not a UUID", card_id) from None


def _opt_uuid(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _text(card: dict, key: str, card_id: str, *, required: bool = False) -> str | None:
    value = card.get(key)
    if value is None:
        if required:
            raise CardRejected(f"required field {key!r} is missing", card_id)
        return None
    if not isinstance(value, str):
        raise CardRejected(f"field {key!r} must be a string, got {type(value).__name__}", card_id)
    if required and not value:
        raise CardRejected(f"required field {key!r} is empty", card_id)
    return value


def _int(card: dict, key: str, card_id: str) -> int | None:
    value = card.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise CardRejected(f"field {key!r} must be an integer, got {value!r}", card_id)
    if not -2**31 <= value < 2**31:
        raise CardRejected(f"field {key!r} is out of range: {value}", card_id)
    return value


def _str_list(value: Any, key: str, card_id: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CardRejected(f"field {key!r} must be a list of strings", card_id)
    return value


def _bool(card: dict, key: str) -> bool:
    return card.get(key) is True


def price_to_cents(value: Any) -> int | None:
    """'12.34' -> 1234. Prices are decimal strings with at most two places; anything else is None."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = f"{value:.2f}"
    if not isinstance(value, str):
        return None
    whole, _, frac = value.strip().partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > 2:
        return None
    return int(whole) * 100 + int((frac + "00")[:2])


def _release_date(value: Any, card_id: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CardRejected(f"released_at {value!r} is not a date", card_id) from None


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value, option=_HASH_OPTS).decode()


def _digest(values: tuple) -> str:
    return hashlib.blake2b(orjson.dumps(values, option=_HASH_OPTS), digest_size=16).hexdigest()


_ORACLE_FACE_KEYS = ("name", "mana_cost", "type_line", "oracle_text", "power", "toughness", "loyalty",
                     "defense", "colors")
_PRINT_FACE_KEYS = ("name", "printed_name", "mana_cost", "type_line", "printed_type_line", "oracle_text",
                    "printed_text", "flavor_text", "artist", "illustration_id", "image_uris", "power",
                    "toughness", "loyalty", "defense", "colors", "oracle_id")
_COLOR_ORDER = "WUBRG"


def normalize_card(card: dict) -> NormalizedCard:
    """Validate one Scryfall card object (old or modern schema) into staging rows; raise CardRejected."""
    if not isinstance(card, dict):
        raise CardRejected(f"card must be a JSON object, got {type(card).__name__}")
    raw_id = card.get("id")
    card_id = _uuid(raw_id, "id", raw_id if isinstance(raw_id, str) else None)
    faces = card.get("card_faces")
    if faces is not None and (not isinstance(faces, list) or not all(isinstance(f, dict) for f in faces)):
        raise CardRejected("card_faces must be a list of objects", card_id)
    faces = faces or None

    oracle_source = card.get("oracle_id")
    if oracle_source is None and faces:
        # Reversible cards carry the oracle id on each face only.
        oracle_source = faces[0].get("oracle_id")
    oracle_id = _uuid(oracle_source, "oracle_id", card_id)

    name = _text(card, "name", card_id, required=True)
    layout = _text(card, "layout", card_id, required=True)
    rarity = _text(card, "rarity", card_id, required=True)
    collector_number = _text(card, "collector_number", card_id, required=True)
    set_code = _text(card, "set", card_id, required=True).lower()
    lang = _text(card, "lang", card_id) or "en"
    released_at = _release_date(card.get("released_at"), card_id)

    finishes = card.get("finishes")
    if finishes is None:
        # Older schema: foil/nonfoil booleans.
        finishes = [f for f, present in (("nonfoil", card.get("nonfoil")), ("foil", card.get("foil"))) if present]
    finishes = _str_list(finishes, "finishes", card_id)

    prices_raw = card.get("prices")
    prices: dict[str, int] = {}
    if isinstance(prices_raw, dict):
        for key in PRICE_FIELDS:
            cents = price_to_cents(prices_raw.get(key))
            if cents is not None:
                prices[key] = cents

    cmc = card.get("cmc")
    if cmc is None and faces:
        cmc = faces[0].get("cmc")
    if cmc is None:
        cmc = 0.0
    if isinstance(cmc, bool) or not isinstance(cmc, (int, float)):
        raise CardRejected(f"field 'cmc' must be a number, got {cmc!r}", card_id)
    if not 0 <= cmc < 1_000_000:   # oracle_cards.cmc is NUMERIC(8, 2) (Gleemax's 1,000,000 does not fit)
        raise CardRejected(f"field 'cmc' is out of range: {cmc}", card_id)

    first_face = faces[0] if faces else {}
    colors = card.get("colors")
    if colors is None and faces:
        present = {c for f in faces for c in (f.get("colors") or [])}
        colors = [c for c in _COLOR_ORDER if c in present]
    colors = _str_list(colors, "colors", card_id)
    legalities = card.get("legalities") or {}
    if not isinstance(legalities, dict):
        raise CardRejected("field 'legalities' must be an object", card_id)

    oracle_faces = ([{k: f.get(k) for k in _ORACLE_FACE_KEYS} for f in faces] if faces else None)
    print_faces = ([{k: f.get(k) for k in _PRINT_FACE_KEYS if f.get(k) is not None} for f in faces]
                   if faces else None)

    def oracle_field(key: str) -> Any:
        value = card.get(key)
        return first_face.get(key) if value is None and layout == "reversible_card" else value

    oracle_values = (
        oracle_id, name, layout, _text(card, "mana_cost", card_id), float(cmc),
        oracle_field("type_line"), oracle_field("oracle_text"), card.get("power"), card.get("toughness"),
        card.get("loyalty"), card.get("defense"), colors,
        _str_list(card.get("color_identity"), "color_identity", card_id),
        card.get("color_indicator"), _str_list(card.get("keywords"), "keywords", card_id),
        card.get("produced_mana"), _json(legalities), _bool(card, "reserved"),
        _int(card, "edhrec_rank", card_id), _json(oracle_faces),
    )
    oracle_hash = _digest(oracle_values)
    oracle_rank = f"{1 if lang == 'en' else 0}|{released_at.isoformat() if released_at else '0000-00-00'}|{card_id}"

    multiverse_ids = card.get("multiverse_ids") or []
    if not isinstance(multiverse_ids, list) or not all(isinstance(m, int) and not isinstance(m, bool)
                                                       for m in multiverse_ids):
        raise CardRejected("field 'multiverse_ids' must be a list of integers", card_id)
    artist_ids = card.get("artist_ids")
    if artist_ids is not None:
        artist_ids = [a for a in (_opt_uuid(x) for x in artist_ids) if a] if isinstance(artist_ids, list) else None
    frame_effects = card.get("frame_effects")
    if frame_effects is None and isinstance(card.get("frame_effect"), str):
        frame_effects = [card["frame_effect"]]   # older schema: a single string
    illustration_id = _opt_uuid(card.get("illustration_id") or first_face.get("illustration_id"))

    version_values = (
        card_id, oracle_id, set_code, collector_number, lang, released_at, rarity, finishes,
        _str_list(card.get("games"), "games", card_id), name,
        _text(card, "printed_name", card_id), _text(card, "printed_type_line", card_id),
        _text(card, "printed_text", card_id), _text(card, "flavor_text", card_id),
        _text(card, "artist", card_id), artist_ids, illustration_id,
        _text(card, "border_color", card_id), _text(card, "frame", card_id),
        _str_list(frame_effects, "frame_effects", card_id), _text(card, "security_stamp", card_id),
        _bool(card, "full_art"), _bool(card, "textless"), _bool(card, "promo"),
        _str_list(card.get("promo_types"), "promo_types", card_id), _bool(card, "reprint"),
        _bool(card, "variation"), _bool(card, "digital"), _bool(card, "booster"), _bool(card, "oversized"),
        layout, _text(card, "image_status", card_id), _json(card.get("image_uris")), _json(print_faces),
        multiverse_ids, _int(card, "mtgo_id", card_id), _int(card, "mtgo_foil_id", card_id),
        _int(card, "arena_id", card_id), _int(card, "tcgplayer_id", card_id),
        _int(card, "tcgplayer_etched_id", card_id), _int(card, "cardmarket_id", card_id),
        _text(card, "scryfall_uri", card_id),
        prices.get("usd"), prices.get("usd_foil"), prices.get("usd_etched"), prices.get("eur"),
        prices.get("eur_foil"), prices.get("tix"),
    )
    # The oracle hash is part of the printing's: an erratum changes every printing of the card.
    version_hash = _digest(version_values + (oracle_hash,))

    set_id = _opt_uuid(card.get("set_id")) or str(uuid.uuid5(SET_ID_NAMESPACE, set_code))
    set_name = card.get("set_name") if isinstance(card.get("set_name"), str) else set_code.upper()
    set_type = card.get("set_type") if isinstance(card.get("set_type"), str) else "unknown"

    return NormalizedCard(
        card_version_id=card_id, oracle_id=oracle_id, set_code=set_code,
        set_row=(set_id, set_code, set_name, set_type),
        version=version_values + (version_hash,), version_hash=version_hash,
        oracle=oracle_values + (oracle_hash, oracle_rank), oracle_hash=oracle_hash, oracle_rank=oracle_rank,
        prices=prices,
    )


def _reject_payload(card: Any) -> str:
    try:
        text = orjson.dumps(card, default=str).decode()
    except TypeError:
        text = orjson.dumps(repr(card)).decode()
    if len(text) > _MAX_REJECT_PAYLOAD:
        text = orjson.dumps({"truncated": text[:1000]}).decode()
    return text


@dataclass(slots=True)
class _Batch:
    cards: dict[str, NormalizedCard]              # by card id; a later duplicate replaces an earlier one
    rejects: list[tuple[str | None, str, str]]   # (scryfall_id, reason, payload json)
    seen: int


def _normalize_batch(raw_cards: list) -> _Batch:
    cards: dict[str, NormalizedCard] = {}
    rejects: list[tuple[str | None, str, str]] = []
    for raw in raw_cards:
        try:
            card = normalize_card(raw)
        except CardRejected as exc:
            rejects.append((exc.scryfall_id, exc.reason, _reject_payload(raw)))
            continue
        except Exception as exc:  # a malformed card must not stop the load; keep it with the reason
            card_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
            rejects.append((card_id, f"invalid card: {type(exc).__name__}: {exc}", _reject_payload(raw)))
            continue
        cards[card.card_version_id] = card
    return _Batch(cards, rejects, len(raw_cards))


def _take(iterator: Iterator, size: int) -> list:
    batch = []
    for item in iterator:
        batch.append(item)
        if len(batch) >= size:
            break
    return batch


# -- loading ---------------------------------------------------------------------------------------

async def load_cards(*, executor, cards: Iterable[dict] | AsyncIterable[dict], run_id: int | None = None,
                     observed_on: dt.date | None = None, batch_size: int = DEFAULT_BATCH_SIZE,
                     on_batch=None) -> LoadCounts:
    """Load Scryfall card objects into the catalog; returns inserted/updated/unchanged/rejected counts.

    `cards` may be a (lazy) iterable or async iterable. Each batch is committed on its own, so a
    crash loses at most the batch in flight, and a re-run skips every card already loaded.
    `on_batch(counts_so_far)` (sync or async) is called after each committed batch.
    """
    observed_on = observed_on or dt.datetime.now(dt.timezone.utc).date()
    observed_at = dt.datetime.combine(observed_on, dt.time(), tzinfo=dt.timezone.utc)
    total = LoadCounts()

    async with executor.connection() as conn:
        repo = CatalogLoadRepository(conn)
        await repo.create_staging()
        try:
            known_sets = await repo.known_set_codes()
            source_id = await repo.price_source_id("scryfall")
            next_batch = _batch_source(cards, batch_size)
            pending: asyncio.Task | None = None
            try:
                while True:
                    # Parse/normalise the next batch (in a thread) while the previous one is written.
                    batch = await next_batch()
                    if pending is not None:
                        total.add(await pending)
                        pending = None
                        await _notify(on_batch, total)
                    if batch is None:
                        break
                    pending = asyncio.create_task(_write_batch(
                        conn, repo, batch, known_sets=known_sets, source_id=source_id, run_id=run_id,
                        observed_on=observed_on, observed_at=observed_at))
            finally:
                if pending is not None and not pending.done():
                    pending.cancel()
                    try:
                        await pending
                    except BaseException:
                        pass
        finally:
            if not conn.is_closed():
                await repo.drop_staging()
    return total


async def _notify(callback, counts: LoadCounts) -> None:
    if callback is not None:
        result = callback(counts)
        if asyncio.iscoroutine(result):
            await result


def _batch_source(cards, batch_size: int):
    """An async function returning the next normalised batch, or None at the end."""
    if hasattr(cards, "__aiter__"):
        aiterator = cards.__aiter__()

        async def next_async() -> _Batch | None:
            raw = []
            async for item in aiterator:
                raw.append(item)
                if len(raw) >= batch_size:
                    break
            return await asyncio.to_thread(_normalize_batch, raw) if raw else None

        return next_async

    iterator = iter(cards)

    def take_and_normalize() -> _Batch | None:
        raw = _take(iterator, batch_size)
        return _normalize_batch(raw) if raw else None

    async def next_sync() -> _Batch | None:
        return await asyncio.to_thread(take_and_normalize)

    return next_sync


async def _write_batch(conn, repo: CatalogLoadRepository, batch: _Batch, *, known_sets: set[str],
                       source_id: int, run_id: int | None, observed_on: dt.date,
                       observed_at: dt.datetime) -> LoadCounts:
    counts = LoadCounts(seen=batch.seen, rejected=len(batch.rejects))
    cards = batch.cards
    async with conn.transaction():
        stored = await repo.version_hashes(list(cards))
        changed = [c for c in cards.values() if stored.get(c.card_version_id) != c.version_hash]
        counts.unchanged = len(cards) - len(changed)
        if changed:
            new_sets = {}
            for c in changed:
                if c.set_code not in known_sets and c.set_code not in new_sets:
                    new_sets[c.set_code] = c.set_row
            if new_sets:
                created = await repo.insert_sets_from_cards(list(new_sets.values()))
                counts.sets_created = len(created)
                known_sets.update(new_sets)

            # One oracle row per oracle id: the best-ranked printing of the batch, and only when it
            # outranks (or equals) the printing the stored row came from.
            best: dict[str, NormalizedCard] = {}
            for c in changed:
                current = best.get(c.oracle_id)
                if current is None or c.oracle_rank > current.oracle_rank:
                    best[c.oracle_id] = c
            stored_oracles = await repo.oracle_hashes(list(best))
            oracle_rows = []
            for oracle_id, c in best.items():
                prior = stored_oracles.get(oracle_id)
                if prior is None or (prior[0] != c.oracle_hash and (prior[1] is None or prior[1] <= c.oracle_rank)):
                    oracle_rows.append(c.oracle)
            if oracle_rows:
                await repo.stage_oracles(oracle_rows)
                counts.oracle_inserted, counts.oracle_updated = await repo.upsert_oracle_cards()

            await repo.stage_versions([c.version for c in changed])
            counts.inserted, counts.updated = await repo.upsert_card_versions(observed_at)
            counts.unchanged += len(changed) - counts.inserted - counts.updated
            counts.external_ids_written = await repo.replace_external_identifiers()
            if any(c.prices for c in changed):
                counts.price_observations, counts.latest_prices = await repo.upsert_prices(
                    source_id=source_id, observed_on=observed_on, run_id=run_id)
        await repo.insert_rejects(run_id, batch.rejects)
    return counts


# -- sets ------------------------------------------------------------------------------------------

def normalize_set(obj: dict) -> tuple:
    """A Scryfall set object -> a row in CatalogLoadRepository SET_COLUMNS order (raises ValueError)."""
    if not isinstance(obj, dict):
        raise ValueError("set must be a JSON object")
    set_id = _opt_uuid(obj.get("id"))
    code = obj.get("code")
    name = obj.get("name")
    if set_id is None or not isinstance(code, str) or not code or not isinstance(name, str):
        raise ValueError(f"set {obj.get('code')!r} lacks a valid id, code or name")
    released = obj.get("released_at")
    values = (
        set_id, code.lower(), name, obj.get("set_type") or "unknown",
        dt.date.fromisoformat(released) if isinstance(released, str) else None,
        obj.get("block_code"), obj.get("block"), obj.get("parent_set_code"), int(obj.get("card_count") or 0),
        obj.get("printed_size"), bool(obj.get("digital")), bool(obj.get("foil_only")),
        bool(obj.get("nonfoil_only")), obj.get("icon_svg_uri"), obj.get("mtgo_code"), obj.get("arena_code"),
        obj.get("tcgplayer_id"),
    )
    return values + (_digest(values),)


async def load_sets(*, executor, sets: Iterable[dict]) -> LoadCounts:
    """Upsert Scryfall set objects (from /sets); malformed ones are counted as rejected."""
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
    async with executor.transaction() as conn:
        repo = CatalogLoadRepository(conn)
        counts.inserted, counts.updated = await repo.upsert_sets(list(rows.values()))
    counts.unchanged = len(rows) - counts.inserted - counts.updated
    return counts


# -- bulk files ------------------------------------------------------------------------------------

class _CountingReader:
    """A binary file wrapper that counts the (compressed) bytes read, for progress and ETA."""

    def __init__(self, raw):
        self._raw = raw
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.bytes_read += len(data)
        return data

    def readinto(self, buffer) -> int:
        n = self._raw.readinto(buffer)
        self.bytes_read += n or 0
        return n

    def close(self) -> None:
        self._raw.close()


class BulkFile:
    """A Scryfall bulk file on disk (plain or gzipped JSON array, or a list object), read as a stream.

    Iterating yields card dicts with constant memory (ijson); `bytes_read`/`size_bytes` give progress.
    """

    def __init__(self, path):
        self.path = path
        self.size_bytes = os.path.getsize(path)
        self._reader: _CountingReader | None = None

    @property
    def bytes_read(self) -> int:
        return self._reader.bytes_read if self._reader else 0

    @staticmethod
    def _is_gzip(path) -> bool:
        with open(path, "rb") as f:
            return f.read(2) == b"\x1f\x8b"

    def _open_text_stream(self):
        self._reader = _CountingReader(open(self.path, "rb"))
        return gzip.GzipFile(fileobj=self._reader, mode="rb") if self._is_gzip(self.path) else self._reader

    def _prefix(self) -> str:
        stream = self._open_text_stream()
        try:
            head = stream.read(4096).lstrip()
        finally:
            stream.close()
        return "data.item" if head.startswith(b"{") else "item"

    def __iter__(self):
        prefix = self._prefix()
        stream = self._open_text_stream()
        try:
            yield from ijson.items(stream, prefix, use_float=True)
        finally:
            stream.close()
            if self._reader is not None:
                self._reader.close()
