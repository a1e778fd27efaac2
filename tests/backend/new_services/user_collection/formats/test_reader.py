"""Reading whole files: every format from inline fixtures, file dialects, line numbers, bad rows, bad files."""
from __future__ import annotations

import datetime
import io
import uuid
from decimal import Decimal

import pytest

from backend.new_services.user_collection.formats import ImportFileError, ImportRow, RowError, read_collection

ARSONIST_ID = uuid.UUID("c24751fd-5e9b-4d7d-83ba-e306b439bbe1")


def read(text: str | bytes, **kwargs) -> list[ImportRow | RowError]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return list(read_collection(io.BytesIO(data), **kwargs))


def only(text: str, **kwargs) -> ImportRow:
    [row] = read(text, **kwargs)
    assert isinstance(row, ImportRow), row
    return row


def test_manabox():
    row = only(
        "Binder Name,Binder Type,Name,Set code,Set name,Collector number,Foil,Rarity,Quantity,ManaBox ID,Scryfall ID,"
        "Purchase price,Misprint,Altered,Signed,Condition,Language,Proxy,Purchase price currency,Added\r\n"
        "Trade binder,binder,\"Urborg, Tomb of Yawgmoth\",TSR,Time Spiral Remastered,287,etched,rare,2,57768,"
        "c24751fd-5e9b-4d7d-83ba-e306b439bbe1,47.12,false,false,false,lightly_played,ja,false,EUR,"
        "2024-05-01 10:11:12\r\n")
    assert row == ImportRow(
        line=2, quantity=2, name="Urborg, Tomb of Yawgmoth", set_code="tsr", set_name="Time Spiral Remastered",
        collector_number="287", language="ja", finish="etched", condition="LP", scryfall_id=ARSONIST_ID,
        purchase_price=Decimal("47.12"), purchase_currency="EUR", acquired_at=datetime.date(2024, 5, 1),
        raw=row.raw)
    assert row.raw["Binder Name"] == "Trade binder" and row.raw["ManaBox ID"] == "57768"


def test_moxfield():
    row = only('"Count","Tradelist Count","Name","Edition","Condition","Language","Foil","Tags","Last Modified",'
               '"Collector Number","Alter","Proxy","Purchase Price"\n'
               '"3","0","Fire // Ice","mh2","Heavily Played","Chinese Simplified","foil","edh, burn",'
               '"2025-03-05 00:23:27.240000","290","False","False","0.19"\n')
    assert (row.quantity, row.name, row.set_code, row.collector_number, row.condition, row.language, row.finish,
            row.tags, row.purchase_price, row.acquired_at) == (
        3, "Fire // Ice", "mh2", "290", "HP", "zhs", "foil", ("edh", "burn"), Decimal("0.19"), None)


def test_deckbox_edition_is_the_set_name():
    row = only("Count,Tradelist Count,Name,Edition,Edition Code,Card Number,Condition,Language,Foil,Signed,"
               "Artist Proof,Altered Art,Misprint,Promo,Textless,Printing Id,Printing Note,Tags,My Price\n"
               "1,0,Séance,Dark Ascension,DKA,23,Good (Lightly Played),German,foil,,,,,,,55555,,trade,$1.00\n")
    assert (row.name, row.set_name, row.set_code, row.collector_number, row.condition, row.language,
            row.finish, row.tags, row.purchase_price) == (
        "Séance", "Dark Ascension", "dka", "23", "LP", "de", "foil", ("trade",), None)


def test_tcgplayer_prefers_the_simple_name_and_keeps_market_prices_out():
    row = only("Quantity,Name,Simple Name,Set,Card Number,Set Code,Printing,Condition,Language,Rarity,Product ID,"
               "SKU,Price,Price Each\n"
               "3,Lightning Bolt (Borderless),Lightning Bolt,2XM,141,2XM,Normal,Near Mint Foil,Chinese (S),Rare,"
               "218360,4440111,$1.98,$0.66\n")
    assert (row.name, row.set_name, row.set_code, row.finish, row.condition, row.language,
            row.tcgplayer_product_id, row.purchase_price) == (
        "Lightning Bolt", "2XM", "2xm", "foil", "NM", "zhs", 218360, None)


