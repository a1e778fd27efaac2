"""Raw MTGStocks JSON into typed records: `PrintDetails` from `GET /prints/{id}` and daily
`PricePoint`s from `GET /prints/{id}/prices`. Input that is not the expected shape raises
`MalformedResponse` naming the field.

Price series mapping (series key -> price_type / finish):

    low         -> low    / nonfoil
    avg         -> avg    / nonfoil
    high        -> high   / nonfoil
    market      -> market / nonfoil
    foil        -> avg    / foil
    market_foil -> market / foil

A print that exists in one finish only (`print_finish="foil"` or `"etched"`, from
`PrintDetails.finish`) gets every series in that finish: MTGStocks then repeats the foil prices under
the plain keys, and where both give a price for the same day and type the foil series wins.
Unknown series keys are ignored (counted as "unknown_series").

Prices become integer cents through Decimal (the number's shortest decimal form, so 0.29 is 29,
never 28.999...), rounded half up if a price ever has more than two decimals. Skipped and counted by
reason: null, zero, negative, absurd (not finite or above `max_cents`), and same_day (a point
replaced by another for the same UTC day, type and finish: the latest timestamp wins the day).
"""
from __future__ import annotations

import datetime as dt
import math
import uuid
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import msgspec

from backend.integrations.mtg_stock.errors import MalformedResponse
from backend.integrations.mtg_stock.names import Finish, parse_print_name

__all__ = ["PrintDetails", "PricePoint", "parse_print_details", "parse_price_series", "MalformedResponse"]

PriceType = Literal["market", "low", "avg", "high"]

SERIES: dict[str, tuple[PriceType, Literal["nonfoil", "foil"]]] = {
    "low": ("low", "nonfoil"),
    "avg": ("avg", "nonfoil"),
    "high": ("high", "nonfoil"),
    "market": ("market", "nonfoil"),
    "foil": ("avg", "foil"),
    "market_foil": ("market", "foil"),
}
# Ten million dollars: above any single card ever sold; what is larger is a data error (and a 1e300
# would not even fit the BIGINT cents column).
MAX_PLAUSIBLE_CENTS = 1_000_000_000
RARITIES = {"C": "common", "U": "uncommon", "R": "rare", "M": "mythic", "S": "special"}
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


