"""Scryfall card/set loader: stream bulk files, normalise cards (both schemas), and write only new or
changed ones in batches (COPY into session staging tables, then set-based upserts)."""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import gzip
import hashlib
import io
import os
import re
import uuid
from collections.abc import AsyncIterable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import asyncpg
import ijson
import orjson

from backend.repositories.card_catalog.catalog_load_repository import CatalogLoadRepository

DEFAULT_BATCH_SIZE = 2500
DEFAULT_WRITERS = 3
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
    return None if value is None else orjson.dumps(value, option=_HASH_OPTS).decode()


def _digest(values: tuple) -> str:
    return hashlib.blake2b(orjson.dumps(values, option=_HASH_OPTS), digest_size=16).hexdigest()


_ORACLE_FACE_KEYS = ("name", "mana_cost", "type_line", "oracle_text", "power", "toughness", "loyalty",
                     "defense", "colors")
_PRINT_FACE_KEYS = ("name", "printed_name", "mana_cost", "type_line", "printed_type_line", "oracle_text",
                    "printed_text", "flavor_text", "artist", "illustration_id", "image_uris", "power",
                    "toughness", "loyalty", "defense", "colors", "oracle_id")
_COLOR_ORDER = "WUBRG"


_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TEXT_FIELDS = ("name", "layout", "rarity", "collector_number", "set", "lang", "mana_cost", "type_line",
                "oracle_text", "power", "toughness", "loyalty", "defense", "printed_name", "printed_type_line",
                "printed_text", "flavor_text", "artist", "border_color", "frame", "security_stamp",
                "image_status", "scryfall_uri", "released_at")
_REQUIRED_TEXT = ("name", "layout", "rarity", "collector_number", "set")
_INT_FIELDS = ("edhrec_rank", "mtgo_id", "mtgo_foil_id", "arena_id", "tcgplayer_id", "tcgplayer_etched_id",
               "cardmarket_id")
_STR_LIST_FIELDS = ("finishes", "colors", "color_identity", "color_indicator", "keywords", "produced_mana",
                    "games", "promo_types", "frame_effects")
_INT32 = range(-2**31, 2**31)
_set_ids: dict[str, str] = {}


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


def _check_types(card: dict, card_id: str) -> None:
    get = card.get
    for key in _TEXT_FIELDS:
        value = get(key)
        if value is not None and value.__class__ is not str:
            raise CardRejected(f"field {key!r} must be a string, got {type(value).__name__}", card_id)
    for key in _REQUIRED_TEXT:
        if not get(key):
            raise CardRejected(f"required field {key!r} is missing", card_id)
    for key in _INT_FIELDS:
        value = get(key)
        if value is not None and (value.__class__ is not int or value not in _INT32):
            raise CardRejected(f"field {key!r} must be a 32-bit integer, got {value!r}", card_id)
    for key in _STR_LIST_FIELDS:
        value = get(key)
        if value is not None and (value.__class__ is not list or any(v.__class__ is not str for v in value)):
            raise CardRejected(f"field {key!r} must be a list of strings", card_id)


