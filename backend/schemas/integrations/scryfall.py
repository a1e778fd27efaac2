"""Request and response models of /api/integrations/scryfall/runs."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.integrations.scryfall.config import BulkType

RunStatus = Literal["pending", "running", "succeeded", "failed", "skipped"]


class ScryfallRunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bulk_type: BulkType = Field(default="default_cards", description="Which Scryfall bulk file to load")
    force: bool = Field(default=False, description="Load even if this exact file was loaded before")


class ScryfallRunTriggered(BaseModel):
    run_id: int
    status: RunStatus
    task_id: str | None = None
    recovered: list[int] = Field(default_factory=list, description="Abandoned runs marked failed on the way")


class IngestionStepOut(BaseModel):
    id: int
    name: str
    status: str
    counts: dict[str, Any]
    error: str | None
    started_at: datetime
    finished_at: datetime | None
    duration_seconds: float | None


class IngestionResourceOut(BaseModel):
    id: int
    source: str
    resource_type: str
    uri: str
    version: str | None
    updated_at: datetime | None
    size_bytes: int | None
    etag: str | None
    last_modified: str | None
    sha256: str | None
    fetched_at: datetime


class IngestionRunOut(BaseModel):
    id: int
    pipeline: str
    run_key: str
    status: RunStatus
    triggered_by: str | None
    params: dict[str, Any]
    counts: dict[str, Any]
    error: str | None
    created_at: datetime
    started_at: datetime | None
    heartbeat_at: datetime | None
    finished_at: datetime | None


class IngestionRunDetail(IngestionRunOut):
    steps: list[IngestionStepOut]
    resources: list[IngestionResourceOut]