def test_archidekt_minimal_and_full_columns():
    assert only("Quantity,Name,Finish,Condition\n2,Fire // Ice,Etched,D\n").finish == "etched"
    row = only("Quantity,Name,Finish,Condition,Date Added,Language,Purchase Price,Tags,Edition Name,Edition Code,"
               "Multiverse Id,Scryfall ID,Collector Number\n"
               "1,Goblin Arsonist,Normal,MP,2023-11-02,en,€0.25,\"a,b\",Magic 2012,M12,220296,"
               "c24751fd-5e9b-4d7d-83ba-e306b439bbe1,136\n")
    assert (row.condition, row.acquired_at, row.purchase_price, row.purchase_currency, row.tags, row.set_name,
            row.set_code, row.multiverse_id, row.scryfall_id, row.collector_number) == (
        "MP", datetime.date(2023, 11, 2), Decimal("0.25"), "EUR", ("a", "b"), "Magic 2012", "m12", 220296,
        ARSONIST_ID, "136")


def test_dragonshield_with_its_sep_line():
    row = only('"sep=,"\r\nFolder Name,Quantity,Trade Quantity,Card Name,Set Code,Set Name,Card Number,Condition,'
               "Printing,Language,Price Bought,Date Bought,LOW,MID,MARKET\r\n"
               "Binder,4,0,Goblin Arsonist,M12,Magic 2012,136,LightlyPlayed,Foil,Japanese,0.10,2021-05-23,"
               "0.01,0.05,0.04\r\n")
    assert (row.line, row.quantity, row.name, row.set_code, row.condition, row.finish, row.language,
            row.purchase_price, row.acquired_at) == (
        3, 4, "Goblin Arsonist", "m12", "LP", "foil", "ja", Decimal("0.10"), datetime.date(2021, 5, 23))


def test_helvault_and_mtggoldfish():
    helvault = only('"collector_number","extras","language","name","oracle_id","quantity","scryfall_id","set_code",'
                    '"set_name"\n"136","foil","en","Goblin Arsonist","x","4",'
                    '"c24751fd-5e9b-4d7d-83ba-e306b439bbe1","m12","Magic 2012"\n')
    goldfish = only("Card,Set ID,Set Name,Quantity,Foil,Variation,Collector Number,Scryfall ID\n"
                    'Goblin Arsonist,m12,Magic 2012,4,True,"",136,c24751fd-5e9b-4d7d-83ba-e306b439bbe1')
    for row in (helvault, goldfish):
        assert (row.name, row.quantity, row.finish, row.set_code, row.scryfall_id) == (
            "Goblin Arsonist", 4, "foil", "m12", ARSONIST_ID)


def test_bom_crlf_semicolons_and_quoted_delimiters():
    reader = read_collection(io.BytesIO(
        "\ufeffsep=;\r\nQuantity;Card Name;Price Bought\r\n2;\"Borrowing 100,000 Arrows\";1,98\r\n".encode()))
    assert (reader.format, reader.delimiter) == ("dragonshield", ";")
    [row] = reader
    assert (row.line, row.name, row.purchase_price) == (3, "Borrowing 100,000 Arrows", Decimal("1.98"))
    assert reader.headers == ("Quantity", "Card Name", "Price Bought")


def test_a_tab_separated_file_without_sep_line():
    assert only("Quantity\tName\tSet code\n1\tShock\tM19\n").set_code == "m19"


def test_line_numbers_count_every_physical_line():
    rows = read('Count,Name,Tags\n'
                '1,"A card whose\nname spans\nthree lines",x\n'
                '\n'
                '2,Shock,"one,\r\ntwo"\r\n'
                ',,\n'
                '3,Opt,\n')
    assert [(row.line, row.quantity) for row in rows] == [(2, 1), (6, 2), (9, 3)]
    assert rows[0].name == "A card whose\nname spans\nthree lines"


def test_extra_and_missing_cells_do_not_shift_columns():
    rows = read("Count,Name,Edition\n1,Shock\n2,Opt,xln,surplus\n")
    assert [(r.name, r.set_code) for r in rows] == [("Shock", None), ("Opt", "xln")]


@pytest.mark.parametrize(("cell", "reason"), [
    ("0", "the quantity is 0"), ("-1", "the quantity is negative"), ("1.5", "not a whole number"),
    ("", "the quantity is empty"), ("250000", "more than 100,000"), ("lots", "not a whole number"),
])
def test_bad_quantities_are_row_errors(cell, reason):
    [error] = read(f"Count,Name\n{cell},Shock\n")
    assert isinstance(error, RowError)
    assert (error.line, error.column, error.value) == (2, "Count", cell)
    assert reason in error.reason


