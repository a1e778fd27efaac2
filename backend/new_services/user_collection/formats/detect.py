"""Deciding what a file is from its first line: a `sep=` line, a CSV header (and its delimiter) or a
deck-list line; and which app's CSV layout a header matches."""
from __future__ import annotations

import csv
import re
from collections.abc import Sequence

from backend.new_services.user_collection.formats.csv_formats import (
    CSV_FORMATS,
    IDENTIFIER_FIELDS,
    CsvFormat,
    locate_columns,
    normalize_header,
)
from backend.new_services.user_collection.formats.records import ImportFileError

# Excel's hint line (Dragon Shield writes it too): `sep=;`, sometimes quoted or padded with delimiters.
_SEP_LINE = re.compile(r'^"?sep=(.)"?[,;\t|]*$', re.IGNORECASE)
_DELIMITERS = (",", ";", "\t", "|")
# Header words of apps we do not support, so that their CSVs get "unknown format", not a deck list.
_GENERIC_HEADERS = frozenset({"qty", "amount", "card", "cards", "card name", "set", "number", "count", "quantity"})
KNOWN_HEADERS = frozenset().union(*(spec.known_headers for spec in CSV_FORMATS.values())) | _GENERIC_HEADERS


def sep_line_delimiter(line: str) -> str | None:
    match = _SEP_LINE.match(line.rstrip("\r\n").strip(" "))
    return match[1] if match else None


def split_header(line: str, delimiter: str) -> list[str]:
    cells = next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter, skipinitialspace=True), [])
    return [cell.strip() for cell in cells]


def sniff_header(line: str) -> tuple[str, list[str]] | None:
    """(delimiter, header cells) when the line is a CSV header; None when it is a deck-list line."""
    text = line.rstrip("\r\n")
    best: tuple[int, str, list[str]] | None = None
    for delimiter in _DELIMITERS:
        if delimiter in text:
            cells = split_header(text, delimiter)
            known = sum(normalize_header(cell) in KNOWN_HEADERS for cell in cells)
            if known and (best is None or known > best[0]):
                best = (known, delimiter, cells)
    if best is not None:
        return best[1], best[2]
    # A header of an app we do not know. Deck-list lines never hold a tab, a semicolon or two
    # commas: card names hold one comma at most ("Urborg, Tomb of Yawgmoth").
    for delimiter in ("\t", ";", "|"):
        if delimiter in text:
            return delimiter, split_header(text, delimiter)
    if text.count(",") >= 2:
        return ",", split_header(text, ",")
    return None


def _requirement(spec: CsvFormat) -> str:
    quantity = next(c.header for c in spec.columns if c.field == "quantity")
    identifiers = [c.header for field in IDENTIFIER_FIELDS for c in spec.columns if c.field == field][:2]
    return f"{spec.label}: {quantity} and {' or '.join(identifiers)}"


def _missing(spec: CsvFormat, headers: Sequence[str]) -> str | None:
    """The column(s) the file lacks to be importable as `spec`, or None."""
    located = locate_columns(spec, headers)
    if "quantity" not in located:
        return next(c.header for c in spec.columns if c.field == "quantity")
    if not any(field in located for field in IDENTIFIER_FIELDS):
        return " or ".join(c.header for f in IDENTIFIER_FIELDS for c in spec.columns if c.field == f)
    return None


def choose_format(headers: Sequence[str], *, line: int, forced: str | None = None) -> CsvFormat:
    """The spec whose columns best explain the header: most headers it knows, fewest it does not."""
    found = ", ".join(repr(h) for h in headers if h) or "none"
    if forced is not None:
        spec = CSV_FORMATS[forced]
        missing = _missing(spec, headers)
        if missing:
            raise ImportFileError(f"this is not a {spec.label} CSV file: it has no {missing} column "
                                  f"(columns found: {found})", line=line, column=missing)
        return spec
    present = {normalize_header(h) for h in headers if h.strip()}
    best: tuple[int, CsvFormat] | None = None
    for spec in CSV_FORMATS.values():  # in priority order: the first of equal scores wins
        if _missing(spec, headers) is None:
            known = spec.known_headers
            score = len(present & known) - len(present - known)
            if best is None or score > best[0]:
                best = (score, spec)
    if best is None:
        expected = "; ".join(_requirement(spec) for spec in CSV_FORMATS.values())
        raise ImportFileError(
            f"the header row matches no collection format we know. Columns found: {found}. Expected an export "
            f"of ManaBox, Moxfield, Archidekt, TCGplayer, Dragon Shield, Deckbox, Helvault or MTGGoldfish, whose "
            f"header has at least a quantity and a card column ({expected}), or a deck list "
            f"(lines like \"4 Lightning Bolt\")", line=line)
    return best[1]
