"""The real exports in ../shared/data/csv: each detected as its app, counted, and spot-checked."""
from __future__ import annotations

import uuid
from collections import Counter
from decimal import Decimal

import pytest

from backend.new_services.user_collection.formats import ImportRow, read_collection

pytestmark = pytest.mark.real_data

# file -> (format, rows, cards)
EXPECTED = {
    "archidekt-3.csv": ("archidekt", 3, 7),
    "manabox-10.csv": ("manabox", 11, 12),
    "moxfield-export-1834.csv": ("moxfield", 1834, 2228),
    "sample-archidekt.csv": ("archidekt", 1, 4),
    "sample-helvault.csv": ("helvault", 1, 4),
    "sample-moxfield.csv": ("moxfield", 1, 4),
    "sample-mtggoldfish.csv": ("mtggoldfish", 1, 4),
    "tcgplayer-15.csv": ("tcgplayer", 15, 28),
}


def read_file(shared_data, name: str) -> tuple[str, list[ImportRow]]:
    with open(shared_data / "csv" / name, "rb") as f:
        reader = read_collection(f)
        rows = list(reader)
    assert all(isinstance(row, ImportRow) for row in rows), [row for row in rows if not isinstance(row, ImportRow)]
    return reader.format, rows


def test_every_file_is_expected(shared_data):
    assert sorted(p.name for p in (shared_data / "csv").iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_format_rows_and_cards(shared_data, name):
    format_name, rows = read_file(shared_data, name)
    assert (format_name, len(rows), sum(row.quantity for row in rows)) == EXPECTED[name]


def test_moxfield_export(shared_data):
    _, rows = read_file(shared_data, "moxfield-export-1834.csv")
    assert rows[0] == ImportRow(line=2, quantity=1, name="Abrade", set_code="scd", collector_number="122",
                                language="en", condition="NM", purchase_price=Decimal("0.19"), raw=rows[0].raw)
    assert rows[-1].line == 1835
    assert Counter(row.finish for row in rows) == {"nonfoil": 1731, "foil": 97, "etched": 6}
    assert {row.condition for row in rows} == {"NM"} and {row.language for row in rows} == {"en"}
    assert sum(row.purchase_price is not None for row in rows) == 1834 - 1089
    assert {row.collector_number for row in rows} >= {"CM2-235", "36b", "204p", "CH1"}
    assert any(row.name == "Archangel Avacyn // Avacyn, the Purifier" for row in rows)


def test_manabox_export(shared_data):
    _, rows = read_file(shared_data, "manabox-10.csv")
    urborg = next(row for row in rows if row.name == "Urborg, Tomb of Yawgmoth")
    assert (urborg.line, urborg.set_code, urborg.set_name, urborg.collector_number, urborg.finish,
            urborg.condition, urborg.language, urborg.scryfall_id, urborg.purchase_price,
            urborg.purchase_currency) == (
        10, "tsr", "Time Spiral Remastered", "287", "nonfoil", "NM", "en",
        uuid.UUID("9e1a9e38-6ffc-490f-b0be-23ba4e8204c6"), Decimal("47.12"), "USD")
    assert [row.name for row in rows if row.finish == "foil"] == ["The Ozolith", "The Great Henge"]


def test_tcgplayer_export(shared_data):
    _, rows = read_file(shared_data, "tcgplayer-15.csv")
    by_name = {row.name: row for row in rows}
    assert by_name["Abhorrent Overlord"].language == "zhs"
    assert by_name["Aetherspouts"].language == "es"
    assert (by_name["Admiral Beckett Brass"].finish, by_name["Admiral Beckett Brass"].condition) == ("foil", "MP")
    assert by_name["Aethertide Whale"].condition == "DMG"
    assert (by_name["Aegis Angel"].set_name, by_name["Aegis Angel"].set_code,
            by_name["Aegis Angel"].tcgplayer_product_id) == ("Magic 2015 (M15)", "m15", 90889)
    assert by_name["Abbot of Keral Keep"].purchase_price is None  # "Price" is a market value, not a cost


def test_small_samples(shared_data):
    _, [archidekt] = read_file(shared_data, "sample-archidekt.csv")
    _, [helvault] = read_file(shared_data, "sample-helvault.csv")
    _, [goldfish] = read_file(shared_data, "sample-mtggoldfish.csv")
    _, [moxfield] = read_file(shared_data, "sample-moxfield.csv")
    arsonist = uuid.UUID("c24751fd-5e9b-4d7d-83ba-e306b439bbe1")
    for row in (archidekt, helvault, goldfish):
        assert (row.name, row.set_code, row.set_name, row.collector_number, row.finish, row.scryfall_id) == (
            "Goblin Arsonist", "m12", "Magic 2012", "136", "foil", arsonist)
    assert (moxfield.condition, moxfield.language, moxfield.purchase_price) == ("NM", "en", Decimal("5.99"))
    _, rows = read_file(shared_data, "archidekt-3.csv")
    assert [(row.quantity, row.name, row.finish, row.condition) for row in rows] == [
        (4, "Lightning Bolt", "nonfoil", "NM"), (2, "Fire // Ice", "nonfoil", "NM"), (1, "Swamp", "nonfoil", "NM")]
