"""Models of collection imports (their report, inline or as a background run) and export formats."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

ImportFormat = Literal["auto", "manabox", "moxfield", "deckbox", "tcgplayer", "archidekt", "dragonshield",
                       "helvault", "mtggoldfish", "text"]
ExportFormat = Literal["manabox", "moxfield", "deckbox", "tcgplayer", "archidekt", "dragonshield", "helvault",
                       "mtggoldfish", "text"]
ImportMode = Literal["add", "sync"]
MAX_REPORTED_ROWS = 5000   # rows listed in a report (problems, guesses, changes); counts are always whole


class ImportProblem(BaseModel):
    line: int
    column: str | None = None
    value: str | None = None
    reason: str
    row: dict[str, str] = Field(default_factory=dict, description="The row's cells as in the file")


class ImportChange(BaseModel):
    action: Literal["add", "change", "remove"]
    card_id: uuid.UUID
    name: str
    set: str
    collector_number: str
    finish: str
    condition: str
    language: str
    quantity_before: int
    quantity_after: int
    lines: list[int] = Field(default_factory=list, description="The file lines this change comes from")


class ImportReport(BaseModel):
    collection_id: uuid.UUID
    format: str
    mode: ImportMode
    dry_run: bool
    applied: bool = Field(description="Whether the collection was changed")
    rows: int = Field(description="Data rows read")
    resolved: int
    unresolved: int
    resolved_by: dict[str, int] = Field(description="How rows were matched: scryfall_id, set_number, tcgplayer_id, "
                                                    "multiverse_id, name_set, name_guess")
    guesses: list[ImportProblem] = Field(description="Rows matched by name alone (newest paper printing)")
    problems: list[ImportProblem] = Field(description="Rows that could not be imported, with line and reason")
    added: int
    changed: int
    removed: int
    unchanged: int
    changes: list[ImportChange]
    truncated: bool = Field(description=f"True when a list was cut at {MAX_REPORTED_ROWS} rows")


class ImportAccepted(BaseModel):
    run_id: int
    status: str
    size_bytes: int
    status_url: str


class ImportRunStatus(BaseModel):
    run_id: int
    collection_id: uuid.UUID
    status: str
    progress: dict[str, Any]
    report: ImportReport | None = None
    error: str | None = None
    error_details: Any | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
