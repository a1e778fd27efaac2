"""Log record views for /api/logs."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class LogRecordOut(BaseModel):
    id: int
    created_at: datetime
    level: str
    logger: str
    message: str
    service_type: str
    request_id: str | None
    task_id: str | None
    task_name: str | None
    username: str | None
    status: str | None
    context: dict[str, Any]
