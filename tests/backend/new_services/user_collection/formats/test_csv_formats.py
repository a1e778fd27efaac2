"""The format specs: what each format carries, and that every spelling a writer uses reads back."""
from __future__ import annotations

import pytest

from backend.new_services.user_collection.formats import values as v
from backend.new_services.user_collection.formats.csv_formats import (
    CSV_FORMATS,
    FIELD_SUPPORT,
    FINISH_SUPPORT,
    locate_columns,
    normalize_header,
)

_ALL = {"nonfoil", "foil", "etched"}
_READERS = {"condition": lambda text: v.parse_condition(text)[0], "finish": v.parse_finish,
            "language": v.parse_language}

# The contract, spelled out: format -> fields its files carry (every other field is lost on export).
EXPECTED_FIELDS = {
    "manabox": {"quantity", "name", "set_code", "set_name", "collector_number", "finish", "condition", "language",
                "scryfall_id", "purchase_price", "purchase_currency", "acquired_at"},
    "moxfield": {"quantity", "name", "set_code", "collector_number", "finish", "condition", "language", "tags",
                 "purchase_price"},
    "archidekt": {"quantity", "name", "set_code", "set_name", "collector_number", "finish", "condition",
                  "language", "scryfall_id", "multiverse_id", "purchase_price", "acquired_at", "tags"},
    "tcgplayer": {"quantity", "name", "set_code", "set_name", "collector_number", "finish", "condition",
                  "language", "tcgplayer_product_id"},
    "dragonshield": {"quantity", "name", "set_code", "set_name", "collector_number", "finish", "condition",
                     "language", "purchase_price", "acquired_at"},
    "deckbox": {"quantity", "name", "set_code", "set_name", "collector_number", "finish", "condition", "language",
                "tags"},
    "helvault": {"quantity", "name", "set_code", "set_name", "collector_number", "finish", "language",
                 "scryfall_id"},
    "mtggoldfish": {"quantity", "name", "set_code", "set_name", "collector_number", "finish", "scryfall_id"},
    "text": {"quantity", "name", "set_code", "collector_number", "finish"},
}
EXPECTED_FINISHES = {"manabox": _ALL, "moxfield": _ALL, "archidekt": _ALL, "text": _ALL,
                     "tcgplayer": {"nonfoil", "foil"}, "dragonshield": {"nonfoil", "foil"},
                     "deckbox": {"nonfoil", "foil"}, "helvault": {"nonfoil", "foil"},
                     "mtggoldfish": {"nonfoil", "foil"}}


def test_field_support_table():
    assert {name: set(fields) for name, fields in FIELD_SUPPORT.items()} == EXPECTED_FIELDS
    assert {name: set(finishes) for name, finishes in FINISH_SUPPORT.items()} == EXPECTED_FINISHES


@pytest.mark.parametrize("spec", CSV_FORMATS.values(), ids=list(CSV_FORMATS))
def test_every_written_spelling_reads_back(spec):
    for column in spec.columns:
        if column.spelling is None:
            continue
        for canonical, word in column.spelling.items():
            expected = canonical
            if column.field == "finish" and canonical not in spec.finishes:
                expected = "foil"
            assert _READERS[column.field](word) == expected, (spec.name, column.header, word)


@pytest.mark.parametrize("spec", CSV_FORMATS.values(), ids=list(CSV_FORMATS))
def test_headers_are_unique_and_every_field_has_one_quantity_column(spec):
    names = [normalize_header(n) for c in spec.columns for n in c.names] + [normalize_header(h) for h in spec.ignored]
    assert len(names) == len(set(names))
    assert sum(c.field == "quantity" for c in spec.columns) == 1


def test_a_preferred_column_wins_and_the_first_occurrence_of_a_header_is_used():
    headers = ["Name", "Quantity", "Simple Name", "name"]
    assert locate_columns(CSV_FORMATS["tcgplayer"], headers) == {
        "name": (2, "Simple Name"), "quantity": (1, "Quantity")}
    assert locate_columns(CSV_FORMATS["tcgplayer"], ["Quantity", " NAME ", "Name"])["name"] == (1, "NAME")
