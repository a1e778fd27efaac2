"""The Scryfall ingestion pipeline: start a run, fetch metadata + sets, download the bulk file,
load it; each step recorded in ops and guarded by an advisory lock, plus local-file loads."""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import orjson

from backend.core.logging_config import log_pipeline_event
from backend.integrations.scryfall.client import ScryfallClient, ScryfallError
from backend.integrations.scryfall.config import ScryfallSettings
from backend.new_services.card_catalog.scryfall_loader import BulkFile, LoadCounts, load_cards, load_sets
from backend.new_services.service_manager import service
from backend.repositories.ingestion.ingestion_run_repository import IngestionRunRepository
from backend.request_handling.errors import (BadRequestError, ConflictError, NotFoundError,
                                             ServiceUnavailableError)

logger = logging.getLogger(__name__)

PIPELINE = "scryfall_bulk"          # the scheduled/API pipeline: one active run at a time
FILE_PIPELINE = "scryfall_file"     # loads of a local file (CLI --file, uploads)
SCRYFALL_PIPELINES = [PIPELINE, FILE_PIPELINE]
RUNS_LOCK = "automana:scryfall:runs"          # serialises run creation (xact lock)
CATALOG_LOCK = "automana:scryfall:catalog"    # held (session lock) by whoever is executing a step
BULK_TYPES = ("default_cards", "all_cards", "oracle_cards", "unique_artwork")
FINISHED = ("succeeded", "failed", "skipped")


