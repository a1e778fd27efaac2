"""Round trips: reading what a writer wrote gives back every field that format carries, and only those."""
from __future__ import annotations

import datetime
import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.new_services.user_collection.formats import (
    CSV_FORMATS,
    FIELD_SUPPORT,
    FINISH_SUPPORT,
    ExportEntry,
    ImportRow,
    read_collection,
    write_collection,
)
from backend.new_services.user_collection.formats.spellings import LANGUAGE_NAMES

ROUND_TRIP = settings(max_examples=100, deadline=None)

# Printable characters of every script; names and tags are stripped on reading, so generated ones are too.
_TEXT_CHARS = st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs"))
_REAL_NAMES = st.sampled_from([
    "Fire // Ice", "Urborg, Tomb of Yawgmoth", "Séance", "Lim-Dûl's Vault", 'Kongming, "Sleeping Dragon"',
    "Æther Vial", "Borrowing 100,000 Arrows", "Jötun Grunt", "+2 Mace", "\"Ach! Hans, Run!\"", "火の玉",
    "Сокрушительный удар", "Who/What/When/Where/Why", "Circle of Protection: Red", "=SUM(A1)",
])


def _stripped(text: str) -> str:
    return text.strip()


csv_names = st.one_of(_REAL_NAMES, st.text(_TEXT_CHARS, min_size=1, max_size=30).map(_stripped).filter(bool))
optional_text = st.none() | st.text(_TEXT_CHARS, min_size=1, max_size=20).map(_stripped).filter(bool)
tags = st.lists(st.text(_TEXT_CHARS.filter(lambda c: c != ","), min_size=1, max_size=10).map(_stripped).filter(bool),
                max_size=3).map(tuple)

entry_fields = dict(
    quantity=st.integers(1, 100_000),
    set_code=st.none() | st.from_regex(r"[a-z0-9]{3,5}", fullmatch=True),
    set_name=optional_text,
    collector_number=st.none() | st.sampled_from(["★", "CM2-235"])
    | st.from_regex(r"[0-9]{1,4}[a-z★]?", fullmatch=True),
    scryfall_id=st.none() | st.uuids(),
    tcgplayer_product_id=st.none() | st.integers(1, 10**9),
    multiverse_id=st.none() | st.integers(1, 10**9),
    rarity=st.none() | st.sampled_from(["common", "uncommon", "rare", "mythic", "special", "bonus"]),
    finish=st.sampled_from(["nonfoil", "foil", "etched"]),
    condition=st.none() | st.sampled_from(["NM", "LP", "MP", "HP", "DMG"]),
    language=st.none() | st.sampled_from(sorted(LANGUAGE_NAMES)),
    purchase_price=st.none() | st.decimals(min_value=0, max_value=100_000, places=2),
    purchase_currency=st.none() | st.sampled_from(["USD", "EUR", "GBP", "JPY"]),
    acquired_at=st.none() | st.dates(datetime.date(1993, 8, 5), datetime.date(2040, 1, 1)),
    tags=tags,
    notes=optional_text,
)
csv_entries = st.lists(st.builds(ExportEntry, name=csv_names, **entry_fields), max_size=6)

# Deck-list names: what a deck list can hold unambiguously (see text_list.py's known limits).
_SECTION_WORDS = re.compile(r"^(deck|main|side|commander|companion|maybe|considering|token|about|creature|instant"
                            r"|sorcer|artifact|enchantment|planeswalker|land|battle|spell|other)", re.IGNORECASE)
text_names = st.one_of(
    st.sampled_from(["Fire // Ice", "Urborg, Tomb of Yawgmoth", "Séance", "Lim-Dûl's Vault", "Æther Vial",
                     "火の玉", "Circle of Protection: Red"]),
    st.text(st.characters(codec="utf-8", categories=("L",)) | st.sampled_from(" ,'-!:/"), min_size=1, max_size=30)
    .map(lambda s: " ".join(s.split())).filter(lambda s: s and not s.lower().startswith(("//", "x ", "sb:")))
    .filter(lambda s: not _SECTION_WORDS.match(s)))
text_entries = st.lists(st.builds(ExportEntry, name=text_names, **entry_fields), max_size=6)


def _expected(entry: ExportEntry, format_name: str) -> dict:
    carried = FIELD_SUPPORT[format_name]
    blank = ImportRow(line=0, quantity=entry.quantity)
    expected = {field: getattr(entry, field) if field in carried else getattr(blank, field)
                for field in ImportRow.__struct_fields__ if field not in ("line", "raw")}
    if "finish" in carried and entry.finish not in FINISH_SUPPORT[format_name]:
        expected["finish"] = "foil"
    if format_name == "text" and entry.set_code is None:
        expected["collector_number"] = None  # "(SET) 123": a number is only written after a set code
    return expected


def _round_trip(entries: list[ExportEntry], format_name: str, *, detect: bool) -> None:
    data = "".join(write_collection(entries, format=format_name, chunk_rows=2)).encode("utf-8")
    if format_name == "text" and not entries:
        return  # an empty deck list is an empty file
    reader = read_collection(io.BytesIO(data), format="auto" if detect else format_name)
    rows = list(reader)
    assert reader.format == format_name
    assert all(isinstance(row, ImportRow) for row in rows), rows
    assert len(rows) == len(entries)
    for row, entry in zip(rows, entries):
        got = {field: getattr(row, field) for field in ImportRow.__struct_fields__ if field not in ("line", "raw")}
        assert got == _expected(entry, format_name)


def _csv_test(format_name: str):
    @ROUND_TRIP
    @given(entries=csv_entries)
    def test(entries):
        _round_trip(entries, format_name, detect=True)
    test.__name__ = f"test_{format_name}_round_trip"
    return test


for _name in CSV_FORMATS:
    globals()[f"test_{_name}_round_trip"] = _csv_test(_name)


@ROUND_TRIP
@given(entries=text_entries)
def test_text_round_trip(entries):
    _round_trip(entries, "text", detect=False)


@ROUND_TRIP
@given(entries=st.lists(st.builds(ExportEntry, name=st.sampled_from(["Fire // Ice", "Séance", "Lightning Bolt"]),
                                  **entry_fields), min_size=1, max_size=4))
def test_text_round_trip_is_detected(entries):
    _round_trip(entries, "text", detect=True)


def test_line_numbers_of_a_written_file_with_multi_line_names():
    entries = [ExportEntry(name="One\nTwo", quantity=1), ExportEntry(name="Three", quantity=2)]
    data = "".join(write_collection(entries, format="manabox")).encode()
    assert [row.line for row in read_collection(io.BytesIO(data))] == [2, 4]
