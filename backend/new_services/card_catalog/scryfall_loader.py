"""Scryfall card/set loader: stream bulk files, normalise cards (both schemas), and write only new or
changed ones in batches (COPY into session staging tables, then set-based upserts)."""
from __future__ import annotations

import asyncio
import contextlib
import ctypes
import datetime as dt
import gc
import io
import os
import re
import sys
import uuid
from collections.abc import AsyncIterable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any

import asyncpg
import ijson
from isal import igzip
import msgspec
import orjson
import xxhash

from backend.repositories.card_catalog.catalog_load_repository import CatalogLoadRepository

DEFAULT_BATCH_SIZE = 2500
STARTING_BATCH_SIZE = 250
DEFAULT_WRITERS = 2
# Sets created from a card without `set_id` (older schema) get an id derived from their code.
SET_ID_NAMESPACE = uuid.UUID("6f1b7c1e-5a43-4c1e-9d7e-2a7c3b0e5f10")
PRICE_FIELDS = ("usd", "usd_foil", "usd_etched", "eur", "eur_foil", "tix")
_JSON_OPTS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
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
    version: tuple                         # in VERSION_STAGING_COLUMNS order (content_hash, source_hash last)
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
    price_observations: int = 0
    latest_prices: int = 0
    seen: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, other: "LoadCounts") -> None:
        for name in ("inserted", "updated", "unchanged", "rejected", "sets_created", "oracle_inserted",
                     "oracle_updated", "price_observations", "latest_prices", "seen"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        return {**data, **extra}


# -- normalisation ---------------------------------------------------------------------------------

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


def _json(value: Any) -> str | None:
    """Canonical JSON text (sorted keys), so equal content always hashes the same."""
    return None if value is None else orjson.dumps(value, option=_JSON_OPTS).decode()


def _digest(values: tuple) -> str:
    # The tuples hold no dicts (those are already canonical JSON text), so no key sorting needed.
    # XXH3-128: change detection, not security (the files come from Scryfall or an admin), and
    # ~15x faster than blake2b, which was a tenth of the loader's CPU.
    return xxhash.xxh3_128_hexdigest(orjson.dumps(values))


_ORACLE_FACE_KEYS = ("name", "mana_cost", "type_line", "oracle_text", "power", "toughness", "loyalty",
                     "defense", "colors")
_PRINT_FACE_KEYS = ("name", "printed_name", "mana_cost", "type_line", "printed_type_line", "oracle_text",
                    "printed_text", "flavor_text", "artist", "illustration_id", "image_uris", "power",
                    "toughness", "loyalty", "defense", "colors", "oracle_id")
_COLOR_ORDER = "WUBRG"
_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_REQUIRED_TEXT = ("name", "layout", "rarity", "collector_number", "set")
_set_ids: dict[str, str] = {}

# The fields of a Scryfall card object we read, typed: msgspec decodes a line straight into these
# (skipping every other field) and checks the types in C as it goes, so a malformed card is refused
# with the path of the offending value. Both schemas fit: the older one simply leaves some unset.
# gc=False: these structs never take part in reference cycles, so the cyclic GC need not track them.
Int32 = Annotated[int, msgspec.Meta(ge=-2**31, le=2**31 - 1)]


class _Face(msgspec.Struct, gc=False):
    name: str | None = None
    printed_name: str | None = None
    mana_cost: str | None = None
    type_line: str | None = None
    printed_type_line: str | None = None
    oracle_text: str | None = None
    printed_text: str | None = None
    flavor_text: str | None = None
    artist: str | None = None
    illustration_id: str | None = None
    image_uris: dict[str, Any] | None = None
    power: str | None = None
    toughness: str | None = None
    loyalty: str | None = None
    defense: str | None = None
    colors: list[str] | None = None
    oracle_id: str | None = None
    cmc: float | None = None


class ScryfallCard(msgspec.Struct, gc=False):
    id: str
    name: str
    layout: str
    rarity: str
    collector_number: str
    set: str
    oracle_id: str | None = None
    lang: str | None = None
    released_at: str | None = None
    mana_cost: str | None = None
    cmc: float | None = None
    type_line: str | None = None
    oracle_text: str | None = None
    power: str | None = None
    toughness: str | None = None
    loyalty: str | None = None
    defense: str | None = None
    colors: list[str] | None = None
    color_identity: list[str] | None = None
    color_indicator: list[str] | None = None
    keywords: list[str] | None = None
    produced_mana: list[str] | None = None
    legalities: dict[str, Any] | None = None
    reserved: bool | None = None
    edhrec_rank: Int32 | None = None
    card_faces: list[_Face] | None = None
    printed_name: str | None = None
    printed_type_line: str | None = None
    printed_text: str | None = None
    flavor_text: str | None = None
    artist: str | None = None
    artist_ids: list[str] | None = None
    illustration_id: str | None = None
    border_color: str | None = None
    frame: str | None = None
    frame_effects: list[str] | None = None
    frame_effect: str | None = None          # older schema: one string
    security_stamp: str | None = None
    finishes: list[str] | None = None
    foil: bool | None = None                 # older schema, instead of finishes
    nonfoil: bool | None = None
    games: list[str] | None = None
    full_art: bool | None = None
    textless: bool | None = None
    promo: bool | None = None
    promo_types: list[str] | None = None
    reprint: bool | None = None
    variation: bool | None = None
    digital: bool | None = None
    booster: bool | None = None
    oversized: bool | None = None
    image_status: str | None = None
    image_uris: dict[str, Any] | None = None
    multiverse_ids: list[Int32] | None = None
    mtgo_id: Int32 | None = None
    mtgo_foil_id: Int32 | None = None
    arena_id: Int32 | None = None
    tcgplayer_id: Int32 | None = None
    tcgplayer_etched_id: Int32 | None = None
    cardmarket_id: Int32 | None = None
    scryfall_uri: str | None = None
    prices: dict[str, Any] | None = None
    set_id: str | None = None
    set_name: str | None = None
    set_type: str | None = None


_CARD_DECODER = msgspec.json.Decoder(ScryfallCard)


def _validation_reason(exc: msgspec.ValidationError) -> str:
    """msgspec's "Expected `str`, got `int` - at `$.name`" as "field 'name': expected `str`, got `int`"."""
    message, _, path = str(exc).partition(" - at `$")
    path = path.rstrip("`").lstrip(".")
    if message.startswith("Object missing required field `"):
        missing = message.split("`")[1]
        return f"required field {(path + '.' if path else '') + missing!r} is missing"
    message = message[:1].lower() + message[1:]
    return f"field {path!r}: {message}" if path else f"card: {message}"


def _as_uuid(value: Any) -> str | None:
    """A canonical lower-case UUID string, or None when `value` is not a UUID."""
    if value.__class__ is not str:
        return None
    if _UUID_RE.fullmatch(value):
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _derived_set_id(code: str) -> str:
    set_id = _set_ids.get(code)
    if set_id is None:
        set_id = _set_ids[code] = str(uuid.uuid5(SET_ID_NAMESPACE, code))
    return set_id


def normalize_card(card: Any, source_hash: str | None = None) -> NormalizedCard:
    """Validate one Scryfall card object (old or modern schema; a dict or a decoded ScryfallCard)
    into staging rows; raise CardRejected saying why it cannot be loaded. `source_hash` (the hash
    of the card's bytes in a bulk file) is stored with the printing."""
    if card.__class__ is not ScryfallCard:
        if not isinstance(card, dict):
            raise CardRejected(f"card must be a JSON object, got {type(card).__name__}")
        raw_id = card.get("id")
        if _as_uuid(raw_id) is None:   # say what is wrong with the card's identity first
            raise CardRejected("field 'id' is missing" if raw_id is None else f"field 'id' {raw_id!r} is not a UUID",
                               raw_id if isinstance(raw_id, str) else None)
        try:
            card = msgspec.convert(card, ScryfallCard)
        except msgspec.ValidationError as exc:
            raise CardRejected(_validation_reason(exc), _as_uuid(raw_id)) from None
    card_id = _as_uuid(card.id)
    if card_id is None:
        raise CardRejected(f"field 'id' {card.id!r} is not a UUID", card.id)
    for key in _REQUIRED_TEXT:
        if not getattr(card, key):
            raise CardRejected(f"required field {key!r} is missing", card_id)
    faces = card.card_faces
    first_face = faces[0] if faces else _NO_FACE

    # Reversible cards carry the oracle id on each face only.
    oracle_source = card.oracle_id if card.oracle_id is not None else first_face.oracle_id
    oracle_id = _as_uuid(oracle_source)
    if oracle_id is None:
        raise CardRejected("field 'oracle_id' is missing" if oracle_source is None
                           else f"field 'oracle_id' {oracle_source!r} is not a UUID", card_id)

    name = card.name
    layout = card.layout
    set_code = card.set.lower()
    lang = card.lang or "en"
    released_text = card.released_at
    try:
        released_at = dt.date.fromisoformat(released_text) if released_text else None
    except ValueError:
        raise CardRejected(f"field 'released_at' {released_text!r} is not a date", card_id) from None

    finishes = card.finishes
    if finishes is None:
        # Older schema: foil/nonfoil booleans.
        finishes = [f for f, present in (("nonfoil", card.nonfoil), ("foil", card.foil)) if present is True]

    prices_raw = card.prices
    prices: dict[str, int] = {}
    if prices_raw:
        for key in PRICE_FIELDS:
            value = prices_raw.get(key)
            if value is not None:
                cents = price_to_cents(value)
                if cents is not None:
                    prices[key] = cents

    cmc = card.cmc
    if cmc is None:
        cmc = first_face.cmc
    if cmc is None:
        cmc = 0.0
    if not 0 <= cmc < 10_000_000_000:   # oracle_cards.cmc is NUMERIC(12, 2) (Gleemax's is 1,000,000)
        raise CardRejected(f"field 'cmc' is out of range: {cmc}", card_id)

    colors = card.colors
    if colors is None and faces:
        present = {c for f in faces for c in (f.colors or ())}
        colors = [c for c in _COLOR_ORDER if c in present]

    if faces:
        oracle_faces = _json([{k: getattr(f, k) for k in _ORACLE_FACE_KEYS} for f in faces])
        print_faces = _json([{k: v for k in _PRINT_FACE_KEYS if (v := getattr(f, k)) is not None}
                             for f in faces])
    else:
        oracle_faces = print_faces = None
    type_line, oracle_text = card.type_line, card.oracle_text
    if layout == "reversible_card":
        type_line = type_line if type_line is not None else first_face.type_line
        oracle_text = oracle_text if oracle_text is not None else first_face.oracle_text

    oracle_values = (
        oracle_id, name, layout, card.mana_cost, float(cmc), type_line, oracle_text, card.power,
        card.toughness, card.loyalty, card.defense, colors or [], card.color_identity or [],
        card.color_indicator, card.keywords or [], card.produced_mana, _json(card.legalities or {}),
        card.reserved is True, card.edhrec_rank, oracle_faces,
    )
    oracle_hash = _digest(oracle_values)
    oracle_rank = f"{1 if lang == 'en' else 0}|{released_text or '0000-00-00'}|{card_id}"

    artist_ids = card.artist_ids
    if artist_ids is not None:
        artist_ids = [a for a in map(_as_uuid, artist_ids) if a]
    frame_effects = card.frame_effects
    if frame_effects is None:
        frame_effects = [card.frame_effect] if card.frame_effect else []
    illustration_id = _as_uuid(card.illustration_id or first_face.illustration_id)
    image_uris = card.image_uris

    version_values = (
        card_id, oracle_id, set_code, card.collector_number, lang, released_at, card.rarity, finishes,
        card.games or [], name, card.printed_name, card.printed_type_line, card.printed_text,
        card.flavor_text, card.artist, artist_ids, illustration_id, card.border_color, card.frame,
        frame_effects, card.security_stamp, card.full_art is True, card.textless is True,
        card.promo is True, card.promo_types or [], card.reprint is True, card.variation is True,
        card.digital is True, card.booster is True, card.oversized is True, layout, card.image_status,
        _json(image_uris) if image_uris is not None else None, print_faces, card.multiverse_ids or [],
        card.mtgo_id, card.mtgo_foil_id, card.arena_id, card.tcgplayer_id, card.tcgplayer_etched_id,
        card.cardmarket_id, card.scryfall_uri,
        prices.get("usd"), prices.get("usd_foil"), prices.get("usd_etched"), prices.get("eur"),
        prices.get("eur_foil"), prices.get("tix"),
    )
    # The oracle hash is part of the printing's: an erratum changes every printing of the card.
    version_hash = _digest(version_values + (oracle_hash,))

    set_id = _as_uuid(card.set_id) or _derived_set_id(set_code)
    set_row = (set_id, set_code, card.set_name or set_code.upper(), card.set_type or "unknown")

    return NormalizedCard(
        card_version_id=card_id, oracle_id=oracle_id, set_code=set_code, set_row=set_row,
        version=version_values + (version_hash, source_hash), version_hash=version_hash,
        oracle=oracle_values + (oracle_hash, oracle_rank), oracle_hash=oracle_hash, oracle_rank=oracle_rank,
        prices=prices,
    )


_NO_FACE = _Face()


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


def _raw_payload(text: bytes) -> str:
    """A rejected line as JSON for the reject table: the card itself when it parses, else its start
    (as a string, which also keeps a NUL escape from reaching jsonb)."""
    try:
        return _reject_payload(orjson.loads(text))
    except orjson.JSONDecodeError:
        return orjson.dumps({"raw": text[:2000].decode("utf-8", "replace")}).decode()


def _normalize_batch(raw_cards: list) -> _Batch:
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
                parsed = _CARD_DECODER.decode(raw.text)
            except msgspec.ValidationError as exc:
                rejects.append((raw.card_id, _validation_reason(exc), _raw_payload(raw.text)))
                continue
            except msgspec.DecodeError as exc:
                rejects.append((raw.card_id, f"invalid JSON: {exc}", _raw_payload(raw.text)))
                continue
        else:
            parsed = raw
        try:
            card = normalize_card(parsed, source_hash)
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
                     writers: int = DEFAULT_WRITERS, on_batch=None) -> LoadCounts:
    """Load Scryfall card objects into the catalog; returns inserted/updated/unchanged/rejected counts.

    `cards` may be a (lazy) iterable or async iterable. Each batch is committed on its own, so a
    crash loses at most the batch in flight, and a re-run skips every card already loaded.
    `on_batch(counts_so_far)` (sync or async) is called after each committed batch. `writers`
    connections write batches concurrently (locks are taken in key order, so they cannot deadlock).
    """
    observed_on = observed_on or dt.datetime.now(dt.timezone.utc).date()
    observed_at = dt.datetime.combine(observed_on, dt.time(), tzinfo=dt.timezone.utc)
    total = LoadCounts()

    with _fewer_gc_passes():
        try:
            return await _load_cards(executor, cards, run_id=run_id, observed_on=observed_on,
                                     observed_at=observed_at, batch_size=batch_size, on_batch=on_batch,
                                     writers=max(1, writers), total=total)
        except BaseExceptionGroup as group:
            # Surface the first real error rather than a TaskGroup wrapper.
            raise group.exceptions[0] from None


