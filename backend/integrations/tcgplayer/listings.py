"""Stream TCGplayer marketplace dumps (`main_listing.csv[.gz]`, `main_card.csv[.gz]`, 2020 scrape
format) into COPY-ready tuples: listings with condition, finish, language and exact integer cents;
rejects with a reason; products; and per-day price aggregates.

Condition strings (the 105 distinct card conditions in 2.16M real listings all fit this grammar):
    "<Near Mint|Lightly Played|Moderately Played|Heavily Played|Damaged>[ Foil][ - <Language>]"
    -> NM|LP|MP|HP|DMG, foil|nonfoil, and a Scryfall language code ("en" when no language is
    written, TCGplayer's default). "Unopened" marks sealed product (booster boxes): rejected as
    `sealed_product`, since it is not a card condition.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
from array import array
from collections.abc import Iterable, Iterator
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple
from uuid import UUID

try:
    from isal import igzip as _gzip
    from isal.isal_zlib import error as _InflateError
except ImportError:  # pragma: no cover - isal is a project dependency; zlib is slower, not wrong
    import gzip as _gzip
    from zlib import error as _InflateError

CONDITIONS = {"Near Mint": "NM", "Lightly Played": "LP", "Moderately Played": "MP",
              "Heavily Played": "HP", "Damaged": "DMG"}
LANGUAGES = {"English": "en", "Japanese": "ja", "Italian": "it", "Chinese (S)": "zhs",
             "Chinese (T)": "zht", "Korean": "ko", "Russian": "ru", "German": "de", "French": "fr",
             "Spanish": "es", "Portuguese": "pt"}
SEALED_CONDITIONS = frozenset({"Unopened"})
MAGIC_PRODUCT_LINE = "Magic The Gathering"
LISTING_COLUMNS = ("id", "product_line", "quantity", "condition", "product_id_id", "seller_key_id",
                   "last_updated", "price")
PRODUCT_COLUMNS = ("product_id", "name", "set_name", "collection_number", "scryfall_id", "mtg_json_uuid")
REJECT_REASONS = ("malformed_row", "bad_listing_id", "bad_product_id", "bad_seller_key", "not_magic",
                  "sealed_product", "unknown_condition", "missing_price", "negative_price", "zero_price",
                  "bad_price", "bad_quantity", "bad_timestamp")
_PRICE = re.compile(r"(-?)(\d{1,13})(?:\.(\d{1,2}))?")
_MISSING_PRICES = frozenset({"", "N/A", "NA", "NONE", "NULL", "-"})
_CACHE_LIMIT = 1 << 16      # distinct strings remembered per parsed column; bounds memory
_EXCERPT = 200
_READ_ERRORS = (OSError, EOFError, _InflateError, csv.Error, UnicodeDecodeError)
_MAX_BIGINT = (1 << 63) - 1
# Listing(...) runs a Python-level __new__; building the tuple directly halves that cost in the hot loop.
_new_tuple = tuple.__new__


class TcgplayerDumpError(ValueError):
    """A dump file that cannot be read at all (unreadable, no header, missing columns); names it."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


class Listing(NamedTuple):
    line: int                   # physical line in the file (header = 1)
    listing_id: int
    product_id: int
    condition: str              # NM | LP | MP | HP | DMG
    finish: str                 # nonfoil | foil
    language: str               # Scryfall code; "en" when the condition names no language
    quantity: int | None        # None for -1: the 2020 scrape never recorded quantities
    price_cents: int
    seller_key: int
    observed_on: dt.date


class ListingReject(NamedTuple):
    """A row of either dump that was not loaded, and why (one of REJECT_REASONS)."""
    line: int
    product_id: int | None
    reason: str
    raw: str                    # the row, comma-joined, cut to 200 characters


class Product(NamedTuple):
    product_id: int
    name: str
    set_name: str | None
    collection_number: str | None   # None for the dump's "-1"
    oracle_id: UUID | None          # the dump's `scryfall_id` column holds Scryfall *oracle* ids
    mtgjson_v4_id: UUID | None      # `mtg_json_uuid` holds MTGJSON v4 ids (identifiers.mtgjsonV4Id)


class ListingAggregate(NamedTuple):
    product_id: int
    condition: str
    finish: str
    language: str
    observed_on: dt.date
    listings: int
    total_quantity: int | None      # None when no listing of the group stated a quantity
    low_cents: int
    market_cents: int               # lower median of the listing prices: an actual asking price,
    high_cents: int                 # robust to the $100k+ placeholder listings in the data


def _condition_table() -> dict[str, tuple[str, str, str]]:
    table = {}
    for text, condition in CONDITIONS.items():
        for suffix, finish in (("", "nonfoil"), (" Foil", "foil")):
            table[text + suffix] = (condition, finish, "en")
            for language_text, language in LANGUAGES.items():
                table[f"{text}{suffix} - {language_text}"] = (condition, finish, language)
    return table


CONDITION_TABLE = _condition_table()
_FOLDED_CONDITIONS = {text.casefold(): value for text, value in CONDITION_TABLE.items()}


def parse_condition(text: str) -> tuple[str, str, str] | str:
    """'Lightly Played Foil - Japanese' -> ('LP', 'foil', 'ja'); a reject reason when not a card's."""
    found = CONDITION_TABLE.get(text) or _FOLDED_CONDITIONS.get(" ".join(text.split()).casefold())
    if found:
        return found
    return "sealed_product" if text.strip() in SEALED_CONDITIONS else "unknown_condition"


