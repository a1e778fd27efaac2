"""The TCGplayer dump readers: every reject reason on inline rows, conditions, exact cents, products,
aggregation; and the first 50,000 real listings checked against a plain csv reading."""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import itertools
from collections import Counter
from decimal import Decimal
from uuid import UUID

import pytest

from backend.integrations.tcgplayer.listings import (CONDITION_TABLE, REJECT_REASONS, Listing, ListingAggregate,
                                                     ListingReject, Product, TcgplayerDumpError,
                                                     aggregate_listings, iter_listings, iter_products,
                                                     parse_condition, price_to_cents)

HEADER = ("id,product_name,product_line,set_name,quantity,condition,sponsored,user_listing,product_id_id,"
          "seller_key_id,last_updated,price")
DAY = dt.date(2020, 7, 27)
ORACLE = "10733767-1c97-4e2e-b02b-54bf346f6583"


def listing_row(listing_id="1", line="Magic The Gathering", quantity="-1", condition="Near Mint",
                product="86", seller="7", updated="2020-07-27T12:01:17.996789", price="0.2",
                name='Abyssal "Night", stalker') -> list[str]:
    return [listing_id, name, line, "Portal Second Age", quantity, condition, "0", "0", product, seller,
            updated, price]


def write_csv(path, header: str, rows) -> None:
    text = io.StringIO(newline="")
    text.write(header + "\r\n")
    csv.writer(text).writerows(rows)
    data = text.getvalue().encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)


def read(tmp_path, rows, name="main_listing.csv.gz"):
    path = tmp_path / name
    write_csv(path, HEADER, rows)
    return list(iter_listings(path))


def test_valid_rows_become_listings(tmp_path):
    records = read(tmp_path, [
        listing_row(),
        listing_row("2", condition="Lightly Played Foil - Japanese", quantity="4", price="29", seller="12"),
        listing_row("3", condition="Damaged - Chinese (T)", price="212623.15", updated="2020-07-28T00:00:01"),
    ])
    assert records == [
        Listing(2, 1, 86, "NM", "nonfoil", "en", None, 20, 7, DAY),
        Listing(3, 2, 86, "LP", "foil", "ja", 4, 2900, 12, DAY),
        Listing(4, 3, 86, "DMG", "nonfoil", "zht", None, 21262315, 7, dt.date(2020, 7, 28)),
    ]


@pytest.mark.parametrize("row, reason", [
    (listing_row()[:-1], "malformed_row"),
    (listing_row(listing_id="x1"), "bad_listing_id"),
    (listing_row(product=""), "bad_product_id"),
    (listing_row(product="-86"), "bad_product_id"),
    (listing_row(product="9" * 20), "bad_product_id"),
    (listing_row(seller="seller"), "bad_seller_key"),
    (listing_row(line="Pokemon"), "not_magic"),
    (listing_row(condition="Unopened"), "sealed_product"),
    (listing_row(condition="Mint"), "unknown_condition"),
    (listing_row(condition="Near Mint - Klingon"), "unknown_condition"),
    (listing_row(price="N/A"), "missing_price"),
    (listing_row(price=""), "missing_price"),
    (listing_row(price="-1.50"), "negative_price"),
    (listing_row(price="0.00"), "zero_price"),
    (listing_row(price="1.234"), "bad_price"),
    (listing_row(price="1e3"), "bad_price"),
    (listing_row(price="abc"), "bad_price"),
    (listing_row(quantity="two"), "bad_quantity"),
    (listing_row(quantity="-3"), "bad_quantity"),
    (listing_row(quantity="9" * 19), "bad_quantity"),
    (listing_row(updated="yesterday"), "bad_timestamp"),
    (listing_row(updated="2020-13-01T00:00:00"), "bad_timestamp"),
])
def test_each_reject_reason(tmp_path, row, reason):
    first, second = read(tmp_path, [row, listing_row("99")])
    assert reason in REJECT_REASONS
    assert type(first) is ListingReject and (first.line, first.reason) == (2, reason)
    assert first.product_id == (86 if reason not in ("malformed_row", "bad_product_id") else None)
    assert first.raw == ",".join(row)[:200]
    assert type(second) is Listing and second.line == 3      # one bad row never stops the stream


