"""Request and response models of collections and their value."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CollectionKind = Literal["collection", "wishlist", "binder"]
Currency = Literal["USD", "EUR"]
HistoryRange = Literal["1m", "3m", "1y", "all"]
# Public sort names of the collection list (the repository maps each to SQL).
COLLECTION_SORT_FIELDS = ("name", "created", "entries")
MAX_MOVERS = 100


class CollectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=r"\S")
    description: str | None = Field(default=None, max_length=2000)
    kind: CollectionKind = "collection"
    currency: Currency = "USD"


class CollectionUpdate(BaseModel):
    """Fields PUT may change; omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100, pattern=r"\S")
    description: str | None = Field(default=None, max_length=2000)
    kind: CollectionKind | None = None
    currency: Currency | None = None


class CollectionOut(BaseModel):
    collection_id: uuid.UUID
    name: str
    description: str | None = None
    kind: CollectionKind
    currency: Currency
    entry_count: int = Field(description="Entries (distinct printing/finish/condition/language)")
    card_count: int = Field(description="Copies: the sum of the entries' quantities")
    value_cents: int = Field(description="Current value in cents of `currency` (entries without a price count 0)")
    created_at: datetime
    updated_at: datetime


class CollectionDeleted(BaseModel):
    collection_id: uuid.UUID
    deleted: bool
    entries_deleted: int


class UnpricedEntry(BaseModel):
    entry_id: uuid.UUID
    card_id: uuid.UUID
    name: str
    set: str
    collector_number: str
    finish: str
    reason: Literal["no_price", "other_currency_only"]
    other_currencies: list[str] = []


class CollectionValue(BaseModel):
    collection_id: uuid.UUID
    kind: CollectionKind
    currency: Currency
    value_cents: int = Field(description="Current value of the priced entries, in cents of `currency`")
    entry_count: int
    card_count: int
    priced_entries: int
    entries_without_price: int = Field(description="Entries with no price in `currency` (counted as 0)")
    entries_priced_only_in_other_currency: int = Field(
        description="Of those, entries that have a price in another currency (never converted)")
    unpriced: list[UnpricedEntry] = Field(description="The entries without a price (up to 100)")
    prices_as_of: date | None = Field(description="The newest price day used")
    condition_multipliers: dict[str, float]
    price_sources: list[str] = Field(description="Sources in the order they are preferred")
    cost_basis_cents: int = Field(description="What the entries with a purchase price in `currency` cost")
    cost_basis_entries: int
    entries_without_cost_basis: int = Field(
        description="Entries without a purchase price, or with one in another currency (not converted)")
    value_of_cost_basis_entries_cents: int = Field(description="Current value of the entries with a cost basis")
    unrealised_gain_cents: int = Field(description="Value minus cost, over the entries that have both a price "
                                                   "and a cost basis")
    cost_to_complete_cents: int | None = Field(
        default=None, description="Wishlists: what the copies you do not own yet (in your other collections) cost")
    copies_wanted: int | None = None
    copies_owned: int | None = None


class HistoryPoint(BaseModel):
    day: date
    value_cents: int


class ValueHistory(BaseModel):
    collection_id: uuid.UUID
    currency: Currency
    range: HistoryRange
    start: date | None
    end: date | None = Field(description="The newest day with a price observation for these printings")
    points: list[HistoryPoint]
    change_cents: int | None = Field(description="Last point minus first point")


class Mover(BaseModel):
    entry_id: uuid.UUID
    card_id: uuid.UUID
    name: str
    set: str
    collector_number: str
    finish: str
    condition: str
    quantity: int
    start_value_cents: int
    end_value_cents: int
    change_cents: int
    change_percent: float | None


class Movers(BaseModel):
    collection_id: uuid.UUID
    currency: Currency
    range: HistoryRange
    start: date | None
    end: date | None
    gainers: list[Mover]
    losers: list[Mover]
