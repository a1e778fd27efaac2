"""Normalising Scryfall cards (both schemas) into staging rows, and rejecting malformed ones."""
from __future__ import annotations

import datetime as dt
import uuid

import orjson
import pytest

from backend.new_services.card_catalog.catalog_load.normalize import (SET_ID_NAMESPACE, CardRejected,
                                                                      normalize_card, price_to_cents)
from backend.repositories.card_catalog.catalog_load_repository import ORACLE_STAGING, VERSION_STAGING
from tests.fixtures.scryfall import modern_card, old_schema_card, reversible_card, transform_card, uid


def version_dict(card) -> dict:
    return dict(zip(VERSION_STAGING.columns, card.version, strict=True))


def oracle_dict(card) -> dict:
    return dict(zip(ORACLE_STAGING.columns, card.oracle, strict=True))


def test_normalize_modern_card():
    card = normalize_card(modern_card(7))
    row = version_dict(card)
    assert card.card_version_id == uid("card:tst:7")
    assert card.set_row == (uid("set:tst"), "tst", "Test Set", "expansion")
    assert row["finishes"] == ["nonfoil", "foil"]
    assert row["released_at"] == dt.date(2024, 2, 9)
    assert row["usd_cents"] == 725 and row["usd_foil_cents"] == 850 and row["tix_cents"] == 3
    assert row["usd_etched_cents"] is None
    assert card.prices == {"usd": 725, "usd_foil": 850, "eur": 10, "tix": 3}
    assert orjson.loads(row["image_uris"])["small"].endswith("/small/7.jpg")


def test_normalize_older_schema_card():
    card = normalize_card(old_schema_card(5, foil=False))
    row = version_dict(card)
    assert row["finishes"] == ["nonfoil"]
    assert row["frame_effects"] == ["legendary"]
    # No set_id in the older schema: a stable id derived from the set code.
    assert card.set_row == (str(uuid.uuid5(SET_ID_NAMESPACE, "old")), "old", "Old Set", "unknown")
    assert card.prices == {}


def test_normalize_reversible_card_takes_oracle_id_from_faces():
    card = normalize_card(reversible_card(9))
    assert card.oracle_id == uid("oracle:9")
    assert oracle_dict(card)["type_line"] == "Creature — Elf"          # from the first face
    faces = orjson.loads(version_dict(card)["card_faces"])
    assert [f["oracle_text"] for f in faces] == ["Front.", "Back."]


def test_normalize_transform_card_unions_face_colours():
    card = normalize_card(transform_card(4))
    assert oracle_dict(card)["colors"] == ["W", "R"]
    assert len(orjson.loads(oracle_dict(card)["faces"])) == 2


@pytest.mark.parametrize(("mutate", "reason"), [
    (lambda c: c.pop("id"), "field 'id' is missing"),
    (lambda c: c.update(id="not-a-uuid"), "is not a UUID"),
    (lambda c: c.pop("oracle_id"), "field 'oracle_id' is missing"),
    (lambda c: c.pop("name"), "required field 'name' is missing"),
    (lambda c: c.update(collector_number=12), "field 'collector_number': expected `str`, got `int`"),
    (lambda c: c.update(mtgo_id="x"), "field 'mtgo_id': expected `int | null`, got `str`"),
    (lambda c: c.update(mtgo_id=2**31), "field 'mtgo_id': expected `int` <= 2147483647"),
    (lambda c: c.update(card_faces=[{"name": 7}]), "field 'card_faces[0].name': expected `str | null`"),
    (lambda c: c.update(id="not-a-uuid"), "field 'id' 'not-a-uuid' is not a UUID"),
    (lambda c: c.update(colors="G"), "field 'colors': expected `array | null`, got `str`"),
    (lambda c: c.update(cmc=10_000_000_000), "field 'cmc' is out of range"),
    (lambda c: c.update(released_at="yesterday"), "is not a date"),
    (lambda c: c.update(card_faces=["x"]), "card_faces"),
    (lambda c: c.update(multiverse_ids=[1.5]), "multiverse_ids"),
])
def test_normalize_rejects_malformed_cards_with_a_reason(mutate, reason):
    card = modern_card(1)
    mutate(card)
    with pytest.raises(CardRejected) as caught:
        normalize_card(card)
    assert reason in caught.value.reason


def test_reject_keeps_the_card_id_when_known():
    with pytest.raises(CardRejected) as caught:
        normalize_card(modern_card(3, rarity=None))
    assert caught.value.scryfall_id == uid("card:tst:3")


@pytest.mark.parametrize(("value", "cents"), [
    ("0.25", 25), ("12", 1200), ("1234.5", 123450), ("0.03", 3), (None, None), ("-1.00", None),
    ("abc", None), ("1.234", None), (3.5, 350), ("99999999.99", 9999999999),
])
def test_price_to_cents(value, cents):
    assert price_to_cents(value) == cents


def test_hash_ignores_key_order_but_sees_content():
    card = modern_card(2)
    shuffled = dict(reversed(list(card.items())))
    shuffled["legalities"] = dict(reversed(list(card["legalities"].items())))
    assert normalize_card(card).version_hash == normalize_card(shuffled).version_hash
    assert normalize_card(card).version_hash != normalize_card({**card, "flavor_text": "x"}).version_hash
    # An oracle erratum changes the printing's hash too (so the printing is revisited).
    assert normalize_card(card).version_hash != normalize_card({**card, "oracle_text": "Errata."}).version_hash