_gc_state = {"depth": 0, "saved": None}


@contextlib.contextmanager
def _fewer_gc_passes():
    # A load allocates millions of short-lived objects; the default thresholds make the cyclic GC
    # rescan the live batch over and over (about a third of the parse time). Nothing here builds
    # cycles, so collect far less often while any load runs (overlapping loads share one setting).
    # The reading, parsing and event-loop threads share the GIL: a shorter switch interval lets the
    # loop hand the database its next statement sooner instead of waiting out a parsing slice.
    if _gc_state["depth"] == 0:
        saved = _gc_state["saved"] = (gc.get_threshold(), sys.getswitchinterval())
        gc.set_threshold(max(saved[0][0], 100_000), max(saved[0][1], 50), max(saved[0][2], 100))
        sys.setswitchinterval(min(saved[1], 0.001))
    _gc_state["depth"] += 1
    try:
        yield
    finally:
        _gc_state["depth"] -= 1
        if _gc_state["depth"] == 0:
            thresholds, interval = _gc_state["saved"]
            gc.set_threshold(*thresholds)
            sys.setswitchinterval(interval)


async def _load_cards(executor, cards, *, run_id, observed_on, observed_at, batch_size, on_batch, writers,
                      total: LoadCounts) -> LoadCounts:
    async with executor.connection() as conn:
        repo = CatalogLoadRepository(conn)
        ctx = _LoadContext(set_ids=await repo.set_ids(), source_id=await repo.price_source_id("scryfall"),
                           run_id=run_id, observed_on=observed_on, observed_at=observed_at)
    # Two threads suffice (one reads, one parses; the GIL serialises Python work anyway), and few
    # threads mean few malloc arenas: memory stays flat as the file grows.
    threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="scryfall-load")
    loop = asyncio.get_running_loop()
    next_batch = _batch_source(cards, batch_size, threads)
    # Reading (a few ms a batch) runs ahead of the writers by one batch: memory stays bounded.
    queue: asyncio.Queue[list | None] = asyncio.Queue(maxsize=1)

    read_errors: list[Exception] = []

    async def produce() -> None:
        while True:
            try:
                batch = await next_batch()
            except Exception as exc:   # e.g. a truncated file: the batches already read still land
                read_errors.append(exc)
                batch = None
            await queue.put(batch)
            if batch is None:
                return

    async def write() -> None:
        async with executor.connection() as conn:
            repo = CatalogLoadRepository(conn)
            await repo.create_staging()
            try:
                while True:
                    items = await queue.get()
                    if items is None:
                        await queue.put(None)   # let the other writers see the end too
                        return
                    items, skipped = await _skip_unchanged_lines(repo, items)
                    # Parse and normalise in a thread: the other writer's database work goes on.
                    batch = await loop.run_in_executor(threads, _normalize_batch, items)
                    del items   # the raw lines are not needed while the batch is written
                    counts = await _write_isolating(conn, repo, batch, ctx)
                    del batch
                    _release_free_memory()
                    counts.seen += skipped
                    counts.unchanged += skipped
                    total.add(counts)
                    await _notify(on_batch, total)
            finally:
                if not conn.is_closed():
                    await repo.drop_staging()

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(produce())
            for _ in range(writers):
                group.create_task(write())
    finally:
        threads.shutdown(wait=False, cancel_futures=True)
    if read_errors:
        raise read_errors[0]
    return total


