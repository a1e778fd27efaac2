"""Reads ops.log_records for /api/logs (writes come from the logging handler)."""
from __future__ import annotations

from datetime import datetime

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.registry import repository

queries = load_queries(__file__, "log_queries.sql")


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@repository("log")
class LogRepository(BaseRepository):
    async def search(self, *, start: datetime, end: datetime, levels: list[str] | None,
                     task_name: str | None, service_type: str | None, username: str | None,
                     status: str | None, search: str | None, limit: int, offset: int):
        rows = await self.conn.fetch(
            queries.search_logs, start, end, levels, task_name, service_type, username, status,
            escape_like(search) if search else None, limit, offset,
        )
        total = rows[0]["total_count"] if rows else 0
        if not rows and offset:
            total = await self.conn.fetchval(
                "SELECT count(*) FROM ops.log_records WHERE created_at >= $1 AND created_at < $2", start, end
            )
        return [dict(r) for r in rows], total

    async def delete_older_than(self, cutoff: datetime) -> int:
        status = await self.conn.execute(queries.delete_older_than, cutoff)
        return int(status.split()[-1])
