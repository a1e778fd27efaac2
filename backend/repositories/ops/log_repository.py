"""Reads ops.log_records for /api/logs (records are written by the log writer, log_writer.py)."""
from __future__ import annotations

from datetime import datetime

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.kit import escape_like, paginate
from backend.repositories.registry import repository

queries = load_queries(__file__, "log_queries.sql")


@repository("log")
class LogRepository(BaseRepository):
    async def search(self, *, start: datetime, end: datetime, levels: list[str] | None,
                     task_name: str | None, service_type: str | None, username: str | None,
                     status: str | None, search: str | None, limit: int, offset: int) -> tuple[list[dict], int]:
        return await paginate(self.conn, queries.search_logs, start, end, levels, task_name, service_type,
                              username, status, escape_like(search) if search else None,
                              order_by="created_at DESC, id DESC", limit=limit, offset=offset)

    async def delete_older_than(self, cutoff: datetime) -> int:
        status = await self.conn.execute(queries.delete_older_than, cutoff)
        return int(status.split()[-1])
