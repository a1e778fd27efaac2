"""Normalising Scryfall objects into catalog rows: a card (either bulk schema) into its printing and
oracle-card staging tuples plus its prices, a set into its row; content hashes for change detection."""
from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

import msgspec
import orjson
import xxhash

from backend.new_services.card_catalog.catalog_load.card_document import document_text
from backend.new_services.card_catalog.catalog_load.card_schema import ScryfallCard, ScryfallFace, validation_reason

# Sets created from a card without `set_id` (older schema) get an id derived from their code.
SET_ID_NAMESPACE = uuid.UUID("6f1b7c1e-5a43-4c1e-9d7e-2a7c3b0e5f10")
PRICE_FIELDS = ("usd", "usd_foil", "usd_etched", "eur", "eur_foil", "tix")
_JSON_OPTS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


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
    version: tuple                         # in VERSION_STAGING column order (content_hash, source_hash last)
    version_hash: str
    oracle: tuple                          # in ORACLE_STAGING column order (hash and rank last)
    oracle_hash: str
    oracle_rank: str
    prices: dict[str, int]                 # usd/usd_foil/... -> integer cents
    document: str = ""                     # the card object as served (card_document.py)


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


def content_digest(values: tuple) -> str:
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

def as_uuid(value: Any) -> str | None:
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


def normalize_card(card: Any, source_hash: str | None = None, raw: bytes | None = None) -> NormalizedCard:
    """Validate one Scryfall card object (old or modern schema; a dict or a decoded ScryfallCard)
    into staging rows; raise CardRejected saying why it cannot be loaded. `source_hash` (the hash
    of the card's bytes in a bulk file) is stored with the printing; `raw` (those bytes) is the
    source of its document when `card` was decoded from them."""
    source_dict = card if isinstance(card, dict) else None
    if card.__class__ is not ScryfallCard:
        if not isinstance(card, dict):
            raise CardRejected(f"card must be a JSON object, got {type(card).__name__}")
        raw_id = card.get("id")
        if as_uuid(raw_id) is None:   # say what is wrong with the card's identity first
            raise CardRejected("field 'id' is missing" if raw_id is None else f"field 'id' {raw_id!r} is not a UUID",
                               raw_id if isinstance(raw_id, str) else None)
        try:
            card = msgspec.convert(card, ScryfallCard)
        except msgspec.ValidationError as exc:
            raise CardRejected(validation_reason(exc), as_uuid(raw_id)) from None
    card_id = as_uuid(card.id)
    if card_id is None:
        raise CardRejected(f"field 'id' {card.id!r} is not a UUID", card.id)
    for key in _REQUIRED_TEXT:
        if not getattr(card, key):
            raise CardRejected(f"required field {key!r} is missing", card_id)
    faces = card.card_faces
    first_face = faces[0] if faces else _NO_FACE

    # Reversible cards carry the oracle id on each face only.
    oracle_source = card.oracle_id if card.oracle_id is not None else first_face.oracle_id
    oracle_id = as_uuid(oracle_source)
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
    oracle_hash = content_digest(oracle_values)
    oracle_rank = f"{1 if lang == 'en' else 0}|{released_text or '0000-00-00'}|{card_id}"

    artist_ids = card.artist_ids
    if artist_ids is not None:
        artist_ids = [a for a in map(as_uuid, artist_ids) if a]
    frame_effects = card.frame_effects
    if frame_effects is None:
        frame_effects = [card.frame_effect] if card.frame_effect else []
    illustration_id = as_uuid(card.illustration_id or first_face.illustration_id)
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
        card.cardmarket_id, card.scryfall_uri, card.watermark, card.highres_image is True,
        card.story_spotlight is True, _preview_date(card.preview), _preview_source(card.preview), card.penny_rank,
        prices.get("usd"), prices.get("usd_foil"), prices.get("usd_etched"), prices.get("eur"),
        prices.get("eur_foil"), prices.get("tix"),
    )
    set_id = as_uuid(card.set_id) or _derived_set_id(set_code)
    if raw is None and source_dict is None:   # a decoded struct alone: its fields are what we have
        source_dict = {k: v for k, v in msgspec.to_builtins(card).items() if v is not None}
    document = document_text(raw, source_dict, set_id=set_id)
    # The oracle hash is part of the printing's: an erratum changes every printing of the card.
    version_hash = content_digest(version_values + (oracle_hash,))

    set_row = (set_id, set_code, card.set_name or set_code.upper(), card.set_type or "unknown")

    return NormalizedCard(
        card_version_id=card_id, oracle_id=oracle_id, set_code=set_code, set_row=set_row,
        version=version_values + (version_hash, source_hash), version_hash=version_hash,
        oracle=oracle_values + (oracle_hash, oracle_rank), oracle_hash=oracle_hash, oracle_rank=oracle_rank,
        prices=prices, document=document,
    )


_NO_FACE = ScryfallFace()


def _preview_date(preview: dict | None) -> dt.date | None:
    """`preview.previewed_at` as a date; anything else (absent, malformed) as None."""
    value = preview.get("previewed_at") if isinstance(preview, dict) else None
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _preview_source(preview: dict | None) -> str | None:
    value = preview.get("source") if isinstance(preview, dict) else None
    return value if isinstance(value, str) else None


def normalize_set(obj: dict) -> tuple:
    """A Scryfall set object -> a row in CatalogLoadRepository SET_COLUMNS order (raises ValueError)."""
    if not isinstance(obj, dict):
        raise ValueError("set must be a JSON object")
    set_id = as_uuid(obj.get("id"))
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
    return values + (content_digest(values),)
