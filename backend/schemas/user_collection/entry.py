"""Request and response models of collection entries (single and bulk)."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Finish = Literal["nonfoil", "foil", "etched"]
Condition = Literal["NM", "LP", "MP", "HP", "DMG"]
MAX_QUANTITY = 100_000
MAX_TAGS = 20
MAX_BULK_ITEMS = 1000   # adds + updates + removals in one bulk request
MAX_PURCHASE_PRICE = Decimal("100000000")
# Public sort names of the entry list (the repository maps each to SQL).
ENTRY_SORT_FIELDS = ("name", "set", "value", "added", "quantity")

Tag = Field(min_length=1, max_length=50)


class _EntryFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purchase_price: Decimal | None = Field(default=None, ge=0, le=MAX_PURCHASE_PRICE, decimal_places=2,
                                           description="What one copy cost (e.g. 1.50)")
    purchase_currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$",
                                          description="ISO 4217 code; defaults to the collection's currency")
    acquired_at: date | None = None
    tags: list[str] | None = Field(default=None, max_length=MAX_TAGS)
    notes: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _clean_tags(self):
        if self.tags is not None:
            tags = [tag.strip() for tag in self.tags]
            if any(not tag or len(tag) > 50 for tag in tags):
                raise ValueError("tags are 1 to 50 characters each")
            self.tags = list(dict.fromkeys(tags))
        return self


class EntryCreate(_EntryFields):
    card_id: uuid.UUID = Field(description="The printing's Scryfall id")
    quantity: int = Field(default=1, ge=1, le=MAX_QUANTITY)
    finish: Finish = "nonfoil"
    condition: Condition = "NM"
    language: str | None = Field(default=None, min_length=2, max_length=20,
                                 description="Language code or name; defaults to the printing's language")


class EntryUpdate(_EntryFields):
    """Fields PUT may change; omitted fields keep their value."""

    quantity: int | None = Field(default=None, ge=1, le=MAX_QUANTITY)
    finish: Finish | None = None
    condition: Condition | None = None
    language: str | None = Field(default=None, min_length=2, max_length=20)


class EntryBulkUpdate(EntryUpdate):
    entry_id: uuid.UUID


class EntryBulkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    add: list[EntryCreate] = Field(default_factory=list, max_length=MAX_BULK_ITEMS)
    update: list[EntryBulkUpdate] = Field(default_factory=list, max_length=MAX_BULK_ITEMS)
    remove: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_BULK_ITEMS)
    merge: bool = Field(default=True, description="Adding an existing printing/finish/condition/language adds "
                                                  "to its quantity; false refuses it (409)")

    @model_validator(mode="after")
    def _bounded(self):
        if len(self.add) + len(self.update) + len(self.remove) > MAX_BULK_ITEMS:
            raise ValueError(f"at most {MAX_BULK_ITEMS} adds, updates and removals in all")
        if not (self.add or self.update or self.remove):
            raise ValueError("nothing to do: give add, update or remove")
        return self


class EntryOut(BaseModel):
    entry_id: uuid.UUID
    collection_id: uuid.UUID
    card_id: uuid.UUID
    name: str
    set: str
    set_name: str
    collector_number: str
    rarity: str
    quantity: int
    finish: Finish
    condition: Condition
    language: str
    purchase_price: Decimal | None = None
    purchase_currency: str | None = None
    acquired_at: date | None = None
    tags: list[str]
    notes: str | None = None
    unit_price_cents: int | None = Field(default=None, description="Current price of one copy (condition applied)")
    value_cents: int | None = Field(default=None, description="unit price x quantity; null without a price")
    created_at: datetime
    updated_at: datetime


class EntryDeleted(BaseModel):
    entry_id: uuid.UUID
    deleted: bool


class EntryBulkResult(BaseModel):
    added: list[EntryOut]
    updated: list[EntryOut]
    removed: list[uuid.UUID]
