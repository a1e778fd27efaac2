"""Request and response models of the card reference endpoints."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Request limits, stated once: the schemas enforce them at the API, the services for other callers.
MAX_BATCH_IDENTIFIERS = 75
MAX_BULK_CARDS = 50


class CardPrices(BaseModel):
    usd: float | None = None
    usd_foil: float | None = None
    usd_etched: float | None = None
    eur: float | None = None
    eur_foil: float | None = None
    tix: float | None = None


class CardSummary(BaseModel):
    """One search result: a printing with what a result list shows."""

    id: uuid.UUID
    oracle_id: uuid.UUID
    name: str
    printed_name: str | None = None
    lang: str
    set: str
    set_name: str | None = None
    collector_number: str
    released_at: date | None = None
    rarity: str
    layout: str
    type_line: str | None = None
    mana_cost: str | None = None
    cmc: float
    colors: list[str]
    image_uris: dict[str, str] | None = None
    finishes: list[str]
    digital: bool
    promo: bool
    prices: CardPrices


class CardDetail(BaseModel):
    """A full card object (printing, oracle card and set), as Scryfall shapes it."""

    model_config = ConfigDict(extra="allow")

    object: str = "card"
    id: uuid.UUID
    oracle_id: uuid.UUID
    name: str
    printed_name: str | None = None
    lang: str
    released_at: date | None = None
    layout: str
    set: str
    set_id: uuid.UUID
    set_name: str
    set_type: str
    collector_number: str
    rarity: str
    mana_cost: str | None = None
    cmc: float
    type_line: str | None = None
    oracle_text: str | None = None
    power: str | None = None
    toughness: str | None = None
    loyalty: str | None = None
    defense: str | None = None
    colors: list[str]
    color_identity: list[str]
    keywords: list[str]
    legalities: dict[str, str]
    finishes: list[str]
    artist: str | None = None
    illustration_id: uuid.UUID | None = None
    image_uris: dict[str, str] | None = None
    card_faces: list[dict[str, Any]] | None = None
    multiverse_ids: list[int]
    mtgo_id: int | None = None
    arena_id: int | None = None
    tcgplayer_id: int | None = None
    tcgplayer_etched_id: int | None = None
    cardmarket_id: int | None = None
    promo: bool
    digital: bool
    prices: CardPrices
    prices_updated_at: datetime | None = None


class CardIdentifier(BaseModel):
    """One identifier of a batch lookup: id, oracle_id, multiverse_id, mtgo_id, name (+set) or set+collector_number."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = None
    oracle_id: uuid.UUID | None = None
    multiverse_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    mtgo_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    set: str | None = Field(default=None, min_length=1, max_length=10)
    collector_number: str | None = Field(default=None, min_length=1, max_length=20)

    @model_validator(mode="after")
    def _one_shape(self) -> "CardIdentifier":
        given = {k for k, v in self.__dict__.items() if v is not None}
        allowed = [{"id"}, {"oracle_id"}, {"multiverse_id"}, {"mtgo_id"}, {"name"}, {"name", "set"},
                   {"set", "collector_number"}]
        if given not in allowed:
            raise ValueError("an identifier is one of: id, oracle_id, multiverse_id, mtgo_id, name, "
                             "name+set, set+collector_number")
        return self


class BatchLookupRequest(BaseModel):
    identifiers: list[CardIdentifier] = Field(min_length=1, max_length=MAX_BATCH_IDENTIFIERS)


class BatchLookupResult(BaseModel):
    cards: list[CardDetail]
    not_found: list[dict[str, Any]]


class BulkCardsRequest(BaseModel):
    cards: list[Any] = Field(min_length=1, max_length=MAX_BULK_CARDS, description="Scryfall card objects")


class Rejection(BaseModel):
    index: int | None = Field(default=None, description="Position in the request (null if it cannot be told)")
    id: str | None = None
    reason: str


class BulkCardsResult(BaseModel):
    inserted: int
    updated: int
    unchanged: int
    accepted_ids: list[str]
    rejected: list[Rejection]


class CardDeleted(BaseModel):
    id: uuid.UUID
    deleted: bool
    oracle_card_deleted: bool


class UploadAccepted(BaseModel):
    run_id: int
    status: str
    size_bytes: int
    status_url: str


class UploadRunStatus(BaseModel):
    run_id: int
    pipeline: str
    status: str
    counts: dict[str, Any]
    error: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    steps: list[dict[str, Any]] = []
