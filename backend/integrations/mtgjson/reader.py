"""Read MTGJSON v5 per-set files (`SET.json` or `SET.json.gz`), one file at a time, into flat records
ready for COPY: sets, external ids per Scryfall printing, MTGJSON uuids per face, rulings, and rejects.

Every record is a NamedTuple (a plain tuple to asyncpg); route them by type:

    stats = MtgjsonReadStats()
    for record in read_set_directory(folder, stats=stats):
        buffers[type(record)].append(record)   # columns: type(record)._fields
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import orjson
import xxhash

try:
    from isal import igzip as _gzip
    from isal.isal_zlib import error as _InflateError
except ImportError:  # pragma: no cover - isal is a project dependency; plain zlib is slower, not wrong
    import gzip as _gzip
    from zlib import error as _InflateError

# A per-set file is parsed whole by orjson: on the real files that is 2x faster than ijson, and the
# largest (MH2, 3.7 MB inflated) peaks at ~50 MB of Python objects. Memory is bounded by this cap,
# not by the directory; an AllPrintings-sized file is refused instead of parsed.
MAX_FILE_BYTES = 64 << 20
_READ_ERRORS = (OSError, EOFError, _InflateError)
_MAX_BIGINT = (1 << 63) - 1

# MTGJSON language names -> Scryfall language codes (the catalog's vocabulary).
LANGUAGE_CODES = {
    "English": "en", "Spanish": "es", "French": "fr", "German": "de", "Italian": "it",
    "Portuguese (Brazil)": "pt", "Japanese": "ja", "Korean": "ko", "Russian": "ru",
    "Chinese Simplified": "zhs", "Chinese Traditional": "zht", "Hebrew": "he", "Latin": "la",
    "Ancient Greek": "grc", "Arabic": "ar", "Sanskrit": "sa", "Phyrexian": "ph",
}
# MtgjsonCardIds integer field -> key in MTGJSON `identifiers` (numeric strings there).
INT_IDENTIFIERS = {
    "tcgplayer_product_id": "tcgplayerProductId", "tcgplayer_etched_product_id": "tcgplayerEtchedProductId",
    "mcm_id": "mcmId", "mcm_meta_id": "mcmMetaId", "card_kingdom_id": "cardKingdomId",
    "card_kingdom_foil_id": "cardKingdomFoilId", "card_kingdom_etched_id": "cardKingdomEtchedId",
    "multiverse_id": "multiverseId", "mtgo_id": "mtgoId", "mtgo_foil_id": "mtgoFoilId",
    "arena_id": "mtgArenaId",
}


class MtgjsonFileError(ValueError):
    """A file that cannot be read as an MTGJSON per-set file; names the file and says why."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


class MtgjsonSet(NamedTuple):
    code: str                           # lower case, as Scryfall writes set codes
    name: str | None
    set_type: str | None
    release_date: dt.date | None
    block: str | None
    parent_code: str | None             # lower case
    base_set_size: int | None
    total_set_size: int | None
    is_online_only: bool
    is_foil_only: bool
    is_non_foil_only: bool
    is_foreign_only: bool
    tcgplayer_group_id: int | None
    mcm_id: int | None
    mcm_name: str | None
    mtgo_code: str | None
    keyrune_code: str | None


class MtgjsonCardIds(NamedTuple):
    """One Scryfall printing (the faces of a multi-face card merged) and its marketplace ids."""
    scryfall_id: uuid.UUID
    oracle_id: uuid.UUID | None
    illustration_id: uuid.UUID | None
    set_code: str                       # the card's own setCode, lower case (tokens: 't10e', ...)
    number: str | None
    name: str | None
    language: str | None                # Scryfall code; None when the file does not say (v5.2 files)
    is_token: bool
    mtgjson_uuid: uuid.UUID | None      # of the first face
    tcgplayer_product_id: int | None
    tcgplayer_etched_product_id: int | None
    mcm_id: int | None
    mcm_meta_id: int | None
    card_kingdom_id: int | None
    card_kingdom_foil_id: int | None
    card_kingdom_etched_id: int | None
    multiverse_id: int | None
    mtgo_id: int | None
    mtgo_foil_id: int | None
    arena_id: int | None
    finishes: tuple[str, ...]


class MtgjsonFace(NamedTuple):
    """One MTGJSON entry (a card, or one face of it): resolves MTGJSON uuids, including the v4 ids
    that older dumps carry (TCGplayer's main_card `mtg_json_uuid`), to the Scryfall printing."""
    mtgjson_uuid: uuid.UUID | None
    mtgjson_v4_id: uuid.UUID | None
    scryfall_id: uuid.UUID
    side: str | None