class PrintDetails(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str                      # as MTGStocks gives it, variant tags included
    base_name: str                 # the card's name as Scryfall has it (see names.py)
    card_name: str | None          # MTGStocks' own card name (`card.name`), for cross-checking
    tags: tuple[str, ...]          # canonical variant tags (names.VARIANT_TAGS)
    other_tags: tuple[str, ...]    # decorations not in the table, verbatim
    name_number: str | None        # "Island (264)" -> "264": a collector-number hint
    finish: Finish                 # etched or foil if a tag says so, foil for a foil-only print
    foil_only: bool                # MTGStocks' `foil` flag: this print exists only in foil
    is_token: bool
    is_art_card: bool
    rarity: str | None             # Scryfall's word (common, uncommon, rare, mythic, special)
    rarity_code: str | None        # as given (M, R, U, C, ...)
    set_id: int | None
    set_abbreviation: str | None   # as given ("PTK"); see set_code
    set_name: str | None
    set_type: str | None
    collector_number: str | None   # a string as in Scryfall; MTGStocks sends a number or nothing
    scryfall_id: uuid.UUID | None
    tcg_id: int | None
    mkm_id: int | None             # a top-level `mkm_id`; the real samples only carry mkm_url
    multiverse_id: int | None
    cardtrader_id: int | None
    card_id: int | None            # MTGStocks' id of the card (all printings share it)

    @property
    def set_code(self) -> str | None:
        """The abbreviation lower-cased, as Scryfall writes set codes."""
        return self.set_abbreviation.lower() if self.set_abbreviation else None


class PricePoint(msgspec.Struct, frozen=True):
    day: dt.date                   # the UTC day of the timestamp
    price_type: PriceType
    finish: Finish                 # nonfoil or foil; etched only for an etched-only print
    cents: int


def parse_print_details(raw: Any) -> PrintDetails:
    if not isinstance(raw, dict):
        raise MalformedResponse(f"print: expected an object, got {type(raw).__name__}")
    print_id = _int(raw, "id", required=True)
    name = _str(raw, "name", required=True)
    card = _obj(raw, "card")
    card_set = _obj(raw, "card_set")
    foil_only = raw.get("foil")
    if foil_only is not None and not isinstance(foil_only, bool):
        raise MalformedResponse(f"foil: expected a boolean, got {type(foil_only).__name__}")
    parsed = parse_print_name(name)
    rarity_code = _str(raw, "rarity")
    return PrintDetails(
        id=print_id, name=name, base_name=parsed.base_name,
        card_name=_str(card, "name", prefix="card."),
        tags=parsed.tags, other_tags=parsed.other_tags, name_number=parsed.name_number,
        finish=parsed.finish or ("foil" if foil_only else "nonfoil"),
        foil_only=bool(foil_only), is_token=parsed.is_token, is_art_card=parsed.is_art_card,
        rarity=RARITIES.get(rarity_code.upper()) if rarity_code else None, rarity_code=rarity_code,
        set_id=_int(card_set, "id", prefix="card_set."),
        set_abbreviation=_str(card_set, "abbreviation", prefix="card_set."),
        set_name=_str(card_set, "name", prefix="card_set."),
        set_type=_str(card_set, "set_type", prefix="card_set."),
        collector_number=_collector_number(raw.get("collector_number")),
        scryfall_id=_uuid(raw.get("scryfallId")),
        tcg_id=_int(raw, "tcg_id"), mkm_id=_int(raw, "mkm_id"), multiverse_id=_int(raw, "multiverse_id"),
        cardtrader_id=_int(raw, "cardtrader_id"), card_id=_int(card, "id", prefix="card."),
    )


def parse_price_series(raw: Any, *, print_finish: Finish = "nonfoil", max_cents: int = MAX_PLAUSIBLE_CENTS,
                       skipped: Counter[str] | None = None) -> list[PricePoint]:
    """Daily price points, sorted by (day, price_type, finish). Pass a Counter as `skipped` to learn
    how many points were dropped and why (add one Counter up over a whole run)."""
    if not isinstance(raw, dict):
        raise MalformedResponse(f"prices: expected an object, got {type(raw).__name__}")
    skipped = skipped if skipped is not None else Counter()
    # (day, type, finish) -> (rank, point); a higher rank wins the day.
    best: dict[tuple[dt.date, str, str], tuple[tuple[int, int, int], PricePoint]] = {}
    for key, series in raw.items():
        if key not in SERIES:
            skipped["unknown_series"] += 1
            continue
        if series is None:
            continue
        if not isinstance(series, list):
            raise MalformedResponse(f"prices.{key}: expected a list, got {type(series).__name__}")
        price_type, finish = SERIES[key]
        explicit = finish == "foil"
        if print_finish != "nonfoil":
            finish = print_finish
        for index, pair in enumerate(series):
            field = f"prices.{key}[{index}]"
            if not isinstance(pair, list) or len(pair) != 2:
                raise MalformedResponse(f"{field}: expected [timestamp_ms, price]")
            millis, day = _day(pair[0], field)
            cents = _cents(pair[1], field, max_cents, skipped)
            if cents is None:
                continue
            slot = (day, price_type, finish)
            rank = (int(explicit), millis, index)
            if slot in best:
                skipped["same_day"] += 1
                if best[slot][0] > rank:
                    continue
            best[slot] = (rank, PricePoint(day, price_type, finish, cents))
    return [point for _, (_, point) in sorted(best.items(), key=lambda item: item[0])]


def _day(value: Any, field: str) -> tuple[int, dt.date]:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value != int(value):
        raise MalformedResponse(f"{field}[0]: timestamp must be whole milliseconds, got {value!r}")
    try:
        return int(value), (_EPOCH + dt.timedelta(milliseconds=int(value))).date()
    except OverflowError:
        raise MalformedResponse(f"{field}[0]: timestamp {value!r} is out of range") from None


def _cents(value: Any, field: str, max_cents: int, skipped: Counter[str]) -> int | None:
    if value is None:
        skipped["null"] += 1
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise MalformedResponse(f"{field}[1]: price must be a number or null, got {type(value).__name__}")
    # repr() is the shortest decimal that reads back as the same float: the number as it was written.
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not amount.is_finite():
        skipped["absurd"] += 1
        return None
    cents = int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    reason = "negative" if cents < 0 else "zero" if cents == 0 else "absurd" if cents > max_cents else None
    if reason:
        skipped[reason] += 1
        return None
    return cents


def _obj(raw: dict, key: str) -> dict:
    value = raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedResponse(f"{key}: expected an object, got {type(value).__name__}")
    return value


def _str(raw: dict, key: str, *, required: bool = False, prefix: str = "") -> str | None:
    value = raw.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise MalformedResponse(f"{prefix}{key}: missing")
        return None
    if not isinstance(value, str):
        raise MalformedResponse(f"{prefix}{key}: expected a string, got {type(value).__name__}")
    return value.strip()


def _int(raw: dict, key: str, *, required: bool = False, prefix: str = "") -> int | None:
    """An id: an integer (or a string of digits); 0 and absent mean none."""
    value = raw.get(key)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if value is None or value == 0:
        if required:
            raise MalformedResponse(f"{prefix}{key}: missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MalformedResponse(f"{prefix}{key}: expected a positive integer, got {value!r}")
    return value


def _collector_number(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    raise MalformedResponse(f"collector_number: expected a number or string, got {type(value).__name__}")


def _uuid(value: Any) -> uuid.UUID | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    raise MalformedResponse(f"scryfallId: expected a UUID, got {value!r}")