def _load_malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim   # the C library the interpreter already runs on
    except (OSError, AttributeError):   # not glibc: nothing to trim
        return None


_malloc_trim = _load_malloc_trim()


def _release_free_memory() -> None:
    # Each batch frees tens of MB in many sizes from several threads; glibc keeps such memory in
    # its heaps, and the process would grow for a while as holes pile up. Handing free pages back
    # after every batch keeps the footprint at what the batches in flight use, whatever the file size.
    if _malloc_trim is not None:
        _malloc_trim(0)


async def _notify(callback, counts: LoadCounts) -> None:
    if callback is not None:
        result = callback(counts)
        if asyncio.iscoroutine(result):
            await result


def _batch_sizes(batch_size: int) -> Iterator[int]:
    # Small batches first, doubling up to `batch_size`: every writer gets work (and the database
    # its first rows) sooner, and a small file is spread over all writers instead of one or two.
    size = max(1, min(batch_size, STARTING_BATCH_SIZE))
    while size < batch_size:
        yield size
        size *= 2
    while True:
        yield batch_size


def _batch_source(cards, batch_size: int, threads: ThreadPoolExecutor):
    """An async function returning the next list of input items (see _batch_sizes), or None."""
    sizes = _batch_sizes(batch_size)
    if hasattr(cards, "__aiter__"):
        aiterator = cards.__aiter__()

        async def next_async() -> list | None:
            raw, size = [], next(sizes)
            async for item in aiterator:
                raw.append(item)
                if len(raw) >= size:
                    break
            return raw or None

        return next_async

    iterator = iter(cards)

    async def next_sync() -> list | None:
        # Reading (decompressing, splitting) happens in a thread so the writers keep the loop.
        return await asyncio.get_running_loop().run_in_executor(threads, _take, iterator, next(sizes)) or None

    return next_sync


