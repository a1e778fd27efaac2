"""ops.ingestion_runs rows for card file uploads: create, read, fail."""
from __future__ import annotations

from typing import Any

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.registry import repository

queries = load_queries(__file__, "upload_run_queries.sql")


@repository("catalog_upload_run")
class UploadRunRepository(BaseRepository):
    async def create(self, *, run_key: str, triggered_by: str, params: dict[str, Any]) -> int:
        return await self.conn.fetchval(queries.create_run, run_key, triggered_by, params)

    async def get(self, run_id: int) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(queries.get_run, run_id)
        if row is None:
            return None
        run = dict(row)
        run["steps"] = [dict(step) for step in await self.conn.fetch(queries.run_steps, run_id)]
        return run

    async def fail_if_unfinished(self, run_id: int, error: str) -> None:
        await self.conn.execute(queries.fail_if_unfinished, run_id, error)
