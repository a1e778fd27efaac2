"""Deck lists: card lines in every dialect, sections and comments skipped, bad quantities, writing."""
from __future__ import annotations

import pytest

from backend.new_services.user_collection.formats.records import ExportEntry, ImportRow, RowError
from backend.new_services.user_collection.formats.text_list import (
    format_text_line,
    read_text_list,
    write_text_list,
)


def rows(text: str) -> list[ImportRow | RowError]:
    return list(read_text_list(enumerate(text.splitlines(keepends=True), 1)))


@pytest.mark.parametrize(("line", "expected"), [
    ("4 Lightning Bolt (M11) 149", (4, "Lightning Bolt", "m11", "149", "nonfoil")),
    ("4x Lightning Bolt", (4, "Lightning Bolt", None, None, "nonfoil")),
    ("4 x Lightning Bolt", (4, "Lightning Bolt", None, None, "nonfoil")),
    ("2 Xathrid Necromancer", (2, "Xathrid Necromancer", None, None, "nonfoil")),
    ("1 Sol Ring", (1, "Sol Ring", None, None, "nonfoil")),
    ("Lightning Bolt", (1, "Lightning Bolt", None, None, "nonfoil")),
    ("1 Fire // Ice", (1, "Fire // Ice", None, None, "nonfoil")),
    ("1 Sol Ring (CMR) 472 *F*", (1, "Sol Ring", "cmr", "472", "foil")),
    ("1 Sol Ring (CMR) 472 (F)", (1, "Sol Ring", "cmr", "472", "foil")),
    ("1 Sol Ring (CMR) 472 *E*", (1, "Sol Ring", "cmr", "472", "etched")),
    ("1 Sol Ring *F*", (1, "Sol Ring", None, None, "foil")),
    ("1 Sol Ring (PLST) CM2-235", (1, "Sol Ring", "plst", "CM2-235", "nonfoil")),
    ("1 Black Lotus (LEA)", (1, "Black Lotus", "lea", None, "nonfoil")),
    ("1 Forest (SLD) ★", (1, "Forest", "sld", "★", "nonfoil")),
    ("1 B.F.M. (Big Furry Monster)", (1, "B.F.M. (Big Furry Monster)", None, None, "nonfoil")),
    ("SB: 2 Duress", (2, "Duress", None, None, "nonfoil")),
    ("  3  Opt  ", (3, "Opt", None, None, "nonfoil")),
    ("1 Jötun Grunt", (1, "Jötun Grunt", None, None, "nonfoil")),
])
def test_card_lines(line, expected):
    [row] = rows(line + "\n")
    assert (row.quantity, row.name, row.set_code, row.collector_number, row.finish) == expected
    assert row.raw == {"text": line.strip()}


def test_sections_comments_and_blank_lines_are_not_cards():
    text = ("About\nName Mono Red Burn\n\n"  # Arena's header block: "Name ..." is not a card
            "Commander\n1 Krenko, Mob Boss (DDT) 52\n"
            "// creatures\n# a comment\n\n"
            "Deck\n4 Lightning Bolt (M11) 149\n"
            "Creatures (12)\n4 Goblin Guide\n"
            "Sideboard:\n2 Duress\n"
            "Companion\n1 Lurrus of the Dream-Den\n"
            "Maybeboard\n1 Shock\nSIDEBOARD\nSB: 1 Pyroblast\n")
    assert [(row.line, row.name) for row in rows(text)] == [
        (5, "Krenko, Mob Boss"), (10, "Lightning Bolt"), (12, "Goblin Guide"), (14, "Duress"),
        (16, "Lurrus of the Dream-Den"), (18, "Shock"), (20, "Pyroblast")]


@pytest.mark.parametrize(("line", "value", "reason"), [
    ("0 Shock", "0", "the quantity is 0"), ("-1 Shock", "-1", "the quantity is negative"),
    ("100001 Shock", "100001", "more than 100,000"),
])
def test_bad_quantities(line, value, reason):
    [error] = rows(f"Deck\n{line}\n")
    assert isinstance(error, RowError)
    assert (error.line, error.column, error.value) == (2, "quantity", value)
    assert reason in error.reason


def test_a_quantity_without_a_name():
    [error] = rows("4 *F*\n")
    assert (error.line, error.column, error.reason) == (1, "name", "no card name on this line")


@pytest.mark.parametrize(("entry", "line"), [
    (ExportEntry(name="Lightning Bolt", quantity=4, set_code="m11", collector_number="149"),
     "4 Lightning Bolt (M11) 149\n"),
    (ExportEntry(name="Sol Ring", quantity=1, set_code="cmr", collector_number="472", finish="foil"),
     "1 Sol Ring (CMR) 472 *F*\n"),
    (ExportEntry(name="Sol Ring", quantity=1, finish="etched"), "1 Sol Ring *E*\n"),
    (ExportEntry(name="Fire // Ice", quantity=2, collector_number="128"), "2 Fire // Ice\n"),
    (ExportEntry(name="Black Lotus", quantity=1, set_code="lea", condition="HP", language="de"),
     "1 Black Lotus (LEA)\n"),
    (ExportEntry(name="Broken\nName", quantity=1), "1 Broken Name\n"),
])
def test_writing_lines(entry, line):
    assert format_text_line(entry) == line


def test_writing_streams_chunks():
    entries = [ExportEntry(name=f"Card {i}", quantity=1) for i in range(5)]
    chunks = list(write_text_list(entries, chunk_lines=2))
    assert [chunk.count("\n") for chunk in chunks] == [2, 2, 1]
    assert list(write_text_list([])) == []