async def _skip_unchanged_lines(repo: CatalogLoadRepository, items: list) -> tuple[list, int]:
    """Drop RawCard lines whose bytes hash is the stored source_hash of their printing."""
    ids = [i.card_id for i in items if i.__class__ is RawCard and i.card_id is not None]
    if not ids:
        return items, 0
    stored = await repo.source_hashes(ids)
    keep = [i for i in items
            if not (i.__class__ is RawCard and i.card_id is not None and stored.get(i.card_id) == i.source_hash)]
    return keep, len(items) - len(keep)


# Errors about one row's data (class 22: bad encoding, overflow...; class 23: constraints).
_ROW_ERRORS = (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError)
# What a plain COPY of rows believed new can run into: another writer (or process) wrote one of
# them first, or a set was re-keyed meanwhile. The set-based upsert copes with both.
_COPY_CONFLICTS = (asyncpg.UniqueViolationError, asyncpg.ForeignKeyViolationError,
                   asyncpg.DeadlockDetectedError)
# (price key, finish, currency) of the day's Scryfall prices.
_PRICE_SLOTS = (("usd", "nonfoil", "USD"), ("usd_foil", "foil", "USD"), ("usd_etched", "etched", "USD"),
                ("eur", "nonfoil", "EUR"), ("eur_foil", "foil", "EUR"), ("tix", "nonfoil", "TIX"))


