"""Files that wait on disk for a background run (card uploads, collection imports): the limits a new
one is admitted under, and the sweep of files no live run refers to. Each pipeline keeps its own
folder and its own runs; the rules are the same, so they are written once here."""
from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from backend.core.settings import Settings
from backend.request_handling.errors import ConflictError

# A file younger than this may still be being written by another API process: never an orphan yet.
ORPHAN_GRACE_SECONDS = 3600


def bytes_in(folder: Path) -> int:
    return sum(entry.stat().st_size for entry in folder.iterdir() if entry.is_file()) if folder.is_dir() else 0


def admit(settings: Settings, folder: Path, callers_active_runs: list[Mapping[str, Any]], *,
          declared_bytes: int | None, what: str) -> None:
    """409 `upload_quota` when the caller has as many `what` (e.g. "uploads") in progress as allowed,
    or when the files waiting in `folder` plus this one would pass the upload quota."""
    if len(callers_active_runs) >= settings.uploads_in_progress_per_user:
        raise ConflictError(f"{len(callers_active_runs)} {what} of yours are still running; wait for one to finish",
                            details={"run_ids": [run["id"] for run in callers_active_runs]}, code="upload_quota")
    used = bytes_in(folder)
    if used + (declared_bytes or 0) > settings.upload_quota_bytes:
        raise ConflictError(f"the upload space is full; try again when the waiting {what} have run",
                            details={"used_bytes": used, "quota_bytes": settings.upload_quota_bytes},
                            code="upload_quota")


def remove_orphans(folder: Path, active_runs: Iterable[Mapping[str, Any]]) -> int:
    """Delete the files in `folder` that no active run's `params.path` names (and that are past the
    grace period); return how many."""
    referenced = {Path(run["params"].get("path", "")).name for run in active_runs}
    removed = 0
    if folder.is_dir():
        cutoff = time.time() - ORPHAN_GRACE_SECONDS
        for entry in folder.iterdir():
            if entry.is_file() and entry.name not in referenced and entry.stat().st_mtime < cutoff:
                entry.unlink(missing_ok=True)
                removed += 1
    return removed
