"""Request vocabulary and response models of the price routes (history, latest, chart, movers)."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel

PriceRange = Literal["1w", "1m", "3m", "1y", "all"]
Finish = Literal["nonfoil", "foil", "etched", "glossy"]
Currency = Literal["USD", "EUR", "TIX"]
PriceType = Literal["market", "low", "avg", "high", "listing", "sold", "buylist"]
Condition = Literal["NM", "LP", "MP", "HP", "DMG"]
MoverRange = Literal["1d", "1w", "1m", "3m", "1y"]

# Days each range covers, counted back from today ("all": no lower bound).
RANGE_DAYS: dict[str, int | None] = {"1d": 1, "1w": 7, "1m": 30, "3m": 91, "1y": 365, "all": None}
# Bounds on what one request may cost.
MAX_HISTORY_POINTS = 50_000        # ~ 10 years x 6 series x 365 days, and then some
MAX_CHART_SERIES = 16
MAX_MOVERS = 100
MAX_SOURCE_LENGTH = 40


class PricePoint(BaseModel):
    date: dt.date
    price_cents: int
    listing_count: int | None = None


class PriceSeries(BaseModel):
    source: str
    finish: str
    condition: str
    currency: str
    price_type: str
    points: list[PricePoint]


class PriceHistory(BaseModel):
    card_id: uuid.UUID
    range: PriceRange
    first_day: dt.date | None
    last_day: dt.date
    series: list[PriceSeries]
    truncated: bool = False     # more points than MAX_HISTORY_POINTS matched


class LatestPrice(BaseModel):
    source: str
    finish: str
    condition: str
    currency: str
    price_type: str
    observed_on: dt.date
    price_cents: int
    listing_count: int | None = None


class Mover(BaseModel):
    card_id: uuid.UUID
    name: str
    set_code: str
    collector_number: str
    finish: str
    condition: str
    then_cents: int
    now_cents: int
    change_cents: int
    change_percent: float


class Movers(BaseModel):
    source: str
    currency: str
    price_type: str
    range: MoverRange
    min_price_cents: int
    now_day: dt.date | None
    then_day: dt.date | None
    risers: list[Mover]
    fallers: list[Mover]