@dataclass(slots=True)
class _LoadContext:
    set_ids: dict[str, str]          # set code -> set id, for every set a written card may hang off
    source_id: int
    run_id: int | None
    observed_on: dt.date
    observed_at: dt.datetime
    # Oracle rows and card-created sets are shared by many batches: one writer at a time writes
    # them, so two never insert the same oracle id at once (the other writer meanwhile COPies its
    # printings). Letting writers insert disjoint oracle ids in parallel measured slower: both
    # then fight over the same GIN index pages.
    parents_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


async def _write_isolating(conn, repo: CatalogLoadRepository, batch: _Batch, ctx: _LoadContext) -> LoadCounts:
    """Write a batch; if the database refuses it because of some card's data, split it in halves
    until the refused cards are alone, and reject just those (with the database's reason)."""
    try:
        return await _write_batch(conn, repo, batch, ctx)
    except _ROW_ERRORS as exc:
        if len(batch.cards) <= 1:
            reason = f"database refused the card: {type(exc).__name__}: {exc}"[:1000]
            rejects = batch.rejects + [(card_id, reason, orjson.dumps({"id": card_id}).decode())
                                       for card_id in batch.cards]
            async with conn.transaction():
                await repo.insert_rejects(ctx.run_id, rejects)
            return LoadCounts(seen=batch.seen, rejected=len(rejects))
    items = list(batch.cards.items())
    middle = len(items) // 2
    first = await _write_isolating(conn, repo, _Batch(dict(items[:middle]), batch.rejects, batch.seen), ctx)
    second = await _write_isolating(conn, repo, _Batch(dict(items[middle:]), [], 0), ctx)
    first.add(second)
    return first