class RunFinished(Exception):
    """The run, or this step of it, was already finished (a redelivered task): nothing to do."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _config(base_url: str | None = None) -> ScryfallSettings:
    config = ScryfallSettings()
    return config.model_copy(update={"base_url": base_url}) if base_url else config


def _download_dir(settings, config: ScryfallSettings) -> Path:
    return Path(config.download_dir) if config.download_dir else Path(settings.data_dir) / "scryfall"


class StepTracker:
    """What a running step reports: counts (stored when it ends) and progress heartbeats."""

    def __init__(self, repo: IngestionRunRepository, run_id: int, name: str):
        self.repo = repo
        self.run_id = run_id
        self.name = name
        self.counts: dict[str, Any] = {}
        self.status = "succeeded"
        self._last_beat = 0.0

    async def progress(self, counts: dict[str, Any], *, force: bool = False) -> None:
        self.counts = dict(counts)
        now = time.monotonic()
        if force or now - self._last_beat >= 1.0:
            self._last_beat = now
            await self.repo.step_progress(self.run_id, self.name, self.counts)
            await self.repo.heartbeat(self.run_id)


async def _acquire(repo: IngestionRunRepository, name: str, wait_seconds: float) -> bool:
    deadline = time.monotonic() + wait_seconds
    while True:
        if await repo.try_lock(name):
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.2)


@contextlib.asynccontextmanager
async def run_step(executor, run_id: int, name: str, *, lock_wait_seconds: float = 0.0,
                   finish_run_on_error: bool = True) -> AsyncIterator[StepTracker]:
    """Run one step of `run_id` under the catalog lock; record it in ops.ingestion_steps.

    A failure marks the step and the run failed (with the error) and re-raises. A run that is
    already finished raises RunFinished, so a redelivered task does nothing.
    """
    async with executor.connection() as conn:
        repo = IngestionRunRepository(conn)
        run = await repo.get_run(run_id)
        if run is None:
            raise NotFoundError(f"ingestion run {run_id} does not exist", details={"run_id": run_id})
        if run["status"] in FINISHED:
            raise RunFinished(run["status"], f"run {run_id} is already {run['status']}")
        if not await _acquire(repo, CATALOG_LOCK, lock_wait_seconds):
            raise ConflictError("another Scryfall load is in progress", details={"run_id": run_id},
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
                log_pipeline_event_safe("scryfall step failed", run_id=run_id, step=name, error=error,
                                        level=logging.ERROR)
                raise
            tracker.counts["duration_seconds"] = round(time.monotonic() - started, 3)
            await repo.finish_step(run_id, name, status=tracker.status, counts=tracker.counts)
        finally:
            if not conn.is_closed():
                await repo.unlock(CATALOG_LOCK)


def log_pipeline_event_safe(message: str, *, level: int = logging.INFO, **context: Any) -> None:
    """Store a pipeline event (ops.log_records); failures are logged at ERROR as well."""
    status = "failed" if level >= logging.ERROR else "ok"
    if level >= logging.ERROR:
        logger.error("%s %s", message, context)
    log_pipeline_event(logger, message, status=status, pipeline=PIPELINE, **context)


# -- runs ------------------------------------------------------------------------------------------

@service("ingestion.scryfall.start_run", transactional=False)
async def start_run(*, executor, bulk_type: str | None = None, triggered_by: str | None = None,
                    base_url: str | None = None, status: str = "running", force: bool = False,
                    stale_after_seconds: float | None = None) -> dict[str, Any]:
    """Create a run of the Scryfall pipeline, refusing when one is active; abandoned ones are failed."""
    config = _config(base_url)
    bulk_type = bulk_type or config.bulk_type
    if bulk_type not in BULK_TYPES:
        raise BadRequestError(f"unknown bulk type {bulk_type!r}", details={"allowed": list(BULK_TYPES)})
    stale = config.stale_run_seconds if stale_after_seconds is None else stale_after_seconds
    async with executor.transaction() as conn:
        repo = IngestionRunRepository(conn)
        await repo.xact_lock(RUNS_LOCK)
        recovered = await _fail_abandoned_runs(repo, PIPELINE, stale)
        active = await repo.active_runs(PIPELINE, stale)
        if not active:
            today = dt.datetime.now(dt.timezone.utc).date().isoformat()
            params = {"bulk_type": bulk_type, "force": force}
            if base_url:
                params["base_url"] = base_url
            run_id = await repo.create_run(pipeline=PIPELINE, run_key=f"scryfall:{bulk_type}:{today}",
                                           status=status, triggered_by=triggered_by, params=params)
    if active:   # raised after the commit, so abandoned runs found on the way stay failed
        raise ConflictError(f"Scryfall run {active[0]['id']} is already {active[0]['status']}",
                            details={"run_id": active[0]["id"]}, code="run_in_progress")
    for old in recovered:
        logger.warning("scryfall run %s was abandoned; marked failed", old)
    log_pipeline_event_safe("scryfall run created", run_id=run_id, bulk_type=bulk_type, recovered=recovered)
    return {"run_id": run_id, "recovered": recovered}


async def _fail_abandoned_runs(repo: IngestionRunRepository, pipeline: str, stale_after: float) -> list[int]:
    """Runs of `pipeline` left pending/running by a dead worker: no heartbeat for `stale_after`
    seconds and nobody holds the catalog lock. They and their running steps are marked failed."""
    recovered = []
    for active in await repo.active_runs(pipeline, stale_after):
        if active["stale"] and await repo.try_lock(CATALOG_LOCK):
            await repo.unlock(CATALOG_LOCK)
            error = "abandoned: the worker stopped without finishing (recovered by a later run)"
            await repo.fail_abandoned_steps(active["id"], error)
            await repo.finish_run(active["id"], status="failed", error=error)
            recovered.append(active["id"])
    return recovered


async def _run_params(executor, run_id: int) -> dict[str, Any]:
    async with executor.connection() as conn:
        run = await IngestionRunRepository(conn).get_run(run_id)
    if run is None:
        raise NotFoundError(f"ingestion run {run_id} does not exist", details={"run_id": run_id})
    return run


def _finished_result(run_id: int, finished: RunFinished) -> dict[str, Any]:
    return {"run_id": run_id, "status": finished.status, "skipped_step": True, "reason": finished.reason}


@service("ingestion.scryfall.fetch_metadata", transactional=False)
async def fetch_metadata(*, executor, run_id: int) -> dict[str, Any]:
    """Step 1: read /bulk-data and /sets, record both in ops.resources, upsert the sets."""
    run = await _run_params(executor, run_id)
    params = run["params"]
    config = _config(params.get("base_url"))
    try:
        async with run_step(executor, run_id, "fetch_metadata") as step:
            async with ScryfallClient(config) as client:
                bulk = await client.bulk_data()
                sets = await client.sets()
            chosen = next((b for b in bulk if b.get("type") == params["bulk_type"]), None)
            if chosen is None or not chosen.get("download_uri"):
                raise ScryfallError(f"/bulk-data has no {params['bulk_type']!r} file")
            sets_bytes = orjson.dumps(sets, option=orjson.OPT_SORT_KEYS)
            async with executor.transaction() as conn:
                repo = IngestionRunRepository(conn)
                for item in bulk:
                    await repo.record_resource(
                        source="scryfall", resource_type=f"bulk_data:{item.get('type')}",
                        uri=item.get("download_uri") or "", version=item.get("updated_at"),
                        updated_at=_parse_time(item.get("updated_at")), size_bytes=item.get("size"),
                        etag=None, last_modified=None, sha256=None, local_path=None, run_id=run_id)
                await repo.record_resource(
                    source="scryfall", resource_type="sets", uri=f"{config.base_url.rstrip('/')}/sets",
                    version=str(len(sets)), updated_at=None, size_bytes=len(sets_bytes), etag=None,
                    last_modified=None, sha256=hashlib.sha256(sets_bytes).hexdigest(), local_path=None,
                    run_id=run_id)
            set_counts = await load_sets(executor=executor, sets=sets)
            step.counts = {"bulk_types": len(bulk), "sets_seen": set_counts.seen,
                           "sets_inserted": set_counts.inserted, "sets_updated": set_counts.updated,
                           "sets_unchanged": set_counts.unchanged, "sets_rejected": set_counts.rejected,
                           "bulk_updated_at": chosen.get("updated_at"), "bulk_size": chosen.get("size")}
        return {"run_id": run_id, "status": "running", **step.counts}
    except RunFinished as finished:
        return _finished_result(run_id, finished)


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _prune_downloads(folder: Path, bulk_type: str, *, keep: int) -> int:
    """Bulk files are hundreds of MB each: keep only the newest `keep` of this type."""
    files = sorted(folder.glob(f"{bulk_type}-*.json.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[max(keep, 1):]:
        old.unlink(missing_ok=True)
    return max(0, len(files) - max(keep, 1))


async def _chosen_bulk(executor, run_id: int, bulk_type: str) -> dict[str, Any]:
    async with executor.connection() as conn:
        resources = await IngestionRunRepository(conn).run_resources(run_id)
    for res in resources:
        if res["resource_type"] == f"bulk_data:{bulk_type}" and res["sha256"] is None:
            return res
    raise BadRequestError(f"run {run_id} has no /bulk-data metadata for {bulk_type}; run fetch_metadata first")


@service("ingestion.scryfall.download_bulk", transactional=False)
async def download_bulk(*, executor, settings, run_id: int) -> dict[str, Any]:
    """Step 2: download the chosen bulk file (resumable); reuse the local copy when unchanged."""
    run = await _run_params(executor, run_id)
    params = run["params"]
    config = _config(params.get("base_url"))
    bulk_type = params["bulk_type"]
    try:
        async with run_step(executor, run_id, "download") as step:
            meta = await _chosen_bulk(executor, run_id, bulk_type)
            resource_type = f"bulk_file:{bulk_type}"
            async with executor.connection() as conn:
                repo = IngestionRunRepository(conn)
                previous = await repo.latest_resource("scryfall", resource_type, meta["version"])
            reuse = (previous is not None and previous["uri"] == meta["uri"] and previous["local_path"]
                     and Path(previous["local_path"]).is_file()
                     and Path(previous["local_path"]).stat().st_size == previous["size_bytes"])
            if reuse:
                path, size, sha = Path(previous["local_path"]), previous["size_bytes"], previous["sha256"]
                etag, last_modified, resumed = previous["etag"], previous["last_modified"], 0
                step.counts["reused_local_copy"] = True
            else:
                stamp = (meta["version"] or "unknown").replace(":", "").replace("-", "").replace(".", "")
                dest = _download_dir(settings, config) / f"{bulk_type}-{stamp[:15]}.json.gz"
                async with ScryfallClient(config) as client:
                    result = await client.download(meta["uri"], dest)
                path, size, sha = result.path, result.size_bytes, result.sha256
                etag, last_modified, resumed = result.etag, result.last_modified, result.resumed_from
                step.counts["reused_local_copy"] = False
                step.counts["deleted_old_files"] = _prune_downloads(dest.parent, bulk_type, keep=config.keep_downloads)
            async with executor.connection() as conn:
                await IngestionRunRepository(conn).record_resource(
                    source="scryfall", resource_type=resource_type, uri=meta["uri"], version=meta["version"],
                    updated_at=meta["updated_at"], size_bytes=size, etag=etag, last_modified=last_modified,
                    sha256=sha, local_path=str(path), run_id=run_id)
            step.counts.update({"bytes": size, "sha256": sha, "resumed_from_bytes": resumed, "path": str(path)})
        return {"run_id": run_id, "status": "running", **step.counts}
    except RunFinished as finished:
        return _finished_result(run_id, finished)


@service("ingestion.scryfall.load_bulk", transactional=False)
async def load_bulk(*, executor, run_id: int, progress: Callable | None = None) -> dict[str, Any]:
    """Step 3: load the downloaded file into the catalog and finish the run (skipped if unchanged)."""
    run = await _run_params(executor, run_id)
    params = run["params"]
    bulk_type = params["bulk_type"]
    try:
        async with executor.connection() as conn:
            repo = IngestionRunRepository(conn)
            files = [r for r in await repo.run_resources(run_id) if r["resource_type"] == f"bulk_file:{bulk_type}"]
            if not files:
                raise BadRequestError(f"run {run_id} has no downloaded bulk file; run download_bulk first")
            resource = files[-1]
            earlier = await repo.succeeded_run_with_sha(PIPELINE, resource["sha256"])
        if earlier is not None and not params.get("force"):
            async with run_step(executor, run_id, "load_cards") as step:
                step.status = "skipped"
                step.counts = {"reason": f"bulk file unchanged since run {earlier}", "file_sha256": resource["sha256"]}
            async with executor.connection() as conn:
                await IngestionRunRepository(conn).finish_run(run_id, status="skipped", counts=step.counts)
            return {"run_id": run_id, "status": "skipped", **step.counts}
        counts = await _load_into_run(executor, run_id, Path(resource["local_path"]),
                                      observed_on=(resource["updated_at"].date() if resource["updated_at"] else None),
                                      file_sha256=resource["sha256"], progress=progress)
        return {"run_id": run_id, "status": "succeeded", **counts}
    except RunFinished as finished:
        return _finished_result(run_id, finished)


async def _load_into_run(executor, run_id: int, path: Path, *, observed_on: dt.date | None,
                         file_sha256: str | None, progress: Callable | None = None,
                         lock_wait_seconds: float = 0.0, sets_path: Path | None = None) -> dict[str, Any]:
    """Load `path` as the `load_cards` step of `run_id` and mark the run succeeded."""
    bulk = BulkFile(path)
    config = ScryfallSettings()
    started = time.monotonic()
    async with run_step(executor, run_id, "load_cards", lock_wait_seconds=lock_wait_seconds) as step:
        if sets_path is not None:
            set_counts = await load_sets(executor=executor, sets=_read_sets_file(sets_path))
            step.counts.update({"sets_inserted": set_counts.inserted, "sets_updated": set_counts.updated,
                                "sets_rejected": set_counts.rejected})

        async def on_batch(counts: LoadCounts) -> None:
            data = {**counts.as_dict(), "bytes_read": bulk.bytes_read, "bytes_total": bulk.size_bytes}
            await step.progress({**step.counts, **data})
            if progress is not None:
                progress(bulk.bytes_read, bulk.size_bytes, counts)

        counts = await load_cards(executor=executor, cards=bulk.records(), run_id=run_id, observed_on=observed_on,
                                  batch_size=config.batch_size, writers=config.writers, on_batch=on_batch)
        elapsed = time.monotonic() - started
        step.counts.update(counts.as_dict())
        step.counts.update({"bytes": bulk.size_bytes, "file_sha256": file_sha256,
                            "cards_per_second": round(counts.seen / elapsed) if elapsed > 0 else None})
    summary = {k: step.counts.get(k) for k in ("seen", "inserted", "updated", "unchanged", "rejected",
                                              "sets_created", "price_observations", "bytes", "file_sha256",
                                              "cards_per_second")}
    summary["duration_seconds"] = round(time.monotonic() - started, 3)
    async with executor.connection() as conn:
        await IngestionRunRepository(conn).finish_run(run_id, status="succeeded", counts=summary)
    log_pipeline_event_safe("scryfall load finished", run_id=run_id, **{k: v for k, v in summary.items()
                                                                          if k != "file_sha256"})
    return summary


def _read_sets_file(path: Path) -> list[dict]:
    data = orjson.loads(Path(path).read_bytes())
    if isinstance(data, dict):
        data = data.get("data") or []
    if not isinstance(data, list):
        raise BadRequestError(f"{path} is not a list of Scryfall sets")
    return data


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@service("card_catalog.scryfall.load_file", transactional=False)
async def load_file(*, executor, path: str, run_id: int | None = None, sets_path: str | None = None,
                    triggered_by: str | None = None, observed_on: dt.date | str | None = None,
                    lock_wait_seconds: float = 300.0, progress: Callable | None = None) -> dict[str, Any]:
    """Load a local Scryfall bulk file (plain or gzipped); no network.

    With `run_id`, that existing (pending) run is used; otherwise a `scryfall_file` run is created.
    Waits up to `lock_wait_seconds` for another load to finish. Returns the run's summary.
    """
    file_path = Path(path)
    if not file_path.is_file():
        raise BadRequestError(f"bulk file {path} does not exist", details={"path": str(path)})
    if sets_path is not None and not Path(sets_path).is_file():
        raise BadRequestError(f"sets file {sets_path} does not exist", details={"sets_path": str(sets_path)})
    if isinstance(observed_on, str):
        try:
            observed_on = dt.date.fromisoformat(observed_on)
        except ValueError:
            raise BadRequestError(f"observed_on {observed_on!r} is not a date (YYYY-MM-DD)") from None
    sha = await asyncio.to_thread(_file_sha256, file_path)
    if run_id is None:
        async with executor.transaction() as conn:
            repo = IngestionRunRepository(conn)
            await _fail_abandoned_runs(repo, FILE_PIPELINE, ScryfallSettings().stale_run_seconds)
            run_id = await repo.create_run(
                pipeline=FILE_PIPELINE, run_key=f"file:{sha}", status="running", triggered_by=triggered_by,
                params={"path": str(file_path), "sets_path": sets_path})
    async with executor.connection() as conn:
        repo = IngestionRunRepository(conn)
        run = await repo.get_run(run_id)
        if run is None:
            raise NotFoundError(f"ingestion run {run_id} does not exist", details={"run_id": run_id})
        if run["status"] in FINISHED:
            raise ConflictError(f"run {run_id} is already {run['status']}", details={"run_id": run_id})
        await repo.record_resource(source="local", resource_type="bulk_file", uri=file_path.resolve().as_uri(),
                                   version=None, updated_at=None, size_bytes=file_path.stat().st_size, etag=None,
                                   last_modified=None, sha256=sha, local_path=str(file_path), run_id=run_id)
    try:
        summary = await _load_into_run(executor, run_id, file_path, observed_on=observed_on, file_sha256=sha,
                                       progress=progress, lock_wait_seconds=lock_wait_seconds,
                                       sets_path=Path(sets_path) if sets_path else None)
    except RunFinished as finished:
        raise ConflictError(finished.reason, details={"run_id": run_id}) from None
    except ConflictError:
        async with executor.connection() as conn:
            await IngestionRunRepository(conn).finish_run(run_id, status="failed",
                                                          error="another Scryfall load held the lock too long")
        raise
    return {"run_id": run_id, "status": "succeeded", **summary}


@service("ingestion.scryfall.run_pipeline", transactional=False)
async def run_pipeline(*, executor, settings, bulk_type: str | None = None, triggered_by: str | None = None,
                       base_url: str | None = None, force: bool = False,
                       progress: Callable | None = None) -> dict[str, Any]:
    """All steps in this process (CLI without --file): start, metadata, download, load."""
    started = await start_run(executor=executor, bulk_type=bulk_type, triggered_by=triggered_by,
                              base_url=base_url, force=force)
    run_id = started["run_id"]
    await fetch_metadata(executor=executor, run_id=run_id)
    await download_bulk(executor=executor, settings=settings, run_id=run_id)
    return await load_bulk(executor=executor, run_id=run_id, progress=progress)


@service("ingestion.scryfall.trigger_run", transactional=False)
async def trigger_run(*, executor, bulk_type: str | None = None, triggered_by: str | None = None,
                      force: bool = False) -> dict[str, Any]:
    """Create a pending run and hand it to the Celery chain (fetch -> download -> load)."""
    created = await start_run(executor=executor, bulk_type=bulk_type, triggered_by=triggered_by,
                              status="pending", force=force)
    run_id = created["run_id"]
    from celery_app.tasks.scryfall_tasks import enqueue_pipeline

    try:
        task_id = await asyncio.to_thread(enqueue_pipeline, run_id)
    except Exception as exc:  # broker down: the run must not stay pending forever
        async with executor.connection() as conn:
            await IngestionRunRepository(conn).finish_run(run_id, status="failed",
                                                          error=f"could not enqueue: {type(exc).__name__}")
        raise ServiceUnavailableError("the task queue is not reachable; run not started",
                                      details={"run_id": run_id}) from exc
    return {"run_id": run_id, "status": "pending", "task_id": task_id, "recovered": created["recovered"]}


@service("ingestion.scryfall.list_runs", repositories=["ingestion_run"])
async def list_runs(*, ingestion_run_repository: IngestionRunRepository, status: str | None = None,
                    limit: int = 50, offset: int = 0):
    return await ingestion_run_repository.list_runs(pipelines=SCRYFALL_PIPELINES, status=status,
                                                    limit=limit, offset=offset)


@service("ingestion.scryfall.get_run", repositories=["ingestion_run"])
async def get_run(*, ingestion_run_repository: IngestionRunRepository, run_id: int) -> dict[str, Any]:
    run = await ingestion_run_repository.get_run(run_id)
    if run is None or run["pipeline"] not in SCRYFALL_PIPELINES:
        raise NotFoundError(f"Scryfall run {run_id} does not exist", details={"run_id": run_id})
    run["steps"] = await ingestion_run_repository.list_steps(run_id)
    run["resources"] = await ingestion_run_repository.run_resources(run_id)
    return run