def price_to_cents(text: str) -> int | str:
    """'0.2' -> 20, '29' -> 2900 (exact: parsed as text, never as a float); else a reject reason."""
    text = text.strip().removeprefix("$")
    if text.upper() in _MISSING_PRICES:
        return "missing_price"
    match = _PRICE.fullmatch(text)
    if not match:
        return "bad_price"
    sign, whole, fraction = match.groups()
    cents = int(whole) * 100 + int((fraction or "").ljust(2, "0"))
    if cents == 0:
        return "zero_price"
    return "negative_price" if sign else cents


def _quantity(text: str) -> int | None | str:
    text = text.strip()
    if text == "-1":
        return None
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else "bad_quantity"


def _day(date_text: str) -> dt.date | str:
    try:
        return dt.date.fromisoformat(date_text)
    except ValueError:
        return "bad_timestamp"


def _positive_int(text: str) -> int:
    """The integer, or 0 when the text is not one that fits a BIGINT id column (ids are never 0)."""
    try:
        number = int(text)
    except ValueError:
        return 0
    return number if 0 < number <= _MAX_BIGINT else 0


def iter_listings(path: Path | str) -> Iterator[Listing | ListingReject]:
    """Listings in file order, each row either a Listing or a ListingReject. ~450k rows/s on 2 cores:
    values repeat (a hundred conditions, a few thousand prices, one day), so each distinct string
    is parsed once."""
    with _csv_rows(path, LISTING_COLUMNS) as (reader, width, pick):
        conditions: dict[str, tuple | str] = {}
        prices: dict[str, int | str] = {}
        quantities: dict[str, int | None | str] = {}
        days: dict[str, dt.date | str] = {}
        for row in reader:
            if len(row) != width:
                yield ListingReject(reader.line_num, None, "malformed_row", _excerpt(row))
                continue
            id_text, product_line, quantity_text, condition_text, product_text, seller_text, \
                updated, price_text = pick(row)
            product_id = _positive_int(product_text)
            found = conditions.get(condition_text) or _remember(
                conditions, condition_text, parse_condition(condition_text))
            cents = prices.get(price_text) or _remember(prices, price_text, price_to_cents(price_text))
            quantity = quantities.get(quantity_text, quantities)  # the dict itself marks "not cached"
            if quantity is quantities:
                quantity = _remember(quantities, quantity_text, _quantity(quantity_text))
            day = days.get(updated[:10]) or _remember(days, updated[:10], _day(updated[:10]))
            listing_id, seller_key = _positive_int(id_text), _positive_int(seller_text)
            reason = ("bad_product_id" if not product_id else "bad_listing_id" if not listing_id
                      else "bad_seller_key" if not seller_key
                      else "not_magic" if product_line != MAGIC_PRODUCT_LINE
                      else found if found.__class__ is str else cents if cents.__class__ is str
                      else quantity if quantity.__class__ is str else day if day.__class__ is str
                      else None)
            if reason:
                yield ListingReject(reader.line_num, product_id or None, reason, _excerpt(row))
                continue
            condition, finish, language = found
            yield _new_tuple(Listing, (reader.line_num, listing_id, product_id, condition, finish,
                                       language, quantity, cents, seller_key, day))


def iter_products(path: Path | str) -> Iterator[Product | ListingReject]:
    """Products of `main_card`; a row without a positive product id is a reject."""
    with _csv_rows(path, PRODUCT_COLUMNS) as (reader, width, pick):
        for row in reader:
            product_id = _positive_int(pick(row)[0]) if len(row) == width else 0
            if not product_id:
                reason = "malformed_row" if len(row) != width else "bad_product_id"
                yield ListingReject(reader.line_num, None, reason, _excerpt(row))
                continue
            _, name, set_name, number, oracle_id, v4_id = pick(row)
            number = number.strip()
            yield Product(product_id, name.strip(), set_name.strip() or None,
                          None if number in ("", "-1") else number, _uuid(oracle_id), _uuid(v4_id))


def aggregate_listings(listings: Iterable[Listing]) -> list[ListingAggregate]:
    """Per (product, condition, finish, language, day): count, total quantity, low / lower median /
    high price, sorted by that key. A median needs every price, so they are kept per group in int64
    arrays (8 bytes a listing): ~85 MB peak for the 2.16M listings (230k groups) of the real file."""
    prices: dict[tuple, array] = {}
    quantities: dict[tuple, int] = {}
    for _, _, product_id, condition, finish, language, quantity, cents, _, day in listings:
        key = (product_id, condition, finish, language, day)
        group = prices.get(key)
        if group is None:
            group = prices[key] = array("q")
        group.append(cents)
        if quantity is not None:
            quantities[key] = quantities.get(key, 0) + quantity
    rows = []
    for key in sorted(prices):
        values = sorted(prices.pop(key))
        rows.append(ListingAggregate(*key, len(values), quantities.get(key), values[0],
                                     values[(len(values) - 1) // 2], values[-1]))
    return rows


@contextlib.contextmanager
def _csv_rows(path: Path | str, columns: tuple[str, ...]):
    """(reader after the header, row width, getter of `columns` in order); read errors name the file."""
    path = Path(path)
    reader = None
    try:
        raw = _gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")
        with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
            reader = csv.reader(text)
            header = [name.strip() for name in next(reader, [])]
            missing = [name for name in columns if name not in header]
            if missing:
                raise TcgplayerDumpError(path, f"missing columns {missing} (header: {header[:20]})")
            yield reader, len(header), itemgetter(*(header.index(name) for name in columns))
    except _READ_ERRORS as exc:
        where = f" after line {reader.line_num}" if reader is not None else ""
        raise TcgplayerDumpError(path, f"cannot read{where}: {exc}") from exc


def _remember(cache: dict, key: str, value):
    if len(cache) < _CACHE_LIMIT:
        cache[key] = value
    return value


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text) if text.strip() else None
    except ValueError:
        return None


def _excerpt(row: list[str]) -> str:
    return ",".join(row)[:_EXCERPT]
