"""Cell values: every app's spelling of conditions, finishes, languages; prices, quantities, ids, dates."""
from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest

from backend.new_services.user_collection.formats import values as v


@pytest.mark.parametrize(("text", "grade"), [
    # ManaBox
    ("near_mint", "NM"), ("lightly_played", "LP"), ("moderately_played", "MP"), ("played", "MP"),
    ("heavily_played", "HP"), ("damaged", "DMG"), ("mint", "NM"), ("excellent", "LP"), ("good", "MP"),
    ("light_played", "LP"), ("poor", "DMG"),
    # Moxfield, TCGplayer
    ("Near Mint", "NM"), ("Lightly Played", "LP"), ("Moderately Played", "MP"), ("Heavily Played", "HP"),
    ("Damaged", "DMG"), ("NM", "NM"), ("lp", "LP"), (" MP ", "MP"),
    # Deckbox
    ("Mint", "NM"), ("Good (Lightly Played)", "LP"), ("Played", "MP"), ("Poor", "DMG"),
    # Dragon Shield
    ("NearMint", "NM"), ("LightlyPlayed", "LP"), ("LightPlayed", "LP"), ("ModeratelyPlayed", "MP"),
    ("HeavilyPlayed", "HP"), ("Excellent", "LP"), ("Good", "MP"),
    # Archidekt
    ("D", "DMG"), ("HP", "HP"), ("DMG", "DMG"),
])
def test_every_app_spelling_of_a_condition(text, grade):
    assert v.parse_condition(text) == (grade, None)


@pytest.mark.parametrize(("text", "expected"), [
    ("Near Mint Foil", ("NM", "foil")), ("Lightly Played Holofoil", ("LP", "foil")),
    ("Heavily Played Foil Etched", ("HP", "etched")), ("Damaged Etched", ("DMG", "etched")),
])
def test_a_tcgplayer_finish_suffix_on_the_condition_gives_the_finish(text, expected):
    assert v.parse_condition(text) == expected


def test_an_empty_condition_is_not_stated_and_an_unknown_one_is_an_error():
    assert v.parse_condition("  ") == (None, None)
    with pytest.raises(ValueError, match="unknown condition; use Near Mint"):
        v.parse_condition("Pristine")


@pytest.mark.parametrize(("text", "finish"), [
    ("", "nonfoil"), ("normal", "nonfoil"), ("Normal", "nonfoil"), ("false", "nonfoil"), ("False", "nonfoil"),
    ("foil", "foil"), ("Foil", "foil"), ("true", "foil"), ("True", "foil"), ("etched", "etched"),
    ("Etched", "etched"), ("Foil Etched", "etched"), ("foil, signed", "foil"), ("signed;etched", "etched"),
])
def test_finish_spellings(text, finish):
    assert v.parse_finish(text) == finish


def test_an_unknown_finish_is_an_error():
    with pytest.raises(ValueError, match="unknown finish"):
        v.parse_finish("glittery")


@pytest.mark.parametrize(("text", "code"), [
    ("en", "en"), ("English", "en"), ("ENGLISH", "en"), ("Japanese", "ja"), ("jp", "ja"), ("ja_JP", "ja"),
    ("Chinese (S)", "zhs"), ("Chinese (T)", "zht"), ("zh_CN", "zhs"), ("zh-TW", "zht"), ("Chinese", "zhs"),
    ("Traditional Chinese", "zht"), ("Chinese Simplified", "zhs"), ("Simplified Chinese", "zhs"),
    ("Portuguese (Brazil)", "pt"), ("pt-BR", "pt"), ("de_DE", "de"), ("Phyrexian", "ph"), ("ph", "ph"),
    ("Ancient Greek", "grc"), ("Sanskrit", "sa"), ("Hebrew", "he"), ("Latin", "la"), ("Arabic", "ar"),
    ("Korean", "ko"), ("kr", "ko"), ("Russian", "ru"), ("Spanish", "es"), ("sp", "es"), ("Deutsch", "de"),
])
def test_language_spellings_map_to_scryfall_codes(text, code):
    assert v.parse_language(text) == code


