"""Scryfall settings: the `scryfall` section of the one settings class (SCRYFALL_* variables)."""
from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, Field

BulkType = Literal["default_cards", "all_cards", "oracle_cards", "unique_artwork"]
BULK_TYPES: tuple[str, ...] = get_args(BulkType)


class ScryfallSettings(BaseModel):
    base_url: str = "https://api.scryfall.com"
    # Scryfall asks every client to identify itself and to send an Accept header.
    user_agent: str = "AutoMana/0.1 (self-hosted MTG catalog; +https://github.com/automana)"
    timeout_seconds: float = Field(default=30.0, gt=0)
    download_read_timeout_seconds: float = Field(default=120.0, gt=0)
    max_retries: int = Field(default=5, ge=0)
    backoff_base_seconds: float = Field(default=0.5, ge=0)
    backoff_max_seconds: float = Field(default=60.0, ge=0)
    requests_per_second: float = Field(default=10.0, ge=0)   # Scryfall asks for <= 10/s
    bulk_type: BulkType = "default_cards"
    # Where bulk files are downloaded; default: <DATA_DIR>/scryfall.
    download_dir: Path | None = None
    # Daily beat entry (UTC). Scryfall refreshes bulk files about every 12 hours.
    schedule_enabled: bool = True
    schedule_hour: int = Field(default=10, ge=0, le=23)
    schedule_minute: int = Field(default=15, ge=0, le=59)
    schedule_expires_seconds: int = Field(default=6 * 3600, ge=60)
    # A 'running' run whose heartbeat is older than this and whose lock is free was abandoned.
    stale_run_seconds: float = Field(default=900.0, gt=0)
    # Cards per committed batch of a bulk load (the first batches are smaller, see the loader).
    batch_size: int = Field(default=2500, ge=1, le=100_000)
    # Downloaded bulk files kept per type (older ones are deleted after a new download).
    keep_downloads: int = Field(default=2, ge=1)
    # Connections writing batches concurrently (parsing overlaps with the database either way).
    # Two keep a 2-core machine busy; more add lock contention and memory, not speed.
    writers: int = Field(default=2, ge=1, le=16)