class MtgjsonRuling(NamedTuple):
    scryfall_id: uuid.UUID              # the first printing seen carrying it (rulings are per oracle)
    oracle_id: uuid.UUID | None
    published_at: dt.date
    comment: str
    source: str


class MtgjsonReject(NamedTuple):
    file: str
    set_code: str
    mtgjson_uuid: str | None
    name: str | None
    reason: str                         # not_an_object | missing_scryfall_id | invalid_scryfall_id


MtgjsonRecord = MtgjsonSet | MtgjsonCardIds | MtgjsonFace | MtgjsonRuling | MtgjsonReject


@dataclass
class MtgjsonReadStats:
    files: int = 0
    printings: int = 0
    faces: int = 0
    rulings: int = 0
    duplicate_rulings: int = 0
    rejects: Counter = field(default_factory=Counter)         # reason -> cards rejected
    invalid_values: Counter = field(default_factory=Counter)  # field -> values replaced by None


def iter_set_files(directory: Path | str) -> list[Path]:
    """The per-set files of a folder, sorted by name (so every run reads them in the same order)."""
    folder = Path(directory)
    if not folder.is_dir():
        raise MtgjsonFileError(folder, "not a directory")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith((".json", ".json.gz")))


def read_set_directory(directory: Path | str, *, stats: MtgjsonReadStats | None = None,
                       dedupe_rulings: bool = True) -> Iterator[MtgjsonRecord]:
    """Records of every file in turn. With `dedupe_rulings`, a ruling repeated on printings of one
    card in other sets is yielded once (a set of 128-bit digests: ~100 bytes per distinct ruling)."""
    seen: set[int] | None = set() if dedupe_rulings else None
    for path in iter_set_files(directory):
        yield from read_set_file(path, stats=stats, seen_rulings=seen)


def read_set_file(path: Path | str, *, stats: MtgjsonReadStats | None = None,
                  seen_rulings: set[int] | None = None) -> Iterator[MtgjsonRecord]:
    """The set, then per printing its ids, its faces and its rulings; rejects in between.
    Rulings are de-duplicated within the file, and across files when a shared `seen_rulings` is given."""
    path = Path(path)
    stats = stats if stats is not None else MtgjsonReadStats()
    seen = seen_rulings if seen_rulings is not None else set()
    data = _load(path)
    set_record = _set_record(path, data, stats)
    lists = {key: data.get(key) or [] for key in ("cards", "tokens")}
    for key, entries in lists.items():
        if not isinstance(entries, list):
            raise MtgjsonFileError(path, f"'{key}' is not a list")
    stats.files += 1
    yield set_record
    # Faces of one card are separate entries sharing a scryfallId; grouped so a printing is one row.
    printings: dict[uuid.UUID, tuple[bool, list[dict]]] = {}
    for key, entries in lists.items():
        is_token = key == "tokens"
        for entry in entries:
            scryfall_id, reason = _scryfall_id(entry)
            if scryfall_id is None:
                stats.rejects[reason] += 1
                yield _reject(path, set_record.code, entry, reason)
                continue
            printings.setdefault(scryfall_id, (is_token, []))[1].append(entry)
    for scryfall_id, (is_token, faces) in printings.items():
        face_rows = [MtgjsonFace(_uuid(face.get("uuid"), "uuid", stats),
                                 _uuid(face["identifiers"].get("mtgjsonV4Id"), "mtgjsonV4Id", stats),
                                 scryfall_id, _text(face.get("side"))) for face in faces]
        card = _card_ids(scryfall_id, is_token, faces, face_rows[0].mtgjson_uuid, set_record.code, stats)
        stats.printings += 1
        stats.faces += len(face_rows)
        yield card
        yield from face_rows
        yield from _rulings(card, faces[0].get("rulings"), stats, seen)


def _load(path: Path) -> dict[str, Any]:
    opener = _gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except _READ_ERRORS as exc:
        raise MtgjsonFileError(path, f"cannot read: {exc}") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise MtgjsonFileError(path, f"larger than {MAX_FILE_BYTES >> 20} MiB: not a per-set file")
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MtgjsonFileError(path, f"invalid JSON: {exc}") from exc
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        raise MtgjsonFileError(path, "no 'data' object")
    return data


def _set_record(path: Path, data: dict[str, Any], stats: MtgjsonReadStats) -> MtgjsonSet:
    code = data.get("code")
    if not isinstance(code, str) or not code.strip():
        raise MtgjsonFileError(path, "the set has no code")
    parent = _text(data.get("parentCode"))
    return MtgjsonSet(
        code.strip().lower(), _text(data.get("name")), _text(data.get("type")),
        _date(data.get("releaseDate"), "releaseDate", stats), _text(data.get("block")),
        parent.lower() if parent else None,
        _int(data.get("baseSetSize"), "baseSetSize", stats, minimum=0),
        _int(data.get("totalSetSize"), "totalSetSize", stats, minimum=0),
        data.get("isOnlineOnly") is True, data.get("isFoilOnly") is True,
        data.get("isNonFoilOnly") is True, data.get("isForeignOnly") is True,
        _int(data.get("tcgplayerGroupId"), "tcgplayerGroupId", stats),
        _int(data.get("mcmId"), "mcmId", stats), _text(data.get("mcmName")),
        _text(data.get("mtgoCode")), _text(data.get("keyruneCode")))


