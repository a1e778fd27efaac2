"""ops.ingestion_runs rows for card file uploads: create, claim, progress, finish, read."""
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

    async def claim(self, run_id: int) -> dict[str, Any] | None:
        return await self.conn.fetchval(queries.claim_run, run_id)

    async def start_step(self, run_id: int, name: str) -> None:
        await self.conn.execute(queries.start_step, run_id, name)

    async def record_progress(self, run_id: int, counts: dict[str, Any]) -> None:
        await self.conn.execute(queries.record_progress, run_id, counts)

    async def finish_step(self, run_id: int, name: str, status: str, counts: dict[str, Any],
                          error: str | None) -> None:
        await self.conn.execute(queries.finish_step, run_id, name, status, counts, error)

    async def finish(self, run_id: int, status: str, counts: dict[str, Any], error: str | None) -> None:
        await self.conn.execute(queries.finish_run, run_id, status, counts, error)