async def _write_batch(conn, repo: CatalogLoadRepository, batch: _Batch, ctx: _LoadContext) -> LoadCounts:
    counts = LoadCounts(seen=batch.seen, rejected=len(batch.rejects))
    cards = batch.cards
    stored = await repo.version_hashes(list(cards))
    todo = [c for c in cards.values() if stored.get(c.card_version_id) != c.version_hash]
    counts.unchanged = len(cards) - len(todo)
    if todo:
        async with ctx.parents_lock:
            counts.sets_created = await _write_sets(repo, todo, ctx)
            counts.oracle_inserted, counts.oracle_updated = await _write_oracles(conn, repo, todo)
    new = [c for c in todo if c.card_version_id not in stored]
    try:
        written = await _write_printings(conn, repo, batch, new,
                                         [c for c in todo if c.card_version_id in stored], ctx)
    except _COPY_CONFLICTS:
        if not new:
            raise
        written = await _write_printings(conn, repo, batch, [], todo, ctx)
    counts.add(written)
    return counts


async def _write_sets(repo: CatalogLoadRepository, cards: list[NormalizedCard], ctx: _LoadContext) -> int:
    """Create the sets these cards name that the catalog lacks (from the cards' own fields)."""
    missing: dict[str, tuple] = {}
    for c in cards:
        if c.set_code not in ctx.set_ids and c.set_code not in missing:
            missing[c.set_code] = c.set_row
    if not missing:
        return 0
    created = await repo.insert_sets_from_cards(list(missing.values()))
    # A set another process created meanwhile keeps its own id: read back what is stored.
    ctx.set_ids.update(await repo.set_ids(list(missing)))
    return len(created)


