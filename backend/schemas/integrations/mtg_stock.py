"""Request and response models of /api/integrations/mtg_stock (admin)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_PRINT_IDS = 10_000          # per request; more is a range
MAX_PRINT_ID = 2_147_483_647    # the INTEGER column MTGStocks ids are stored in

PrintId = Field(ge=1, le=MAX_PRINT_ID)
RunStatus = Literal["pending", "running", "succeeded", "failed", "skipped"]


class MtgStockLoadRequest(BaseModel):
    """Either `print_ids`, or `range_start` and `range_end` (inclusive)."""
    model_config = ConfigDict(extra="forbid")

    print_ids: list[int] | None = Field(default=None, min_length=1, max_length=MAX_PRINT_IDS)
    range_start: int | None = Field(default=None, ge=1, le=MAX_PRINT_ID)
    range_end: int | None = Field(default=None, ge=1, le=MAX_PRINT_ID)

    @model_validator(mode="after")
    def _one_selection(self) -> "MtgStockLoadRequest":
        if self.print_ids:
            if self.range_start is not None or self.range_end is not None:
                raise ValueError("give print_ids or range_start+range_end, not both")
            if any(i < 1 or i > MAX_PRINT_ID for i in self.print_ids):
                raise ValueError(f"print_ids must be between 1 and {MAX_PRINT_ID}")
        elif self.range_start is None or self.range_end is None:
            raise ValueError("give print_ids, or both range_start and range_end")
        elif self.range_end < self.range_start:
            raise ValueError("range_end must not be below range_start")
        return self


class MtgStockLoadIdsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    print_ids: list[int] = Field(min_length=1, max_length=MAX_PRINT_IDS)

    @model_validator(mode="after")
    def _ids_in_range(self) -> "MtgStockLoadIdsRequest":
        if any(i < 1 or i > MAX_PRINT_ID for i in self.print_ids):
            raise ValueError(f"print_ids must be between 1 and {MAX_PRINT_ID}")
        return self


class MtgStockStageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    folder: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._/-]+$",
                        description="A folder inside <DATA_DIR>/mtg_stock holding saved MTGStocks answers")


class MtgStockLoadStarted(BaseModel):
    run_id: int
    status: RunStatus
    prints: int | None
    chunks: int
    status_url: str


class MtgStockStep(BaseModel):
    name: str
    status: str
    counts: dict[str, Any]
    error: str | None = None


class MtgStockLoadStatus(BaseModel):
    run_id: int
    status: RunStatus
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    print_ids: int | None
    range_start: int | None
    range_end: int | None
    chunks: int | None
    chunks_done: int
    progress: dict[str, int]
    rejects: dict[str, int] = Field(description="Prints kept as rejects, by reason (all runs)")
    steps: list[MtgStockStep]