def normalize_card(card: dict) -> NormalizedCard:
    """Validate one Scryfall card object (old or modern schema) into staging rows; raise CardRejected."""
    if not isinstance(card, dict):
        raise CardRejected(f"card must be a JSON object, got {type(card).__name__}")
    get = card.get
    raw_id = get("id")
    card_id = _as_uuid(raw_id)
    if card_id is None:
        raise CardRejected("field 'id' is missing" if raw_id is None else f"field 'id' {raw_id!r} is not a UUID",
                           raw_id if isinstance(raw_id, str) else None)
    _check_types(card, card_id)
    faces = get("card_faces")
    if faces is not None and (faces.__class__ is not list or any(f.__class__ is not dict for f in faces)):
        raise CardRejected("field 'card_faces' must be a list of objects", card_id)
    first_face = faces[0] if faces else {}

    oracle_source = get("oracle_id")
    if oracle_source is None:
        # Reversible cards carry the oracle id on each face only.
        oracle_source = first_face.get("oracle_id")
    oracle_id = _as_uuid(oracle_source)
    if oracle_id is None:
        raise CardRejected("field 'oracle_id' is missing" if oracle_source is None
                           else f"field 'oracle_id' {oracle_source!r} is not a UUID", card_id)

    name = card["name"]
    layout = card["layout"]
    set_code = card["set"].lower()
    lang = get("lang") or "en"
    released_text = get("released_at")
    try:
        released_at = dt.date.fromisoformat(released_text) if released_text else None
    except ValueError:
        raise CardRejected(f"field 'released_at' {released_text!r} is not a date", card_id) from None

    finishes = get("finishes")
    if finishes is None:
        # Older schema: foil/nonfoil booleans.
        finishes = [f for f, present in (("nonfoil", get("nonfoil")), ("foil", get("foil"))) if present is True]

    prices_raw = get("prices")
    prices: dict[str, int] = {}
    if prices_raw.__class__ is dict:
        for key in PRICE_FIELDS:
            value = prices_raw.get(key)
            if value is not None:
                cents = price_to_cents(value)
                if cents is not None:
                    prices[key] = cents

    cmc = get("cmc")
    if cmc is None:
        cmc = first_face.get("cmc")
    if cmc is None:
        cmc = 0.0
    if cmc.__class__ not in (int, float):
        raise CardRejected(f"field 'cmc' must be a number, got {cmc!r}", card_id)
    if not 0 <= cmc < 10_000_000_000:   # oracle_cards.cmc is NUMERIC(12, 2) (Gleemax's is 1,000,000)
        raise CardRejected(f"field 'cmc' is out of range: {cmc}", card_id)

    colors = get("colors")
    if colors is None and faces:
        present = {c for f in faces for c in (f.get("colors") or ())}
        colors = [c for c in _COLOR_ORDER if c in present]
    legalities = get("legalities") or {}
    if legalities.__class__ is not dict:
        raise CardRejected("field 'legalities' must be an object", card_id)

    if faces:
        oracle_faces = _json([{k: f.get(k) for k in _ORACLE_FACE_KEYS} for f in faces])
        print_faces = _json([{k: v for k in _PRINT_FACE_KEYS if (v := f.get(k)) is not None} for f in faces])
    else:
        oracle_faces = print_faces = None
    type_line, oracle_text = get("type_line"), get("oracle_text")
    if layout == "reversible_card":
        type_line = type_line if type_line is not None else first_face.get("type_line")
        oracle_text = oracle_text if oracle_text is not None else first_face.get("oracle_text")

    oracle_values = (
        oracle_id, name, layout, get("mana_cost"), float(cmc), type_line, oracle_text, get("power"),
        get("toughness"), get("loyalty"), get("defense"), colors or [], get("color_identity") or [],
        get("color_indicator"), get("keywords") or [], get("produced_mana"), _json(legalities),
        get("reserved") is True, get("edhrec_rank"), oracle_faces,
    )
    oracle_hash = _digest(oracle_values)
    oracle_rank = f"{1 if lang == 'en' else 0}|{released_text or '0000-00-00'}|{card_id}"

    multiverse_ids = get("multiverse_ids") or []
    if multiverse_ids.__class__ is not list or any(m.__class__ is not int or m not in _INT32 for m in multiverse_ids):
        raise CardRejected("field 'multiverse_ids' must be a list of integers", card_id)
    artist_ids = get("artist_ids")
    if artist_ids is not None:
        artist_ids = [a for a in map(_as_uuid, artist_ids) if a] if artist_ids.__class__ is list else None
    frame_effects = get("frame_effects")
    if frame_effects is None:
        old = get("frame_effect")   # older schema: a single string
        frame_effects = [old] if old.__class__ is str and old else []
    illustration_id = _as_uuid(get("illustration_id") or first_face.get("illustration_id"))
    image_uris = get("image_uris")

    version_values = (
        card_id, oracle_id, set_code, card["collector_number"], lang, released_at, card["rarity"], finishes,
        get("games") or [], name, get("printed_name"), get("printed_type_line"), get("printed_text"),
        get("flavor_text"), get("artist"), artist_ids, illustration_id, get("border_color"), get("frame"),
        frame_effects, get("security_stamp"), get("full_art") is True, get("textless") is True,
        get("promo") is True, get("promo_types") or [], get("reprint") is True, get("variation") is True,
        get("digital") is True, get("booster") is True, get("oversized") is True, layout, get("image_status"),
        _json(image_uris) if image_uris is not None else None, print_faces, multiverse_ids,
        get("mtgo_id"), get("mtgo_foil_id"), get("arena_id"), get("tcgplayer_id"), get("tcgplayer_etched_id"),
        get("cardmarket_id"), get("scryfall_uri"),
        prices.get("usd"), prices.get("usd_foil"), prices.get("usd_etched"), prices.get("eur"),
        prices.get("eur_foil"), prices.get("tix"),
    )
    # The oracle hash is part of the printing's: an erratum changes every printing of the card.
    version_hash = _digest(version_values + (oracle_hash,))

    set_id = _as_uuid(get("set_id")) or _derived_set_id(set_code)
    set_name = get("set_name")
    set_type = get("set_type")
    set_row = (set_id, set_code, set_name if set_name.__class__ is str else set_code.upper(),
               set_type if set_type.__class__ is str else "unknown")

    return NormalizedCard(
        card_version_id=card_id, oracle_id=oracle_id, set_code=set_code, set_row=set_row,
        version=version_values + (version_hash, None), version_hash=version_hash,
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
        source_hash = None
        if raw.__class__ is RawCard:
            source_hash = raw.source_hash
            if b"\\u0000" in raw.text:   # Postgres text cannot hold NUL: reject the card, not the batch
                rejects.append((raw.card_id, "card contains a NUL character (\\u0000)",
                                orjson.dumps({"raw": raw.text[:2000].decode("utf-8", "replace")}).decode()))
                continue
            try:
                raw = orjson.loads(raw.text)
            except orjson.JSONDecodeError as exc:
                text = raw.text[:2000].decode("utf-8", "replace")
                rejects.append((raw.card_id, f"invalid JSON: {exc}", orjson.dumps({"raw": text}).decode()))
                continue
        try:
            card = normalize_card(raw)
        except CardRejected as exc:
            rejects.append((exc.scryfall_id, exc.reason, _reject_payload(raw)))
            continue
        except Exception as exc:  # a malformed card must not stop the load; keep it with the reason
            card_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
            rejects.append((card_id, f"invalid card: {type(exc).__name__}: {exc}", _reject_payload(raw)))
            continue
        if source_hash is not None:
            card.version = card.version[:-1] + (source_hash,)
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
    # A load allocates millions of short-lived dicts; the default thresholds make the cyclic GC
    # rescan the live batch over and over (about a third of the parse time). Nothing here builds
    # cycles, so collect far less often while any load runs (overlapping loads share one setting).
    if _gc_state["depth"] == 0:
        _gc_state["saved"] = gc.get_threshold()
        saved = _gc_state["saved"]
        gc.set_threshold(max(saved[0], 100_000), max(saved[1], 50), max(saved[2], 100))
    _gc_state["depth"] += 1
    try:
        yield
    finally:
        _gc_state["depth"] -= 1
        if _gc_state["depth"] == 0:
            gc.set_threshold(*_gc_state["saved"])


async def _load_cards(executor, cards, *, run_id, observed_on, observed_at, batch_size, on_batch, writers,
                      total: LoadCounts) -> LoadCounts:
    async with executor.connection() as conn:
        repo = CatalogLoadRepository(conn)
        known_sets = await repo.known_set_codes()
        source_id = await repo.price_source_id("scryfall")
    # Two threads suffice (one reads, one parses; the GIL serialises Python work anyway), and few
    # threads mean few malloc arenas: memory stays flat as the file grows.
    threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="scryfall-load")
    loop = asyncio.get_running_loop()
    next_batch = _batch_source(cards, batch_size, threads)
    # Reading runs ahead of the writers by at most `writers` batches: memory stays bounded.
    queue: asyncio.Queue[list | None] = asyncio.Queue(maxsize=writers)

    async def produce() -> None:
        while True:
            batch = await next_batch()
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
                    counts = await _write_isolating(conn, repo, batch, known_sets=known_sets, source_id=source_id,
                                                    run_id=run_id, observed_on=observed_on, observed_at=observed_at)
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
    return total