async def _write_oracles(conn, repo: CatalogLoadRepository, cards: list[NormalizedCard]) -> tuple[int, int]:
    """One oracle row per oracle id: the best-ranked printing of the batch, written only when it
    outranks (or equals) the printing the stored row came from. Committed on its own, before the
    printings that reference it."""
    best: dict[str, NormalizedCard] = {}
    for c in cards:
        current = best.get(c.oracle_id)
        if current is None or c.oracle_rank > current.oracle_rank:
            best[c.oracle_id] = c
    stored = await repo.oracle_hashes(list(best))
    new_rows, changed_rows = [], []
    for oracle_id, c in best.items():
        prior = stored.get(oracle_id)
        if prior is None:
            new_rows.append(c.oracle)
        elif prior[0] != c.oracle_hash and (prior[1] is None or prior[1] <= c.oracle_rank):
            changed_rows.append(c.oracle)
    inserted = updated = 0
    if not (new_rows or changed_rows):
        return 0, 0
    async with conn.transaction():
        if new_rows:
            try:
                async with conn.transaction():
                    await repo.copy_oracle_cards(new_rows)
                inserted = len(new_rows)
            except asyncpg.UniqueViolationError:
                changed_rows += new_rows   # written meanwhile by another process
        if changed_rows:
            await repo.stage_oracles(changed_rows)
            more, updated = await repo.upsert_oracle_cards()
            inserted += more
    return inserted, updated


async def _write_printings(conn, repo: CatalogLoadRepository, batch: _Batch, new: list[NormalizedCard],
                           changed: list[NormalizedCard], ctx: _LoadContext) -> LoadCounts:
    """The printings, their prices and the batch's rejects: all or nothing. Printings not stored
    yet are COPied straight into the catalog; the others go through staging and a set-based upsert.
    Returns what was written (counted only once the transaction commits)."""
    counts = LoadCounts()
    async with conn.transaction():
        if new:
            # Key order, so writers that happen to hold the same printing cannot deadlock.
            new.sort(key=lambda c: c.card_version_id)
            await repo.copy_card_versions([c.version for c in new], [ctx.set_ids.get(c.set_code) for c in new],
                                          ctx.observed_at)
            counts.inserted = len(new)
            observations = [(c.card_version_id, finish, currency, cents)
                            for c in new if c.prices
                            for key, finish, currency in _PRICE_SLOTS if (cents := c.prices.get(key)) is not None]
            if observations:
                await repo.copy_new_prices(observations, source_id=ctx.source_id, observed_on=ctx.observed_on,
                                           run_id=ctx.run_id)
                counts.price_observations = counts.latest_prices = len(observations)
        if changed:
            await repo.stage_versions([c.version for c in changed])
            inserted, updated = await repo.upsert_card_versions(ctx.observed_at)
            counts.inserted += inserted
            counts.updated = updated
            counts.unchanged = len(changed) - inserted - updated
            if any(c.prices for c in changed):
                observed, latest = await repo.upsert_prices(source_id=ctx.source_id, observed_on=ctx.observed_on,
                                                            run_id=ctx.run_id)
                counts.price_observations += observed
                counts.latest_prices += latest
        await repo.insert_rejects(ctx.run_id, batch.rejects)
    return counts


# -- sets ------------------------------------------------------------------------------------------

