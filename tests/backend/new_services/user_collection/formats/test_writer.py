"""Writing: each app's header order, line endings, quoting and spellings; chunked streaming."""
from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest

from backend.new_services.user_collection.formats import ExportEntry, write_collection

BOLT = ExportEntry(
    name="Lightning Bolt", quantity=4, set_code="m11", set_name="Magic 2011", collector_number="149",
    scryfall_id=uuid.UUID("6c5f1d7d-5c8d-4bb2-9e7b-3a1f0a0c9f11"), tcgplayer_product_id=33225, multiverse_id=191089,
    rarity="common", finish="foil", condition="LP", language="zhs", purchase_price=Decimal("1.50"),
    purchase_currency="USD", acquired_at=datetime.date(2024, 1, 31), tags=("burn", "trade"), notes="from a friend")


def written(format_name: str, entries=(BOLT,), **kwargs) -> str:
    return "".join(write_collection(list(entries), format=format_name, **kwargs))


def test_manabox():
    assert written("manabox") == (
        "Name,Set code,Set name,Collector number,Foil,Rarity,Quantity,Scryfall ID,Purchase price,Misprint,Altered,"
        "Signed,Condition,Language,Proxy,Purchase price currency,Added\r\n"
        "Lightning Bolt,M11,Magic 2011,149,foil,common,4,6c5f1d7d-5c8d-4bb2-9e7b-3a1f0a0c9f11,1.50,FALSE,FALSE,"
        "FALSE,lightly_played,zhs,FALSE,USD,2024-01-31\r\n")


def test_moxfield_quotes_everything_like_its_exports():
    assert written("moxfield") == (
        '"Count","Tradelist Count","Name","Edition","Condition","Language","Foil","Tags","Collector Number",'
        '"Alter","Proxy","Purchase Price"\n'
        '"4","0","Lightning Bolt","m11","Lightly Played","Chinese Simplified","foil","burn, trade","149",'
        '"False","False","1.50"\n')


def test_deckbox_tcgplayer_archidekt_dragonshield_helvault_mtggoldfish():
    assert written("deckbox").splitlines()[1] == (
        "4,0,Lightning Bolt,Magic 2011,M11,149,Good (Lightly Played),Chinese,foil,,,,,,,\"burn, trade\"")
    assert written("tcgplayer").splitlines() == [
        "Quantity,Name,Simple Name,Set,Card Number,Set Code,Printing,Condition,Language,Rarity,Product ID",
        "4,Lightning Bolt,Lightning Bolt,Magic 2011,149,M11,Foil,Lightly Played,Chinese (S),Common,33225"]
    assert written("archidekt").splitlines()[1] == (
        '4,Lightning Bolt,Foil,LP,2024-01-31,zhs,1.50,"burn, trade",Magic 2011,m11,191089,'
        "6c5f1d7d-5c8d-4bb2-9e7b-3a1f0a0c9f11,149")
    assert written("dragonshield").splitlines()[1] == (
        "4,0,Lightning Bolt,M11,Magic 2011,149,LightlyPlayed,Foil,Chinese Simplified,1.50,2024-01-31")
    assert written("helvault").splitlines()[1] == (
        '"149","foil","zhs","Lightning Bolt","4","6c5f1d7d-5c8d-4bb2-9e7b-3a1f0a0c9f11","m11","Magic 2011"')
    assert written("mtggoldfish").splitlines()[1] == (
        "Lightning Bolt,m11,Magic 2011,4,True,,149,6c5f1d7d-5c8d-4bb2-9e7b-3a1f0a0c9f11")


def test_missing_values_are_empty_cells_and_etched_is_foil_where_the_app_has_no_etched():
    bare = ExportEntry(name="Shock", quantity=1, finish="etched")
    assert written("manabox", [bare]).splitlines()[1] == "Shock,,,,etched,,1,,,FALSE,FALSE,FALSE,,,FALSE,,"
    assert written("tcgplayer", [bare]).splitlines()[1] == "1,Shock,Shock,,,,Foil,,,,"
    assert written("moxfield", [ExportEntry(name="Shock", quantity=1)]).splitlines()[1] == (
        '"1","0","Shock","","","","","","","False","False",""')


def test_names_with_delimiters_quotes_and_line_breaks_are_quoted():
    entry = ExportEntry(name='Kongming, "Sleeping Dragon"\nnew', quantity=1)
    assert written("archidekt", [entry]).splitlines(keepends=True)[1].startswith('1,"Kongming, ""Sleeping Dragon""\n')


def test_output_is_streamed_in_chunks_with_the_header_first():
    entries = [ExportEntry(name=f"Card {i}", quantity=1) for i in range(5)]
    chunks = list(write_collection(entries, format="tcgplayer", chunk_rows=2))
    assert [chunk.count("\n") for chunk in chunks] == [3, 2, 1]
    assert chunks[0].startswith("Quantity,Name,")
    assert list(write_collection([], format="helvault"))[0].startswith('"collector_number"')


def test_unknown_formats_and_values_are_programming_errors():
    with pytest.raises(ValueError, match="unknown export format 'excel'"):
        write_collection([], format="excel")
    with pytest.raises(ValueError, match="condition 'Mint' of 'Shock' has no spelling"):
        written("moxfield", [ExportEntry(name="Shock", quantity=1, condition="Mint")])
