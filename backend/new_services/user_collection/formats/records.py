"""The records this package reads and writes: ImportRow / RowError out of a file, ExportEntry into one,
and ImportFileError for a file that cannot be read at all."""
from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

import msgspec

from backend.request_handling.errors import BadRequestError

# Canonical values (Scryfall's words for finishes; TCGplayer's grades for conditions).
FINISHES = ("nonfoil", "foil", "etched")
CONDITIONS = ("NM", "LP", "MP", "HP", "DMG")


# msgspec rather than a frozen dataclass: a 20,000-row file builds 20,000 of these, and a Struct is
# built about five times faster than a frozen dataclass (the row rate is bound by it).
class ImportRow(msgspec.Struct, frozen=True, kw_only=True):
    """One data row of an imported file, with values in canonical form.

    `None` means the file does not say (no such column, or an empty cell); the importing service
    applies its own defaults (e.g. English, Near Mint). `finish` is never None: every app writes
    nothing for a non-foil card.
    """

    line: int  # 1-based physical line where the record starts (header and `sep=` line counted)
    quantity: int
    name: str | None = None
    set_code: str | None = None  # lower-case, as Scryfall spells it
    set_name: str | None = None
    collector_number: str | None = None  # as printed: "123a", "★", "CM2-235"
    language: str | None = None  # Scryfall language code: en, ja, zhs, ph, ...
    finish: str = "nonfoil"  # one of FINISHES
    condition: str | None = None  # one of CONDITIONS
    scryfall_id: uuid.UUID | None = None
    tcgplayer_product_id: int | None = None
    multiverse_id: int | None = None
    purchase_price: Decimal | None = None
    purchase_currency: str | None = None  # ISO 4217, upper-case
    acquired_at: datetime.date | None = None
    tags: tuple[str, ...] = ()
    notes: str | None = None
    raw: dict[str, str] = {}  # header -> cell as in the file (text lists: {"text": line})


class RowError(msgspec.Struct, frozen=True):
    """A data row that cannot be imported, and why, in words a user can act on."""

    line: int
    column: str | None  # the header as written in the file; a field name for text lists
    value: str
    reason: str


class ExportEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One collection entry to write; fields a format cannot carry are left out of its file."""

    name: str
    quantity: int
    set_code: str | None = None
    set_name: str | None = None
    collector_number: str | None = None
    scryfall_id: uuid.UUID | None = None
    tcgplayer_product_id: int | None = None
    multiverse_id: int | None = None
    rarity: str | None = None  # Scryfall's word: common, uncommon, rare, mythic, special, bonus
    finish: str = "nonfoil"
    condition: str | None = None
    language: str | None = None
    purchase_price: Decimal | None = None
    purchase_currency: str | None = None
    acquired_at: datetime.date | None = None
    tags: tuple[str, ...] = ()
    notes: str | None = None


class ImportFileError(BadRequestError):
    """The file as a whole cannot be read (encoding, broken quoting, unknown format, empty)."""

    code = "invalid_collection_file"

    def __init__(self, message: str, *, line: int | None = None, column: str | None = None,
                 byte_offset: int | None = None, details: dict[str, Any] | None = None):
        where = f"line {line}: " if line is not None else ""
        super().__init__(where + message, details={
            "line": line, "column": column, "byte_offset": byte_offset, "reason": message, **(details or {}),
        })
        self.line = line
        self.column = column
        self.byte_offset = byte_offset
        self.reason = message