def normalize_set(obj: dict) -> tuple:
    """A Scryfall set object -> a row in CatalogLoadRepository SET_COLUMNS order (raises ValueError)."""
    if not isinstance(obj, dict):
        raise ValueError("set must be a JSON object")
    set_id = _as_uuid(obj.get("id"))
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

_LINE_ID = re.compile(rb'"id"\s*:\s*"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"')


class RawCard:
    """One card line of a bulk file, not parsed yet: its id (read from the line) and a hash of
    its bytes let an unchanged card be skipped without parsing or normalising it."""

    __slots__ = ("text", "card_id", "source_hash")

    def __init__(self, text: bytes):
        self.text = text
        match = _LINE_ID.search(text, 0, 400)
        self.card_id = match.group(1).decode() if match else None
        self.source_hash = xxhash.xxh3_128_hexdigest(text)


class _CountingReader(io.RawIOBase):
    """A raw binary reader that counts the (compressed) bytes read, for progress and ETA."""

    def __init__(self, path):
        super().__init__()
        self._file = open(path, "rb", buffering=0)
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._file.readinto(buffer)
        self.bytes_read += n or 0
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


class BulkFile:
    """A Scryfall bulk file on disk (plain or gzipped JSON array, JSON Lines, or a list object), streamed.

    Iterating yields card dicts with constant memory; `records()` yields what the loader wants:
    RawCard lines when the file has one card per line (as Scryfall writes them; parsed later with
    orjson, a line that is not valid JSON is rejected on its own), else dicts from ijson.
    `bytes_read` / `size_bytes` give progress.
    """

    def __init__(self, path):
        self.path = path
        self.size_bytes = os.path.getsize(path)
        self._reader: _CountingReader | None = None

    @property
    def bytes_read(self) -> int:
        return self._reader.bytes_read if self._reader else 0

    def _open(self):
        with open(self.path, "rb") as f:
            gzipped = f.read(2) == b"\x1f\x8b"
        self._reader = _CountingReader(self.path)
        if gzipped:   # ISA-L inflates about 3x faster than zlib: a quarter of an unchanged re-load
            return igzip.GzipFile(fileobj=self._reader, mode="rb")
        return io.BufferedReader(self._reader, buffer_size=1 << 20)

    def _layout(self) -> str:
        """'lines' (a JSON array with one card per line, or JSON Lines), 'array' or 'list'."""
        stream = self._open()
        try:
            first = stream.readline(1 << 16).strip()
            candidate = first
            if first == b"[":
                candidate = stream.readline().strip().removesuffix(b",")
            if candidate.startswith(b"{"):
                try:
                    parsed = orjson.loads(candidate)
                    if isinstance(parsed, dict) and parsed.get("object") != "list":
                        return "lines"
                except orjson.JSONDecodeError:
                    pass
            return "list" if first.startswith(b"{") else "array"
        finally:
            stream.close()
            self._reader.close()

    def __iter__(self):
        for item in self.records():
            if item.__class__ is RawCard:
                try:
                    yield orjson.loads(item.text)
                except orjson.JSONDecodeError:
                    yield item    # left for the loader to reject with the reason
            else:
                yield item

    def records(self):
        layout = self._layout()
        stream = self._open()
        try:
            if layout == "lines":
                yield from self._lines(stream)
            else:
                yield from ijson.items(stream, "data.item" if layout == "list" else "item", use_float=True)
        finally:
            stream.close()
            if self._reader is not None:
                self._reader.close()

    @staticmethod
    def _split_lines(stream, chunk_size: int = 1 << 20):
        # One split per megabyte is several times cheaper than a readline() call per card.
        rest = b""
        while chunk := stream.read(chunk_size):
            lines = (rest + chunk).split(b"\n") if rest else chunk.split(b"\n")
            rest = lines.pop()
            yield from lines
        if rest:
            yield rest

    @classmethod
    def _lines(cls, stream):
        for line in cls._split_lines(stream):
            text = line.strip()
            if not text or text == b"[" or text == b"]":
                continue
            if text[-1:] == b",":
                text = text[:-1]
            elif text[-2:] == b"}]":   # last card and the closing bracket on one line
                text = text[:-1]
            yield RawCard(text)
