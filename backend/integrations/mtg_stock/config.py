"""MTGStocks settings: a plain model nested into the one settings class (as `Settings.mtg_stock`)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MtgStockSettings(BaseModel):
    # A misspelt MTG_STOCK_* variable fails at start-up instead of being silently ignored.
    model_config = ConfigDict(extra="forbid")

    # The undocumented JSON API behind www.mtgstocks.com.
    base_url: str = "https://api.mtgstocks.com"
    # Identify ourselves so the operator can tell who is asking (and contact us) instead of blocking blindly.
    user_agent: str = "AutoMana/0.1 (self-hosted MTG collection tracker; +https://github.com/automana)"
    # One print or its price history is a few hundred KB at most; a hung request should not hold a task.
    timeout_seconds: float = Field(default=20.0, gt=0)
    # Retries after the first attempt, for 429/5xx and dropped connections; then the print is left for later.
    max_retries: int = Field(default=4, ge=0)
    # Slower than Scryfall's backoff: an unofficial API that is struggling deserves a real pause.
    backoff_base_seconds: float = Field(default=2.0, ge=0)
    # Caps backoff and Retry-After alike, so one answer cannot stall a task past its time limit.
    backoff_max_seconds: float = Field(default=120.0, ge=0)
    # About one request a second is what a polite scraper of an unofficial API does.
    requests_per_second: float = Field(default=1.0, gt=0)
    # Print ids per task: two requests per id at 1/s is ~7 minutes, far below the broker's visibility
    # timeout, so a task finishes (or fails) before it could be redelivered and run twice.
    ids_per_task: int = Field(default=200, gt=0)
    # A print fetched less than this long ago is not asked for again (a resumed or repeated run
    # continues where the last one stopped); a day is MTGStocks' own update cycle.
    refetch_after_seconds: float = Field(default=20 * 3600, ge=0)
    # Most print ids one load may name (a range of 200k ids is ~4.6 days of polite requests).
    max_ids_per_load: int = Field(default=200_000, gt=0)
    # The ids the daily beat entry walks (MTGStocks print ids are dense from 1 upwards).
    schedule_range_start: int = Field(default=1, gt=0)
    schedule_range_end: int = Field(default=2_000, gt=0)
    # Daily beat entry (UTC). Off by default: scraping an unofficial API is the operator's choice.
    schedule_enabled: bool = False
    # MTGStocks stamps each day's prices at 00:00 UTC; by mid-morning the day is complete.
    schedule_hour: int = Field(default=9, ge=0, le=23)
    schedule_minute: int = Field(default=30, ge=0, le=59)
    # A run not started within this time (workers down) is dropped rather than queued behind the next one.
    schedule_expires_seconds: int = Field(default=6 * 3600, gt=0)
