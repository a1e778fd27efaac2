"""Run and step tracking for pipelines (ops.ingestion_runs / ingestion_steps), shared by every pipeline.

A step runs under a named advisory lock held by one session of the caller's unit of work; it is
recorded (started, progress heartbeats, counts, finished or failed) on that same session in
autocommit, so its progress is visible while it runs. A redelivered task finds its run or step
already finished and does nothing (RunFinished).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from backend.core.logging_config import log_pipeline_event
from backend.request_handling.errors import ConflictError, NotFoundError

logger = logging.getLogger(__name__)

FINISHED = ("succeeded", "failed", "skipped")
PROGRESS_INTERVAL_SECONDS = 1.0


class RunFinished(Exception):
    """The run, or this step of it, was already finished (a redelivered task): nothing to do."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def as_result(self, run_id: int) -> dict[str, Any]:
        return {"run_id": run_id, "status": self.status, "skipped_step": True, "reason": self.reason}


class StepTracker:
    """What a running step reports: counts (stored when it ends) and progress heartbeats."""

    def __init__(self, repo, run_id: int, name: str):
        self.repo = repo
        self.run_id = run_id
        self.name = name
        self.counts: dict[str, Any] = {}
        self.status = "succeeded"
        self._last_beat = 0.0

    async def progress(self, counts: dict[str, Any], *, force: bool = False) -> None:
        self.counts = dict(counts)
        now = time.monotonic()
        if force or now - self._last_beat >= PROGRESS_INTERVAL_SECONDS:
            self._last_beat = now
            await self.repo.step_progress(self.run_id, self.name, self.counts)
            await self.repo.heartbeat(self.run_id)


async def _acquire(repo, lock_name: str, wait_seconds: float) -> bool:
    deadline = time.monotonic() + wait_seconds
    while True:
        if await repo.try_lock(lock_name):
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.2)


@contextlib.asynccontextmanager
async def run_step(uow, run_id: int, name: str, *, lock_name: str, pipeline: str, label: str,
                   lock_wait_seconds: float = 0.0, finish_run_on_error: bool = True) -> AsyncIterator[StepTracker]:
    """Run step `name` of `run_id` under the advisory lock `lock_name`; record it in ops.ingestion_steps.
    `pipeline` names the events logged, `label` (e.g. "Scryfall load") the conflict message.

    A failure marks the step (and, unless told otherwise, the run) failed with the error and
    re-raises. A run or step already finished raises RunFinished.
    """
    async with uow.session() as repos:
        repo = repos.ingestion_run
        run = await repo.get_run(run_id)
        if run is None:
            raise NotFoundError(f"ingestion run {run_id} does not exist", details={"run_id": run_id})
        if run["status"] in FINISHED:
            raise RunFinished(run["status"], f"run {run_id} is already {run['status']}")
        if not await _acquire(repo, lock_name, lock_wait_seconds):
            raise ConflictError(f"another {label} is in progress", details={"run_id": run_id},
                                code="run_in_progress")
        try:
            run = await repo.get_run(run_id)   # re-read under the lock
            if run["status"] in FINISHED:
                raise RunFinished(run["status"], f"run {run_id} is already {run['status']}")
            done = next((s for s in await repo.list_steps(run_id) if s["name"] == name), None)
            if done is not None and done["status"] in ("succeeded", "skipped"):
                raise RunFinished(run["status"], f"step {name} of run {run_id} already {done['status']}")
            await repo.mark_running(run_id)
            await repo.start_step(run_id, name)
            tracker = StepTracker(repo, run_id, name)
            started = time.monotonic()
            try:
                yield tracker
            except RunFinished:
                raise
            except BaseException as exc:
                error = f"{type(exc).__name__}: {exc}"[:2000]
                tracker.counts["duration_seconds"] = round(time.monotonic() - started, 3)
                with contextlib.suppress(Exception):
                    await repo.finish_step(run_id, name, status="failed", counts=tracker.counts, error=error)
                    if finish_run_on_error:
                        await repo.finish_run(run_id, status="failed", error=f"step {name}: {error}")
                record_pipeline_event(pipeline, f"{label} step failed", run_id=run_id, step=name, error=error,
                                      level=logging.ERROR)
                raise
            tracker.counts["duration_seconds"] = round(time.monotonic() - started, 3)
            await repo.finish_step(run_id, name, status=tracker.status, counts=tracker.counts)
        finally:
            if not repos.connection_closed():
                await repo.unlock(lock_name)


async def fail_abandoned_runs(repo, pipeline: str, *, lock_name: str, stale_after: float) -> list[int]:
    """Runs of `pipeline` left pending/running by a dead worker: no heartbeat for `stale_after`
    seconds and nobody holds the pipeline's lock. They and their running steps are marked failed."""
    recovered = []
    for active in await repo.active_runs(pipeline, stale_after):
        if active["stale"] and await repo.try_lock(lock_name):
            await repo.unlock(lock_name)
            error = "abandoned: the worker stopped without finishing (recovered by a later run)"
            await repo.fail_abandoned_steps(active["id"], error)
            await repo.finish_run(active["id"], status="failed", error=error)
            recovered.append(active["id"])
    return recovered


def record_pipeline_event(pipeline: str, message: str, *, level: int = logging.INFO, **context: Any) -> None:
    """Store a pipeline event (ops.log_records); failures are logged at ERROR as well."""
    status = "failed" if level >= logging.ERROR else "ok"
    if level >= logging.ERROR:
        logger.error("%s %s", message, context)
    log_pipeline_event(logger, message, status=status, pipeline=pipeline, **context)