def test_reject_reasons_are_all_covered_by_the_test_above():
    covered = {"malformed_row", "bad_listing_id", "bad_product_id", "bad_seller_key", "not_magic",
               "sealed_product", "unknown_condition", "missing_price", "negative_price", "zero_price",
               "bad_price", "bad_quantity", "bad_timestamp"}
    assert covered == set(REJECT_REASONS)


def test_condition_table():
    assert len(CONDITION_TABLE) == 5 * 2 * 12
    assert parse_condition("Moderately Played Foil - Portuguese") == ("MP", "foil", "pt")
    assert parse_condition("Heavily Played - Chinese (S)") == ("HP", "nonfoil", "zhs")
    assert parse_condition("  near mint   FOIL ") == ("NM", "foil", "en")
    assert parse_condition("Unopened") == "sealed_product"
    assert parse_condition("Slightly Played") == "unknown_condition"


@pytest.mark.parametrize("text, cents", [("0.2", 20), ("0.23", 23), ("29", 2900), ("10.18", 1018),
                                         ("4999.99", 499999), ("$1.50", 150), (" 7.05 ", 705),
                                         ("0.07", 7), ("99999999.99", 9999999999)])
def test_prices_are_exact_cents(text, cents):
    assert price_to_cents(text) == cents


def test_plain_csv_row_lines_and_embedded_newlines(tmp_path):
    records = read(tmp_path, [listing_row(name="Two\nlines"), listing_row("2")], name="listings.csv")
    assert [(r.line, r.listing_id) for r in records] == [(3, 1), (4, 2)]   # physical line numbers


@pytest.mark.parametrize("content, message", [
    (gzip.compress(b"id,price\r\n1,2\r\n"), "missing columns"),
    (gzip.compress(b""), "missing columns"),
    (b"\x1f\x8b not really gzip", "cannot read"),
    (gzip.compress((HEADER + "\r\n" + ",".join(listing_row()) + "\r\n").encode() * 50)[:-30], "cannot read"),
])
def test_an_unreadable_file_raises_one_error_naming_it(tmp_path, content, message):
    path = tmp_path / "broken.csv.gz"
    path.write_bytes(content)
    with pytest.raises(TcgplayerDumpError, match=message) as error:
        list(iter_listings(path))
    assert error.value.path == path and "broken.csv.gz" in str(error.value)


def test_products(tmp_path):
    header = "product_id,name,set_name,collection_number,mtg_json_uuid,scryfall_id,last_updated"
    path = tmp_path / "main_card.csv.gz"
    write_csv(path, header, [
        ["86", "Abyssal Nightstalker", "Portal Second Age", "61", "cfce190e-ec2f-5406-9f96-3d9064d3d800", ORACLE,
         "2020-07-27T12:01:17"],
        ["87", "Air Elemental", "Portal Second Age", "-1", "", "not-a-uuid", "2020-07-27T12:01:17"],
        ["x", "Broken", "", "", "", "", ""],
        ["88", "Short row"],
    ])
    assert list(iter_products(path)) == [
        Product(86, "Abyssal Nightstalker", "Portal Second Age", "61", UUID(ORACLE),
                UUID("cfce190e-ec2f-5406-9f96-3d9064d3d800")),
        Product(87, "Air Elemental", "Portal Second Age", None, None, None),
        ListingReject(4, None, "bad_product_id", "x,Broken,,,,,"),
        ListingReject(5, None, "malformed_row", "88,Short row"),
    ]


