"""Raw MTGStocks JSON into typed records: real print responses, field checks, price series to cents."""
from __future__ import annotations

import datetime as dt
import gzip
import uuid
from collections import Counter

import orjson
import pytest

from backend.integrations.mtg_stock.parsing import (
    MalformedResponse,
    PricePoint,
    parse_print_details,
    parse_price_series,
)
from tests.fixtures.mtg_stock import day_ms, make_print, make_prices

DAY = dt.date(2024, 4, 8)


def _real_print(shared_data, name: str) -> dict:
    return orjson.loads((shared_data / "mtgstocks" / "prints" / name).read_bytes())


@pytest.mark.real_data
def test_real_print_of_an_old_set(shared_data):
    details = parse_print_details(_real_print(shared_data, "prints_18211-ravages-of-war.json"))
    assert (details.id, details.name, details.base_name, details.card_name) == (
        18211, "Ravages of War", "Ravages of War", "Ravages of War")
    assert (details.tags, details.finish, details.foil_only, details.is_token, details.is_art_card) == (
        (), "nonfoil", False, False, False)
    assert (details.set_id, details.set_abbreviation, details.set_code, details.set_name, details.set_type) == (
        98, "PTK", "ptk", "Portal Three Kingdoms", "special")
    assert details.collector_number == "17"            # a JSON number there, a string here, as in Scryfall
    assert details.scryfall_id == uuid.UUID("11dca9ba-b27f-4af8-9962-3794e743886f")
    assert (details.tcg_id, details.multiverse_id, details.cardtrader_id, details.card_id) == (512, 10500, 31107, 12547)
    assert details.mkm_id is None                      # only card_set.mkm_id (a set id) and mkm_url are sent
    assert (details.rarity, details.rarity_code) == ("rare", "R")


@pytest.mark.real_data
def test_real_foil_only_print(shared_data):
    details = parse_print_details(_real_print(shared_data, "prints_61953-alibou-ancient-witness.json"))
    assert (details.id, details.base_name, details.set_code, details.collector_number) == (
        61953, "Alibou, Ancient Witness", "c21", "7")
    assert (details.foil_only, details.finish, details.rarity) == (True, "foil", "mythic")
    assert details.scryfall_id == uuid.UUID("fd2fc2d4-c4fb-4dcb-93fa-aaf8c1182f15")


def test_variant_print_details():
    details = parse_print_details(make_print(107428, "Ravages of War (Borderless) (Surge Foil)", foil=False))
    assert (details.base_name, details.tags, details.finish) == ("Ravages of War", ("borderless", "surge_foil"), "foil")
    etched = parse_print_details(make_print(5, "Sol Ring (Foil Etched)", foil=True))
    assert etched.finish == "etched"                    # the tag is more precise than the foil flag
    token = parse_print_details(make_print(6, "Soldier Token", collector_number=None, scryfallId=None, tcg_id=None))
    assert (token.base_name, token.is_token, token.collector_number, token.scryfall_id, token.tcg_id) == (
        "Soldier", True, None, None, None)


def test_optional_parts_may_be_missing():
    raw = {"id": 7, "name": "Bare Print"}
    details = parse_print_details(raw)
    assert (details.set_id, details.set_code, details.card_name, details.rarity, details.finish) == (
        None, None, None, None, "nonfoil")


@pytest.mark.parametrize(("change", "field"), [
    ({"id": None}, "id"),
    ({"id": "abc"}, "id"),
    ({"name": ""}, "name"),
    ({"name": 12}, "name"),
    ({"foil": "yes"}, "foil"),
    ({"scryfallId": "not-a-uuid"}, "scryfallId"),
    ({"tcg_id": -3}, "tcg_id"),
    ({"collector_number": [1]}, "collector_number"),
    ({"card_set": "PTK"}, "card_set"),
    ({"card_set": {"abbreviation": 5}}, "card_set.abbreviation"),
])
def test_malformed_print_names_the_field(change, field):
    with pytest.raises(MalformedResponse) as caught:
        parse_print_details(make_print(1) | change)
    assert caught.value.reason.startswith(f"{field}:")


def test_print_must_be_an_object():
    with pytest.raises(MalformedResponse, match="expected an object"):
        parse_print_details([1, 2])


def test_series_map_to_price_type_and_finish():
    raw = {"low": [[day_ms(DAY), 1]], "avg": [[day_ms(DAY), 2]], "high": [[day_ms(DAY), 3]],
           "market": [[day_ms(DAY), 4]], "foil": [[day_ms(DAY), 5]], "market_foil": [[day_ms(DAY), 6]]}
    assert {(p.price_type, p.finish): p.cents for p in parse_price_series(raw)} == {
        ("low", "nonfoil"): 100, ("avg", "nonfoil"): 200, ("high", "nonfoil"): 300,
        ("market", "nonfoil"): 400, ("avg", "foil"): 500, ("market", "foil"): 600}


