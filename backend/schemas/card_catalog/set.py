"""Request and response models of the set reference endpoints."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


MAX_BULK_SETS = 1000   # the whole of Scryfall's /sets is about 1,000 sets
# Public sort names of the set list (the repository maps each to SQL).
SET_SORT_FIELDS = ("released_at", "name", "code", "card_count")


class SetOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    set_type: str
    released_at: date | None = None
    block_code: str | None = None
    block: str | None = None
    parent_set_code: str | None = None
    card_count: int
    printed_size: int | None = None
    digital: bool
    foil_only: bool
    nonfoil_only: bool
    icon_svg_uri: str | None = None
    mtgo_code: str | None = None
    arena_code: str | None = None
    tcgplayer_id: int | None = None
    origin: str
    updated_at: datetime


class SetUpdate(BaseModel):
    """Fields PUT may change; omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    code: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{2,8}$")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    set_type: str | None = Field(default=None, min_length=1, max_length=50)
    released_at: date | None = None
    block_code: str | None = Field(default=None, max_length=20)
    block: str | None = Field(default=None, max_length=200)
    parent_set_code: str | None = Field(default=None, max_length=20)
    card_count: int | None = Field(default=None, ge=0, le=100_000)
    printed_size: int | None = Field(default=None, ge=0, le=100_000)
    digital: bool | None = None
    foil_only: bool | None = None
    nonfoil_only: bool | None = None
    icon_svg_uri: str | None = Field(default=None, max_length=500)
    mtgo_code: str | None = Field(default=None, max_length=20)
    arena_code: str | None = Field(default=None, max_length=20)
    tcgplayer_id: int | None = Field(default=None, ge=1, le=2_147_483_647)


class BulkSetsRequest(BaseModel):
    sets: list[Any] = Field(min_length=1, max_length=MAX_BULK_SETS, description="Scryfall set objects")


class SetRejection(BaseModel):
    index: int
    code: str | None = None
    reason: str


class BulkSetsResult(BaseModel):
    inserted: int
    updated: int
    unchanged: int
    accepted_codes: list[str] = []
    rejected: list[SetRejection]
    seen: int | None = None


class SetDeleted(BaseModel):
    id: uuid.UUID
    code: str
    deleted: bool
