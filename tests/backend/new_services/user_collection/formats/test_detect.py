"""Detection: `sep=` lines, CSV header or deck list, and which app a header belongs to."""
from __future__ import annotations

import pytest

from backend.new_services.user_collection.formats.csv_formats import CSV_FORMATS
from backend.new_services.user_collection.formats.detect import choose_format, sep_line_delimiter, sniff_header
from backend.new_services.user_collection.formats.records import ImportFileError


@pytest.mark.parametrize(("line", "delimiter"), [
    ("sep=,\n", ","), ("sep=;\r\n", ";"), ("sep=\t\n", "\t"), ('"sep=,"\n', ","), ("SEP=;;;;\n", ";"),
    ("Count,Name\n", None), ("4 Lightning Bolt\n", None),
])
def test_sep_lines(line, delimiter):
    assert sep_line_delimiter(line) == delimiter


@pytest.mark.parametrize(("line", "expected"), [
    ("Count,Name,Edition\n", (",", ["Count", "Name", "Edition"])),
    ("Quantity;Card Name;Set Code\r\n", (";", ["Quantity", "Card Name", "Set Code"])),
    ("quantity\tname\n", ("\t", ["quantity", "name"])),
    (' "Count" , "Name" \n', (",", ["Count", "Name"])),
    ("Foo;Bar\n", (";", ["Foo", "Bar"])),  # an unknown app's CSV, not a deck list
    ("a,b,c\n", (",", ["a", "b", "c"])),
    # Deck-list lines: at most one comma, and it is inside a card name.
    ("4 Lightning Bolt (M11) 149\n", None), ("1 Urborg, Tomb of Yawgmoth\n", None),
    ("Urborg, Tomb of Yawgmoth\n", None), ("Deck\n", None), ("1 Fire // Ice\n", None),
])
def test_csv_header_or_deck_list_line(line, expected):
    assert sniff_header(line) == expected


@pytest.mark.parametrize(("header", "format_name"), [
    # Full headers as the apps write them (formats.md) ...
    ("Binder Name,Binder Type,Name,Set code,Set name,Collector number,Foil,Rarity,Quantity,ManaBox ID,"
     "Scryfall ID,Purchase price,Misprint,Altered,Signed,Condition,Language,Proxy,Purchase price currency,Added",
     "manabox"),
    ("Count,Tradelist Count,Name,Edition,Condition,Language,Foil,Tags,Last Modified,Collector Number,Alter,"
     "Proxy,Purchase Price", "moxfield"),
    ("Count,Tradelist Count,Name,Edition,Edition Code,Card Number,Condition,Language,Foil,Signed,Artist Proof,"
     "Altered Art,Misprint,Promo,Textless,Printing Id,Printing Note,Tags,My Price", "deckbox"),
    ("Quantity,Name,Simple Name,Set,Card Number,Set Code,Printing,Condition,Language,Rarity,Product ID,SKU",
     "tcgplayer"),
    ("Quantity,Name,Finish,Condition,Date Added,Language,Purchase Price,Tags,Edition Name,Edition Code,"
     "Multiverse Id,Scryfall ID,Collector Number", "archidekt"),
    ("Folder Name,Quantity,Trade Quantity,Card Name,Set Code,Set Name,Card Number,Condition,Printing,Language,"
     "Price Bought,Date Bought,LOW,MID,MARKET", "dragonshield"),
    ("collector_number,extras,language,name,oracle_id,quantity,scryfall_id,set_code,set_name", "helvault"),
    ("Card,Set ID,Set Name,Quantity,Foil,Variation,Collector Number,Scryfall ID", "mtggoldfish"),
    # ... and the configurable exports' smaller ones.
    ("Quantity,Name,Finish,Condition", "archidekt"),
    ("Quantity,Name,Set Code,Set Name,Collector Number,Condition,Language,Foil,Scryfall ID,Oracle ID", "archidekt"),
    ("Name,Set code,Set name,Collector number,Foil,Rarity,Quantity,ManaBox ID,Scryfall ID", "manabox"),
    ("Count,Name,Edition,Card Number", "deckbox"),
    ("Count,Name,Edition,Collector Number", "moxfield"),
    ("Count,Name,Edition", "moxfield"),  # ambiguous with Deckbox: Moxfield is the likelier one
    ("Quantity,Card Name", "dragonshield"),
    ("Quantity,Simple Name,Product ID", "tcgplayer"),
    ("  QUANTITY , card name ,set code", "dragonshield"),  # case and spaces do not matter
    ("Quantity,Scryfall ID", "manabox"),  # an id is enough to name the card
])
def test_each_app_header_is_recognised(header, format_name):
    assert choose_format([h.strip() for h in header.split(",")], line=1).name == format_name


def test_every_spec_recognises_its_own_written_header():
    for spec in CSV_FORMATS.values():
        assert choose_format([c.header for c in spec.columns], line=1) is spec


def test_an_unknown_header_names_what_was_found_and_what_was_expected():
    with pytest.raises(ImportFileError) as caught:
        choose_format(["Card", "Amount", "Set"], line=2)
    message = str(caught.value)
    assert caught.value.line == 2
    assert "line 2: the header row matches no collection format we know" in message
    assert "Columns found: 'Card', 'Amount', 'Set'" in message
    assert "Moxfield: Count and Name" in message and "Dragon Shield: Quantity and Card Name" in message
    assert 'a deck list (lines like "4 Lightning Bolt")' in message


def test_a_forced_format_names_the_missing_column():
    with pytest.raises(ImportFileError, match="this is not a Moxfield CSV file: it has no Count column") as caught:
        choose_format(["Quantity", "Name"], line=1, forced="moxfield")
    assert caught.value.column == "Count"
    with pytest.raises(ImportFileError, match="it has no Card Name column"):
        choose_format(["Quantity", "Name"], line=1, forced="dragonshield")
    assert choose_format(["Count", "Name", "Edition"], line=1, forced="deckbox").name == "deckbox"