@pytest.mark.parametrize(("column", "cell", "reason"), [
    ("Condition", "Pristine", "unknown condition; use Near Mint, Lightly Played"),
    ("Foil", "sparkly", "unknown finish; use nonfoil (or empty), foil or etched"),
    ("Purchase price", "cheap", "the price is not a number"),
    ("Scryfall ID", "12345", "not a Scryfall id"),
    ("Language", "Elvish", "unknown language"),
    ("Added", "last week", "not a date"),
    ("Purchase price currency", "dollars", "unknown currency"),
])
def test_bad_cells_are_row_errors_naming_line_column_and_reason(column, cell, reason):
    rows = read(f"Quantity,Name,{column}\n1,Shock,\n1,Opt,{cell}\n1,Duress,\n")
    assert [type(r) for r in rows] == [ImportRow, RowError, ImportRow]
    assert (rows[1].line, rows[1].column, rows[1].value) == (3, column, cell)
    assert reason in rows[1].reason


def test_the_leftmost_bad_cell_is_reported_and_a_row_needs_a_card():
    [first, second] = read("Quantity,Name,Condition\n0,Shock,Pristine\n2,,NM\n")
    assert (first.column, first.value) == ("Quantity", "0")
    assert (second.line, second.column, second.reason) == (3, "Name", "no card name or id in this row")


def test_an_id_alone_names_the_card():
    row = only("Quantity,Scryfall ID\n1,c24751fd-5e9b-4d7d-83ba-e306b439bbe1\n")
    assert (row.name, row.scryfall_id) == (None, ARSONIST_ID)


def test_a_forced_format_reads_an_ambiguous_header_its_way():
    text = "Count,Name,Edition\n1,Shock,Core Set 2019\n"
    assert only(text).set_code == "core set 2019"  # auto: Moxfield, where Edition is the set code
    row = only(text, format="deckbox")
    assert (row.set_name, row.set_code) == ("Core Set 2019", None)


def test_a_deck_list_is_detected():
    reader = read_collection(io.BytesIO(
        b"\xef\xbb\xbfDeck\r\n4 Lightning Bolt (M11) 149\r\n1 Urborg, Tomb of Yawgmoth\r\n"))
    assert reader.format == "text"
    assert [(r.line, r.quantity, r.name, r.set_code, r.collector_number) for r in reader] == [
        (2, 4, "Lightning Bolt", "m11", "149"), (3, 1, "Urborg, Tomb of Yawgmoth", None, None)]


def test_a_forced_text_format_reads_a_header_as_a_card():
    assert [r.name for r in read("Count,Name\n1 Shock\n", format="text")] == ["Count,Name", "Shock"]


@pytest.mark.parametrize(("data", "line", "message"), [
    (b"", None, "the file is empty"),
    (b"\r\n  \n", None, "the file is empty"),
    (b"sep=,\n\n", 2, "`sep=` line but no header"),
    (b"Card,Amount\nShock,2\n", 1, "matches no collection format we know. Columns found: 'Card', 'Amount'"),
    (b"\n\nFoo;Bar;Baz\n", 3, "Columns found: 'Foo', 'Bar', 'Baz'"),
    (b"Count,Name\n1,Shock\n2,\"Fire, Ice\n3,Opt\n", 3, "never closed"),
    (b"Count,Name\n1,\"Shock\" x\n", 2, "a \" inside a quoted value must be doubled"),
    (b"Count,Name\n1,Shock\n1,Caf\xe9\n", 3, "not valid UTF-8 at byte offset 24 (byte 6 of this line)"),
    ("Count,Name\n".encode("utf-16"), 1, "UTF-16"),
])
def test_file_level_problems_raise_one_error_with_the_line(data, line, message):
    with pytest.raises(ImportFileError) as caught:
        read(data)
    assert caught.value.line == line
    assert message in str(caught.value)
    assert caught.value.status_code == 400 and caught.value.details["line"] == line


def test_an_unknown_format_name_is_refused():
    with pytest.raises(ImportFileError, match="unknown format 'excel'; choose auto or one of manabox"):
        read("Count,Name\n", format="excel")


def test_rows_before_a_broken_line_are_yielded_first():
    reader = read_collection(io.BytesIO(b"Count,Name\n1,Shock\n1,\xff\n"))
    assert next(reader).name == "Shock"
    with pytest.raises(ImportFileError):
        next(reader)