def test_aggregate_listings_groups_by_product_condition_finish_language_and_day():
    def listing(product, condition, cents, quantity=None, finish="nonfoil", language="en", day=DAY):
        return Listing(0, 0, product, condition, finish, language, quantity, cents, 1, day)

    rows = aggregate_listings([
        listing(2, "NM", 300), listing(1, "NM", 100), listing(1, "NM", 900, quantity=2), listing(1, "NM", 200),
        listing(1, "NM", 50, quantity=3), listing(1, "NM", 700, finish="foil"), listing(1, "NM", 10, language="ja"),
        listing(1, "LP", 80), listing(1, "NM", 120, day=DAY + dt.timedelta(days=1)),
    ])
    assert rows == [
        ListingAggregate(1, "LP", "nonfoil", "en", DAY, 1, None, 80, 80, 80),
        ListingAggregate(1, "NM", "foil", "en", DAY, 1, None, 700, 700, 700),
        ListingAggregate(1, "NM", "nonfoil", "en", DAY, 4, 5, 50, 100, 900),     # lower median of 50/100/200/900
        ListingAggregate(1, "NM", "nonfoil", "en", DAY + dt.timedelta(days=1), 1, None, 120, 120, 120),
        ListingAggregate(1, "NM", "nonfoil", "ja", DAY, 1, None, 10, 10, 10),
        ListingAggregate(2, "NM", "nonfoil", "en", DAY, 1, None, 300, 300, 300),
    ]
    assert aggregate_listings([]) == []


@pytest.mark.real_data
def test_first_real_listings_match_a_plain_csv_reading(shared_data):
    path = shared_data / "tcgplayer-listings-2020" / "main_listing.csv.gz"
    limit = 50_000
    with gzip.open(path, "rt", newline="", encoding="utf-8") as text:
        rows = list(itertools.islice(csv.DictReader(text), limit))
    records = list(itertools.islice(iter_listings(path), limit))
    listings = [r for r in records if type(r) is Listing]
    rejects = Counter(r.reason for r in records if type(r) is ListingReject)

    assert len(records) == len(rows) == limit
    assert rejects == Counter({"sealed_product": sum(r["condition"] == "Unopened" for r in rows)})
    assert [r.listing_id for r in listings] == [int(r["id"]) for r in rows if r["condition"] != "Unopened"]
    assert sum(r.price_cents for r in listings) == \
        sum(int(Decimal(r["price"]) * 100) for r in rows if r["condition"] != "Unopened")
    assert {r.product_id for r in listings} == {int(r["product_id_id"]) for r in rows} - \
        {int(r["product_id_id"]) for r in rows if r["condition"] == "Unopened"}
    seen_conditions = Counter(r["condition"] for r in rows if r["condition"] != "Unopened")
    assert all(text in CONDITION_TABLE for text in seen_conditions)
    foil = sum(n for text, n in seen_conditions.items() if " Foil" in text)
    assert sum(r.finish == "foil" for r in listings) == foil
    assert sum(r.language != "en" for r in listings) == sum(n for t, n in seen_conditions.items() if " - " in t)
    aggregates = aggregate_listings(listings)
    assert sum(a.listings for a in aggregates) == len(listings)
    assert all(a.low_cents <= a.market_cents <= a.high_cents for a in aggregates)


@pytest.mark.real_data
def test_real_products_match_a_plain_csv_reading(shared_data):
    path = shared_data / "tcgplayer-listings-2020" / "main_card.csv.gz"
    with gzip.open(path, "rt", newline="", encoding="utf-8") as text:
        rows = list(csv.DictReader(text))
    products = list(iter_products(path))
    assert all(type(p) is Product for p in products)
    assert len(products) == len(rows) == 51_026
    assert sum(p.oracle_id is not None for p in products) == sum(bool(r["scryfall_id"]) for r in rows)
    assert sum(p.mtgjson_v4_id is not None for p in products) == sum(bool(r["mtg_json_uuid"]) for r in rows)
    assert [p.product_id for p in products] == [int(r["product_id"]) for r in rows]