@pytest.mark.parametrize(("price", "cents"), [
    (0.29, 29), (0.57, 57), (1.1, 110), (4.35, 435), (19.99, 1999), (1234.56, 123456), (2300, 230000),
    (89905.4, 8990540), (0.01, 1), (1.005, 101),   # more than two decimals: rounded half up
])
def test_prices_become_exact_cents(price, cents):
    (point,) = parse_price_series({"avg": [[day_ms(DAY), price]]})
    assert point == PricePoint(DAY, "avg", "nonfoil", cents)


def test_parsed_from_json_text_without_float_error():
    raw = orjson.loads(b'{"avg": [[1712534400000, 0.29], [1712620800000, 8.7], [1712707200000, 1.15]]}')
    assert [p.cents for p in parse_price_series(raw)] == [29, 870, 115]


def test_unusable_prices_are_skipped_and_counted():
    skipped: Counter[str] = Counter()
    raw = {"avg": [[day_ms(DAY), None], [day_ms(DAY + dt.timedelta(1)), -1.5], [day_ms(DAY + dt.timedelta(2)), 0],
                   [day_ms(DAY + dt.timedelta(3)), 5e12], [day_ms(DAY + dt.timedelta(4)), 2.5]],
           "foil": None, "sealed_only": [[day_ms(DAY), 1]]}
    points = parse_price_series(raw, skipped=skipped)
    assert points == [PricePoint(DAY + dt.timedelta(4), "avg", "nonfoil", 250)]
    assert skipped == Counter(null=1, negative=1, zero=1, absurd=1, unknown_series=1)


def test_points_on_one_utc_day_collapse_to_the_latest():
    midnight = day_ms(DAY)
    skipped: Counter[str] = Counter()
    raw = {"market": [[midnight + 23 * 3600_000, 3.0], [midnight, 1.0], [midnight + 3600_000, 2.0],
                      [midnight + 24 * 3600_000, 4.0]]}           # the last one is the next UTC day
    points = parse_price_series(raw, skipped=skipped)
    assert points == [PricePoint(DAY, "market", "nonfoil", 300),
                      PricePoint(DAY + dt.timedelta(1), "market", "nonfoil", 400)]
    assert skipped["same_day"] == 2


def test_foil_only_print_keeps_one_foil_price_a_day():
    raw = make_prices(DAY, 2, avg=13.49, market=11.41, foil=13.5, market_foil=11.4, low=None)
    points = parse_price_series(raw, print_finish="foil")
    assert {p.finish for p in points} == {"foil"}
    assert [(p.price_type, p.cents) for p in points if p.day == DAY] == [("avg", 1350), ("market", 1140)]


def test_etched_print_prices_are_etched():
    points = parse_price_series(make_prices(DAY, 1, avg=4.0, foil=4.2), print_finish="etched")
    assert points == [PricePoint(DAY, "avg", "etched", 420)]


def test_output_is_sorted_by_day():
    raw = {"avg": [[day_ms(DAY + dt.timedelta(2)), 3], [day_ms(DAY), 1], [day_ms(DAY + dt.timedelta(1)), 2]]}
    assert [p.cents for p in parse_price_series(raw)] == [100, 200, 300]


@pytest.mark.parametrize(("raw", "field"), [
    ([], "prices"),
    ({"avg": {"1": 2}}, "prices.avg"),
    ({"avg": [[day_ms(DAY)]]}, "prices.avg[0]"),
    ({"avg": [[day_ms(DAY), 1], "x"]}, "prices.avg[1]"),
    ({"avg": [["2024-04-08", 1]]}, "prices.avg[0][0]"),
    ({"avg": [[1.5, 1]]}, "prices.avg[0][0]"),
    ({"low": [[day_ms(DAY), "0.29"]]}, "prices.low[0][1]"),
    ({"high": [[day_ms(DAY), True]]}, "prices.high[0][1]"),
    ({"avg": [[10 ** 20, 1]]}, "prices.avg[0][0]"),
])
def test_malformed_series_names_the_field(raw, field):
    with pytest.raises(MalformedResponse) as caught:
        parse_price_series(raw)
    assert caught.value.reason.startswith(f"{field}:")


@pytest.mark.real_data
def test_real_sealed_series_convert_exactly(shared_data):
    # Sealed prices are the same [epoch_ms, price] shape (keyed "average" there instead of "avg").
    path = next((shared_data / "mtgstocks" / "sealed" / "2022-05-31").glob("102-prices-*.json.gz"))
    sealed = orjson.loads(gzip.decompress(path.read_bytes()))
    raw = {"avg": sealed["average"], "low": sealed["low"], "high": sealed["high"], "market": sealed["market"]}
    skipped: Counter[str] = Counter()
    points = parse_price_series(raw, skipped=skipped)
    assert len(points) + skipped["same_day"] == sum(len(v) for v in raw.values())
    last = max(p.day for p in points)
    assert {p.price_type: p.cents for p in points if p.day == last} == {
        "low": 25995, "avg": 28000, "high": 30000, "market": 23825}