def _scryfall_id(entry: Any) -> tuple[uuid.UUID | None, str]:
    if not isinstance(entry, dict):
        return None, "not_an_object"
    identifiers = entry.get("identifiers")
    value = identifiers.get("scryfallId") if isinstance(identifiers, dict) else None
    if not value:
        return None, "missing_scryfall_id"
    try:
        return uuid.UUID(value), ""
    except (TypeError, ValueError, AttributeError):
        return None, "invalid_scryfall_id"


def _reject(path: Path, set_code: str, entry: Any, reason: str) -> MtgjsonReject:
    entry = entry if isinstance(entry, dict) else {}
    return MtgjsonReject(path.name, set_code, _text(entry.get("uuid")), _text(entry.get("name")), reason)


def _card_ids(scryfall_id: uuid.UUID, is_token: bool, faces: list[dict], mtgjson_uuid: uuid.UUID | None,
              file_set_code: str, stats: MtgjsonReadStats) -> MtgjsonCardIds:
    first = faces[0]
    ids = first["identifiers"]
    if len(faces) > 1:
        # Faces differ only where one face lacks a value (Card Kingdom ids) or has its own
        # (multiverse and illustration ids): the first face that has one speaks for the printing.
        ids = {}
        for face in faces:
            for key, value in face["identifiers"].items():
                if value is not None:
                    ids.setdefault(key, value)
    language = first.get("language")
    if language is not None and language not in LANGUAGE_CODES:
        stats.invalid_values["language"] += 1
    set_code = _text(first.get("setCode"))
    return MtgjsonCardIds(
        scryfall_id=scryfall_id,
        oracle_id=_uuid(ids.get("scryfallOracleId"), "scryfallOracleId", stats),
        illustration_id=_uuid(ids.get("scryfallIllustrationId"), "scryfallIllustrationId", stats),
        set_code=set_code.lower() if set_code else file_set_code,
        number=_text(first.get("number")), name=_text(first.get("name")),
        language=LANGUAGE_CODES.get(language) if isinstance(language, str) else None,
        is_token=is_token, mtgjson_uuid=mtgjson_uuid,
        **{name: _int(ids.get(key), key, stats) for name, key in INT_IDENTIFIERS.items()},
        finishes=_finishes(first))


def _finishes(card: dict) -> tuple[str, ...]:
    finishes = card.get("finishes")
    if isinstance(finishes, list):
        return tuple(f for f in finishes if isinstance(f, str))
    # Files before v5.2 only had the two flags.
    return tuple(name for name, flag in (("nonfoil", "hasNonFoil"), ("foil", "hasFoil")) if card.get(flag))


def _rulings(card: MtgjsonCardIds, rulings: Any, stats: MtgjsonReadStats,
             seen: set[int]) -> Iterator[MtgjsonRuling]:
    if rulings is None:
        return
    if not isinstance(rulings, list):
        stats.invalid_values["rulings"] += 1
        return
    owner = str(card.oracle_id or card.scryfall_id)
    for ruling in rulings:
        text = _text(ruling.get("text")) if isinstance(ruling, dict) else None
        if text is None:
            stats.invalid_values["rulings"] += 1
            continue
        published = _date(ruling.get("date") or "", "rulings", stats)
        if published is None:
            continue
        digest = xxhash.xxh3_128_intdigest(f"{owner}\x1f{published}\x1f{text}".encode())
        if digest in seen:
            stats.duplicate_rulings += 1
            continue
        seen.add(digest)
        stats.rulings += 1
        yield MtgjsonRuling(card.scryfall_id, card.oracle_id, published, text, "wotc")


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _int(value: Any, name: str, stats: MtgjsonReadStats, *, minimum: int = 1) -> int | None:
    """MTGJSON ids are numeric strings (set fields plain numbers); anything else is counted and None."""
    if value is None:
        return None
    number = None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        number = int(value)
    elif type(value) is int:
        number = value
    if number is None or not minimum <= number <= _MAX_BIGINT:
        stats.invalid_values[name] += 1
        return None
    return number


def _uuid(value: Any, name: str, stats: MtgjsonReadStats) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        stats.invalid_values[name] += 1
        return None


def _date(value: Any, name: str, stats: MtgjsonReadStats) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        stats.invalid_values[name] += 1
        return None
