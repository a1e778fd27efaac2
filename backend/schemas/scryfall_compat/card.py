"""Scryfall's objects as OpenAPI documents them here (open models: the card object has many more
fields, all served as the source had them) and the collection request."""
from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_COLLECTION_IDENTIFIERS = 75


class ScryfallError(BaseModel):
    object: Literal["error"] = "error"
    code: str
    status: int
    details: str
    type: str | None = None
    warnings: list[str] | None = None


class ScryfallCard(BaseModel):
    model_config = ConfigDict(extra="allow")
    object: Literal["card"]
    id: uuid.UUID
    name: str
    lang: str
    layout: str
    set: str
    collector_number: str
    uri: str
    prices: dict[str, str | None]
    legalities: dict[str, str]
    finishes: list[str]


class ScryfallCardList(BaseModel):
    model_config = ConfigDict(extra="allow")
    object: Literal["list"]
    has_more: bool
    data: list[ScryfallCard]
    total_cards: int | None = None
    next_page: str | None = None
    not_found: list[dict[str, Any]] | None = None
    warnings: list[str] | None = None


class ScryfallRuling(BaseModel):
    object: Literal["ruling"]
    oracle_id: uuid.UUID
    source: str
    published_at: str
    comment: str


class ScryfallRulingList(BaseModel):
    object: Literal["list"]
    has_more: bool
    data: list[ScryfallRuling]


class ScryfallSet(BaseModel):
    model_config = ConfigDict(extra="allow")
    object: Literal["set"]
    id: uuid.UUID
    code: str
    name: str
    set_type: str
    card_count: int
    uri: str
    search_uri: str


class ScryfallSetList(BaseModel):
    object: Literal["list"]
    has_more: bool
    data: list[ScryfallSet]


class ScryfallCatalog(BaseModel):
    object: Literal["catalog"]
    uri: str
    total_values: int
    data: list[str]


class ScryfallSymbol(BaseModel):
    model_config = ConfigDict(extra="allow")
    object: Literal["card_symbol"]
    symbol: str
    english: str
    represents_mana: bool
    appears_in_mana_costs: bool
    colors: list[str]


class ScryfallSymbolList(BaseModel):
    object: Literal["list"]
    has_more: bool
    data: list[ScryfallSymbol]


class ScryfallManaCost(BaseModel):
    object: Literal["mana_cost"]
    cost: str
    cmc: float
    colors: list[str]
    colorless: bool
    monocolored: bool
    multicolored: bool


class ScryfallBulkData(BaseModel):
    object: Literal["bulk_data"]
    id: uuid.UUID
    type: str
    updated_at: str
    uri: str
    name: str
    description: str
    size: int
    download_uri: str
    content_type: str
    content_encoding: str


class ScryfallBulkDataList(BaseModel):
    object: Literal["list"]
    has_more: bool
    data: list[ScryfallBulkData]


class CardIdentifier(BaseModel):
    """One of Scryfall's identifier forms: id, mtgo_id, multiverse_id, oracle_id, illustration_id,
    name, name + set, or collector_number + set."""

    model_config = ConfigDict(extra="forbid")
    id: uuid.UUID | None = None
    mtgo_id: int | None = Field(default=None, ge=0, le=2**31 - 1)
    multiverse_id: int | None = Field(default=None, ge=0, le=2**31 - 1)
    oracle_id: uuid.UUID | None = None
    illustration_id: uuid.UUID | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    set: str | None = Field(default=None, min_length=1, max_length=10)
    collector_number: str | None = Field(default=None, min_length=1, max_length=20)

    @model_validator(mode="after")
    def _one_form(self) -> "CardIdentifier":
        alone = [k for k in ("id", "mtgo_id", "multiverse_id", "oracle_id", "illustration_id")
                 if getattr(self, k) is not None]
        if alone and len(self.model_fields_set) == 1:
            return self
        if self.name is not None and self.collector_number is None and not alone:
            return self
        if self.collector_number is not None and self.set is not None and self.name is None and not alone:
            return self
        raise ValueError("an identifier is one of: id, mtgo_id, multiverse_id, oracle_id, illustration_id, "
                         "name, name + set, collector_number + set")

    def as_lookup(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class CollectionRequest(BaseModel):
    identifiers: list[CardIdentifier] = Field(min_length=1, max_length=MAX_COLLECTION_IDENTIFIERS)
