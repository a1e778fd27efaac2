"""The plain deck list that deck builders, MTG Arena and MTGO speak: reading and writing it.

One card per line: `[SB: ][4[x] ]Name[ (SET)[ 123a]][ *F* | (F) | *E*]`, e.g. `4 Lightning Bolt (M11) 149`,
`4x Lightning Bolt`, `Sol Ring` (quantity 1), `1 Fire // Ice`, `1 Sol Ring (CMR) 472 *F*`.
Blank lines, comments (`//`, `#`) and section headers (Deck, Sideboard, Commander, Companion,
Maybeboard, type groups such as `Creatures (12)`, and Arena's `About` block) are skipped.
Known limits: a name that starts with digits and a space ("1996 World Champion") needs a quantity
in front of it; a name ending in a parenthesised 2-7 letter word would be read as a set code.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from backend.new_services.user_collection.formats.records import ExportEntry, ImportRow, RowError
from backend.new_services.user_collection.formats.values import parse_quantity

_SECTION = re.compile(
    r"^(?:deck|main ?deck|main(?:board)?|side(?:board)?|commanders?|companions?|maybe(?:board)?|considering"
    r"|tokens?|about|creatures?|instants?|sorcer(?:y|ies)|artifacts?|enchantments?|planeswalkers?|lands?"
    r"|battles?|spells?|other)\s*(?:\(\d+\))?\s*:?$", re.IGNORECASE)
_SIDEBOARD_PREFIX = re.compile(r"^SB:\s*", re.IGNORECASE)
_QUANTITY = re.compile(r"^(-?\d+)\s*[xX]?\s+(.*)$")
_FINISH_MARK = re.compile(r"(?:^|\s+)(\*[FE]\*|\([FE]\)|\*foil\*|\*etched\*)$", re.IGNORECASE)
_PRINTING = re.compile(r"^(?P<name>.+?)\s+\((?P<set>[A-Za-z0-9]{2,7})\)(?:\s+(?P<number>\S+))?$")
_MARK_FINISH = {"*f*": "foil", "(f)": "foil", "*foil*": "foil", "*e*": "etched", "(e)": "etched",
                "*etched*": "etched"}
_WRITE_MARK = {"nonfoil": "", "foil": " *F*", "etched": " *E*"}


def parse_text_line(line: int, text: str) -> ImportRow | RowError:
    """One card line of a deck list (section headers and comments are filtered out before)."""
    raw = {"text": text}
    text = _SIDEBOARD_PREFIX.sub("", text.strip())
    quantity = 1
    if match := _QUANTITY.match(text):
        try:
            quantity = parse_quantity(match[1])
        except ValueError as error:
            return RowError(line, "quantity", match[1], str(error))
        text = match[2].strip()
    finish = "nonfoil"
    while mark := _FINISH_MARK.search(text):
        finish = _MARK_FINISH[mark[1].lower()] if finish == "nonfoil" else finish
        text = text[:mark.start()]
    set_code = number = None
    if printing := _PRINTING.match(text):
        text, set_code, number = printing["name"], printing["set"].lower(), printing["number"]
    if not text:
        return RowError(line, "name", raw["text"].strip(), "no card name on this line")
    return ImportRow(line=line, quantity=quantity, name=text, set_code=set_code, collector_number=number,
                     finish=finish, raw=raw)


def read_text_list(lines: Iterable[tuple[int, str]]) -> Iterator[ImportRow | RowError]:
    """Rows of a deck list, from (physical line number, line) pairs."""
    in_about = False  # Arena's "About" block holds the deck's name, not cards
    for line, text in lines:
        stripped = text.strip()
        if not stripped or stripped.startswith(("//", "#")):
            continue
        if _SECTION.match(stripped):
            in_about = stripped.lower().startswith("about")
            continue
        if in_about:
            continue
        yield parse_text_line(line, stripped)


def format_text_line(entry: ExportEntry) -> str:
    name = entry.name.replace("\r", " ").replace("\n", " ")  # a line break would end the card's line
    printing = ""
    if entry.set_code:
        printing = f" ({entry.set_code.upper()})"
        if entry.collector_number:
            printing += f" {entry.collector_number}"
    return f"{entry.quantity} {name}{printing}{_WRITE_MARK[entry.finish]}\n"


def write_text_list(entries: Iterable[ExportEntry], *, chunk_lines: int = 500) -> Iterator[str]:
    lines: list[str] = []
    for entry in entries:
        lines.append(format_text_line(entry))
        if len(lines) >= chunk_lines:
            yield "".join(lines)
            lines.clear()
    if lines:
        yield "".join(lines)