async def _notify(callback, counts: LoadCounts) -> None:
    if callback is not None:
        result = callback(counts)
        if asyncio.iscoroutine(result):
            await result


def _batch_source(cards, batch_size: int, threads: ThreadPoolExecutor):
    """An async function returning the next list of up to `batch_size` input items, or None."""
    if hasattr(cards, "__aiter__"):
        aiterator = cards.__aiter__()

        async def next_async() -> list | None:
            raw = []
            async for item in aiterator:
                raw.append(item)
                if len(raw) >= batch_size:
                    break
            return raw or None

        return next_async

    iterator = iter(cards)

    async def next_sync() -> list | None:
        # Reading (decompressing, splitting) happens in a thread so the writers keep the loop.
        return await asyncio.get_running_loop().run_in_executor(threads, _take, iterator, batch_size) or None

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


async def _write_isolating(conn, repo: CatalogLoadRepository, batch: _Batch, **kwargs) -> LoadCounts:
    """Write a batch; if the database refuses it because of some card's data, split it in halves
    until the refused cards are alone, and reject just those (with the database's reason)."""
    try:
        return await _write_batch(conn, repo, batch, **kwargs)
    except _ROW_ERRORS as exc:
        if len(batch.cards) <= 1:
            reason = f"database refused the card: {type(exc).__name__}: {exc}"[:1000]
            rejects = batch.rejects + [(card_id, reason, orjson.dumps({"id": card_id}).decode())
                                       for card_id in batch.cards]
            async with conn.transaction():
                await repo.insert_rejects(kwargs["run_id"], rejects)
            return LoadCounts(seen=batch.seen, rejected=len(rejects))
    items = list(batch.cards.items())
    middle = len(items) // 2
    first = await _write_isolating(conn, repo, _Batch(dict(items[:middle]), batch.rejects, batch.seen), **kwargs)
    second = await _write_isolating(conn, repo, _Batch(dict(items[middle:]), [], 0), **kwargs)
    first.add(second)
    return first


