"""Scryfall settings (SCRYFALL_* environment variables), read when a client or pipeline is built."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

BulkType = Literal["default_cards", "all_cards", "oracle_cards", "unique_artwork"]


class ScryfallSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCRYFALL_", extra="ignore", case_sensitive=False)

    base_url: str = "https://api.scryfall.com"
    # Scryfall asks every client to identify itself and to send an Accept header.
    user_agent: str = "AutoMana/0.1 (self-hosted MTG catalog; +https://github.com/automana)"
    timeout_seconds: float = 30.0
    download_read_timeout_seconds: float = 120.0
    max_retries: int = 5
    backoff_base_seconds: float = 0.5
    backoff_max_seconds: float = 60.0
    requests_per_second: float = 10.0
    bulk_type: BulkType = "default_cards"
    # Where bulk files are downloaded; default: <DATA_DIR>/scryfall.
    download_dir: Path | None = None
    # Daily beat entry (UTC). Scryfall refreshes bulk files about every 12 hours.
    schedule_enabled: bool = True
    schedule_hour: int = 10
    schedule_minute: int = 15
    schedule_expires_seconds: int = 6 * 3600
    # A 'running' run whose heartbeat is older than this and whose lock is free was abandoned.
    stale_run_seconds: float = 900.0
    batch_size: int = 2500
    # Downloaded bulk files kept per type (older ones are deleted after a new download).
    keep_downloads: int = 2
    # Connections writing batches concurrently (parsing overlaps with the database either way).
    # Two keep a 2-core machine busy; more add lock contention and memory, not speed.
    writers: int = 2


def scryfall_settings(**overrides) -> ScryfallSettings:
    return ScryfallSettings(**overrides)


def beat_entries() -> dict:
    """The daily Scryfall run for celery beat; it expires so a backlog from an outage is dropped."""
    from celery.schedules import crontab

    config = ScryfallSettings()
    if not config.schedule_enabled:
        return {}
    return {
        "scryfall-daily-ingest": {
            "task": "automana.scryfall.scheduled_run",
            "schedule": crontab(minute=config.schedule_minute, hour=config.schedule_hour),
            "kwargs": {"bulk_type": config.bulk_type},
            "options": {"expires": config.schedule_expires_seconds},
        },
    }
