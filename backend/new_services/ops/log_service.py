"""Querying stored log records; time-bounded so the table is never scanned whole."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from backend.new_services.service_manager import service
from backend.request_handling.errors import BadRequestError

DEFAULT_WINDOW = timedelta(days=7)
MAX_WINDOW = timedelta(days=93)
LEVEL_ORDER = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


@service("ops.log.search", repositories=["log"])
async def search_logs(*, log_repository, start_date: datetime | None = None, end_date: datetime | None = None,
                      level: str | None = None, task_name: str | None = None, service_type: str | None = None,
                      user: str | None = None, status: str | None = None, search: str | None = None,
                      limit: int = 50, offset: int = 0):
    end = _utc(end_date, "end_date") if end_date else datetime.now(timezone.utc)
    start = _utc(start_date, "start_date") if start_date else end - DEFAULT_WINDOW
    if start >= end:
        raise BadRequestError("start_date must be before end_date",
                              details={"start_date": start.isoformat(), "end_date": end.isoformat()})
    if end - start > MAX_WINDOW:
        raise BadRequestError(f"the date range may span at most {MAX_WINDOW.days} days")
    # `level` is a minimum: level=WARNING returns WARNING, ERROR and CRITICAL.
    levels = LEVEL_ORDER[LEVEL_ORDER.index(level):] if level else None
    return await log_repository.search(
        start=start, end=end, levels=levels, task_name=task_name, service_type=service_type,
        username=user, status=status, search=search, limit=limit, offset=offset,
    )


# Log records exist between these; the bounds also keep every window computed from them in range.
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(9999, 1, 1, tzinfo=timezone.utc)


def _utc(value: datetime, name: str) -> datetime:
    value = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    try:
        moved = value.astimezone(timezone.utc)
    except OverflowError:
        moved = None
    if moved is None or not EARLIEST <= moved <= LATEST:
        raise BadRequestError(f"{name} must be between {EARLIEST.date()} and {LATEST.date()}",
                              details={name: value.isoformat()})
    return moved


@service("ops.log.prune", repositories=["log"])
async def prune_logs(*, log_repository, keep_days: int = 30) -> int:
    if keep_days < 1:
        raise BadRequestError("keep_days must be at least 1")
    return await log_repository.delete_older_than(datetime.now(timezone.utc) - timedelta(days=keep_days))