def test_an_empty_language_is_not_stated_and_an_unknown_one_is_an_error():
    assert v.parse_language("") is None
    with pytest.raises(ValueError, match="unknown language"):
        v.parse_language("Klingon")


@pytest.mark.parametrize(("text", "expected"), [
    ("1.98", (Decimal("1.98"), None)), ("$1.98", (Decimal("1.98"), "USD")), ("0", (Decimal("0"), None)),
    ("€ 2.50", (Decimal("2.50"), "EUR")), ("2.50€", (Decimal("2.50"), "EUR")), ("USD 3", (Decimal("3"), "USD")),
    ("1,234.50", (Decimal("1234.50"), None)), ("1.234,50", (Decimal("1234.50"), None)),
    ("1,98", (Decimal("1.98"), None)), ("1,234", (Decimal("1234"), None)), ("12,345,678", (Decimal("12345678"), None)),
    (".5", (Decimal("0.5"), None)), ("", (None, None)),
])
def test_prices(text, expected):
    assert v.parse_price(text) == expected


@pytest.mark.parametrize("text", ["abc", "-1.00", "1.2.3", "$", "1e5", "NaN", "$1$", "1,2,3"])
def test_a_price_that_is_not_a_number_is_an_error(text):
    with pytest.raises(ValueError, match="the price is not a number"):
        v.parse_price(text)


@pytest.mark.parametrize(("text", "quantity"), [("1", 1), (" 4 ", 4), ("100000", 100_000)])
def test_quantities(text, quantity):
    assert v.parse_quantity(text) == quantity


@pytest.mark.parametrize(("text", "reason"), [
    ("", "the quantity is empty"), ("0", "the quantity is 0"), ("-2", "the quantity is negative"),
    ("2.5", "not a whole number"), ("four", "not a whole number"), ("100001", "more than 100,000"),
    ("٤", "not a whole number"),  # a non-ASCII digit: int() would take it, a user did not mean it
])
def test_bad_quantities(text, reason):
    with pytest.raises(ValueError, match=reason):
        v.parse_quantity(text)


def test_scryfall_ids_must_be_canonical_uuids():
    text = "C24751FD-5E9B-4D7D-83BA-E306B439BBE1"
    assert v.parse_uuid(text) == uuid.UUID(text)
    assert v.parse_uuid("") is None
    for bad in ("c24751fd5e9b4d7d83bae306b439bbe1", "{c24751fd-5e9b-4d7d-83ba-e306b439bbe1}", "not-a-uuid"):
        with pytest.raises(ValueError, match="not a Scryfall id"):
            v.parse_uuid(bad)


def test_ids_dates_tags_and_currencies():
    assert v.parse_id("136602") == 136602
    assert v.parse_id("") is None
    for bad in ("0", "12a", "-3"):
        with pytest.raises(ValueError, match="not an id"):
            v.parse_id(bad)
    assert v.parse_date("2025-03-05 00:23:27.240000") == datetime.date(2025, 3, 5)
    assert v.parse_date("2024-02-29T10:00:00Z") == datetime.date(2024, 2, 29)
    assert v.parse_date("12/31/2023") == datetime.date(2023, 12, 31)
    for bad in ("2023-02-30", "yesterday", "31/12/2023"):
        with pytest.raises(ValueError, match="not a date"):
            v.parse_date(bad)
    assert v.parse_tags(" trade , , deck: mono red,") == ("trade", "deck: mono red")
    assert v.parse_currency("usd") == "USD"
    assert v.parse_currency("€") == "EUR"
    with pytest.raises(ValueError, match="unknown currency"):
        v.parse_currency("dollars")
    assert v.parse_set_code(" M11 ") == "m11"
