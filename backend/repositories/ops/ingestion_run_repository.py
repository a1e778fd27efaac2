"""ops.ingestion_runs / ingestion_steps / resources, and the advisory locks that guard pipelines."""
from __future__ import annotations

import datetime as dt
from typing import Any

import orjson

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.kit import paginate
from backend.repositories.registry import repository

queries = load_queries(__file__, "ingestion_run_queries.sql")


def _dumps(value: Any) -> str:
    return orjson.dumps(value or {}, default=str).decode()


def _run(row) -> dict[str, Any] | None:
    if row is None:
        return None
    data = dict(row)
    for key in ("params", "counts"):
        if key in data and isinstance(data[key], str):
            data[key] = orjson.loads(data[key])
    return data


@repository("ingestion_run")
class IngestionRunRepository(BaseRepository):
    # -- runs ------------------------------------------------------------------------------------
    async def create_run(self, *, pipeline: str, run_key: str, status: str, triggered_by: str | None,
                         params: dict) -> int:
        return await self.conn.fetchval(queries.create_run, pipeline, run_key, status, triggered_by, _dumps(params))

    async def get_run(self, run_id: int) -> dict | None:
        return _run(await self.conn.fetchrow(queries.get_run, run_id))

    async def get_run_for_update(self, run_id: int) -> dict | None:
        return _run(await self.conn.fetchrow(queries.get_run_for_update, run_id))

    async def list_runs(self, *, pipelines: list[str], status: str | None, limit: int, offset: int):
        rows, total = await paginate(self.conn, queries.list_runs, pipelines, status,
                                     order_by="created_at DESC, id DESC", limit=limit, offset=offset)
        return [_run(r) for r in rows], total

    async def active_runs(self, pipeline: str, stale_after_seconds: float) -> list[dict]:
        return [dict(r) for r in await self.conn.fetch(queries.active_runs, pipeline, float(stale_after_seconds))]

    async def active_runs_of(self, pipelines: list[str]) -> list[dict]:
        return [_run(r) for r in await self.conn.fetch(queries.active_runs_of, pipelines)]

    async def mark_running(self, run_id: int) -> bool:
        return (await self.conn.execute(queries.mark_running, run_id)).endswith(" 1")

    async def heartbeat(self, run_id: int, counts: dict | None = None) -> None:
        await self.conn.execute(queries.heartbeat, run_id, _dumps(counts))

    async def finish_run(self, run_id: int, *, status: str, counts: dict | None = None,
                         error: str | None = None) -> None:
        await self.conn.execute(queries.finish_run, run_id, status, _dumps(counts), error)

    async def fail_if_unfinished(self, run_id: int, error: str) -> None:
        await self.conn.execute(queries.fail_if_unfinished, run_id, error)

    async def fail_abandoned_steps(self, run_id: int, error: str) -> None:
        await self.conn.execute(queries.fail_abandoned_steps, run_id, error)

    # -- steps -----------------------------------------------------------------------------------
    async def start_step(self, run_id: int, name: str) -> int:
        return await self.conn.fetchval(queries.start_step, run_id, name)

    async def step_progress(self, run_id: int, name: str, counts: dict) -> None:
        await self.conn.execute(queries.step_progress, run_id, name, _dumps(counts))

    async def finish_step(self, run_id: int, name: str, *, status: str, counts: dict | None = None,
                          error: str | None = None) -> None:
        await self.conn.execute(queries.finish_step, run_id, name, status, _dumps(counts), error)

    async def list_steps(self, run_id: int) -> list[dict]:
        out = []
        for row in await self.conn.fetch(queries.list_steps, run_id):
            data = dict(row)
            data["counts"] = orjson.loads(data["counts"])
            data["duration_seconds"] = float(data["duration_seconds"]) if data["duration_seconds"] is not None else None
            out.append(data)
        return out

    # -- resources -------------------------------------------------------------------------------
    async def record_resource(self, *, source: str, resource_type: str, uri: str, version: str | None,
                              updated_at: dt.datetime | None, size_bytes: int | None, etag: str | None,
                              last_modified: str | None, sha256: str | None, local_path: str | None,
                              run_id: int | None) -> int:
        return await self.conn.fetchval(queries.record_resource, source, resource_type, uri, version, updated_at,
                                        size_bytes, etag, last_modified, sha256, local_path, run_id)

    async def latest_resource(self, source: str, resource_type: str, version: str | None = None) -> dict | None:
        row = await self.conn.fetchrow(queries.latest_resource, source, resource_type, version)
        return dict(row) if row else None

    async def run_resources(self, run_id: int) -> list[dict]:
        return [dict(r) for r in await self.conn.fetch(queries.run_resources, run_id)]

    async def succeeded_run_with_sha(self, pipeline: str, sha256: str) -> int | None:
        return await self.conn.fetchval(queries.succeeded_run_with_sha, pipeline, sha256)

    # -- advisory locks --------------------------------------------------------------------------
    async def try_lock(self, name: str) -> bool:
        return await self.conn.fetchval(queries.try_lock, name)

    async def lock(self, name: str) -> None:
        await self.conn.fetchval(queries.lock, name)

    async def unlock(self, name: str) -> bool:
        return await self.conn.fetchval(queries.unlock, name)

    async def xact_lock(self, name: str) -> None:
        await self.conn.fetchval(queries.xact_lock, name)