async def _write_batch(conn, repo: CatalogLoadRepository, batch: _Batch, *, known_sets: set[str],
                       source_id: int, run_id: int | None, observed_on: dt.date,
                       observed_at: dt.datetime) -> LoadCounts:
    counts = LoadCounts(seen=batch.seen, rejected=len(batch.rejects))
    cards = batch.cards
    stored = await repo.version_hashes(list(cards))
    changed = [c for c in cards.values() if stored.get(c.card_version_id) != c.version_hash]
    counts.unchanged = len(cards) - len(changed)
    new_sets: dict[str, tuple] = {}
    for c in changed:
        if c.set_code not in known_sets and c.set_code not in new_sets:
            new_sets[c.set_code] = c.set_row
    if new_sets:
        # Committed on their own, before the batch: concurrent writers then never wait on each
        # other's uncommitted set rows (a set row without cards is harmless and idempotent).
        counts.sets_created = len(await repo.insert_sets_from_cards(list(new_sets.values())))
        known_sets.update(new_sets)
    if changed:
        # One oracle row per oracle id: the best-ranked printing of the batch, and only when it
        # outranks (or equals) the printing the stored row came from. Committed in a short
        # transaction of its own, in oracle_id order: popular oracle ids appear in every batch,
        # and holding their row locks for a whole batch would serialise the writers.
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
            async with conn.transaction():
                await repo.stage_oracles(oracle_rows)
                counts.oracle_inserted, counts.oracle_updated = await repo.upsert_oracle_cards()

    # The printings, their identifiers, prices and the batch's rejects: all or nothing.
    async with conn.transaction():
        if changed:
            await repo.stage_versions([c.version for c in changed])
            counts.inserted, counts.updated = await repo.upsert_card_versions(observed_at)
            counts.unchanged += len(changed) - counts.inserted - counts.updated
            existing = [c.card_version_id for c in changed if c.card_version_id in stored]
            counts.external_ids_written = await repo.replace_external_identifiers(existing)
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
        self.source_hash = hashlib.blake2b(text, digest_size=16).hexdigest()


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
        if gzipped:
            return gzip.GzipFile(fileobj=self._reader, mode="rb")
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
    def _lines(stream):
        for line in stream:
            text = line.strip()
            if not text or text == b"[" or text == b"]":
                continue
            if text[-1:] == b",":
                text = text[:-1]
            elif text[-2:] == b"}]":   # last card and the closing bracket on one line
                text = text[:-1]
            yield RawCard(text)
