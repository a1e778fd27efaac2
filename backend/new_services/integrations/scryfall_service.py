"""The Scryfall pipeline: start a run, fetch metadata + sets, download the bulk file, load it; each
step recorded in ops and guarded by an advisory lock; plus loads of a local file (CLI, uploads).

The loading itself is the catalog's (`card_catalog.catalog_load.*`, called by key)."""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from backend.core.settings import Settings
from backend.integrations.scryfall.client import ScryfallClient, ScryfallError
from backend.integrations.scryfall.config import BULK_TYPES, ScryfallSettings
from backend.new_services.card_catalog.catalog_load.bulk_file import BulkFile
from backend.new_services.ops.pipeline_runs import (FINISHED, RunFinished, fail_abandoned_runs, record_pipeline_event,
                                                    run_step)
from backend.new_services.service_manager import service
from backend.request_handling.errors import BadRequestError, ConflictError, NotFoundError, ServiceUnavailableError

logger = logging.getLogger(__name__)

PIPELINE = "scryfall_bulk"          # the scheduled/API pipeline: one active run at a time
FILE_PIPELINE = "scryfall_file"     # loads of a local file (CLI --file, uploads)
SCRYFALL_PIPELINES = [PIPELINE, FILE_PIPELINE]
RUNS_LOCK = "automana:scryfall:runs"          # serialises run creation (xact lock)
CATALOG_LOCK = "automana:scryfall:catalog"    # held (session lock) by whoever is executing a step
LABEL = "Scryfall load"
PIPELINE_TASKS = ("automana.scryfall.fetch_metadata", "automana.scryfall.download_bulk", "automana.scryfall.load_bulk")


def _config(settings: Settings, base_url: str | None = None) -> ScryfallSettings:
    return settings.scryfall.model_copy(update={"base_url": base_url}) if base_url else settings.scryfall


def _step(uow, run_id: int, name: str, **options: Any):
    return run_step(uow, run_id, name, lock_name=CATALOG_LOCK, pipeline=PIPELINE, label=LABEL, **options)


def _event(message: str, *, level: int = logging.INFO, **context: Any) -> None:
    record_pipeline_event(PIPELINE, message, level=level, **context)


# -- runs ------------------------------------------------------------------------------------------

@service("integrations.scryfall.start_run", repositories=["ingestion_run"], scope="steps")
async def start_run(*, uow, settings: Settings, bulk_type: str | None = None, triggered_by: str | None = None,
                    base_url: str | None = None, status: str = "running", force: bool = False,
                    stale_after_seconds: float | None = None) -> dict[str, Any]:
    """Create a run of the Scryfall pipeline, refusing when one is active; abandoned ones are failed."""
    config = _config(settings, base_url)
    bulk_type = bulk_type or config.bulk_type
    if bulk_type not in BULK_TYPES:
        raise BadRequestError(f"unknown bulk type {bulk_type!r}", details={"allowed": list(BULK_TYPES)})
    stale = config.stale_run_seconds if stale_after_seconds is None else stale_after_seconds
    async with uow.step() as repos:
        repo = repos.ingestion_run
        await repo.xact_lock(RUNS_LOCK)
        recovered = await fail_abandoned_runs(repo, PIPELINE, lock_name=CATALOG_LOCK, stale_after=stale)
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
    _event("scryfall run created", run_id=run_id, bulk_type=bulk_type, recovered=recovered)
    return {"run_id": run_id, "recovered": recovered}


async def _run(uow, run_id: int) -> dict[str, Any]:
    async with uow.session() as repos:
        run = await repos.ingestion_run.get_run(run_id)
    if run is None:
        raise NotFoundError(f"ingestion run {run_id} does not exist", details={"run_id": run_id})
    return run


@service("integrations.scryfall.fetch_metadata", repositories=["ingestion_run"], scope="steps")
async def fetch_metadata(*, uow, services, settings: Settings, run_id: int) -> dict[str, Any]:
    """Step 1: read /bulk-data and /sets, record both in ops.resources, upsert the sets."""
    params = (await _run(uow, run_id))["params"]
    config = _config(settings, params.get("base_url"))
    try:
        async with _step(uow, run_id, "fetch_metadata") as step:
            async with ScryfallClient(config) as client:
                bulk = await client.bulk_data()
                sets = await client.sets()
            chosen = next((b for b in bulk if b.get("type") == params["bulk_type"]), None)
            if chosen is None or not chosen.get("download_uri"):
                raise ScryfallError(f"/bulk-data has no {params['bulk_type']!r} file")
            sets_bytes = orjson.dumps(sets, option=orjson.OPT_SORT_KEYS)
            async with uow.step() as repos:
                for item in bulk:
                    await repos.ingestion_run.record_resource(
                        source="scryfall", resource_type=f"bulk_data:{item.get('type')}",
                        uri=item.get("download_uri") or "", version=item.get("updated_at"),
                        updated_at=_parse_time(item.get("updated_at")), size_bytes=item.get("size"),
                        etag=None, last_modified=None, sha256=None, local_path=None, run_id=run_id)
                await repos.ingestion_run.record_resource(
                    source="scryfall", resource_type="sets", uri=f"{config.base_url.rstrip('/')}/sets",
                    version=str(len(sets)), updated_at=None, size_bytes=len(sets_bytes), etag=None,
                    last_modified=None, sha256=hashlib.sha256(sets_bytes).hexdigest(), local_path=None,
                    run_id=run_id)
            set_counts = await services.execute_service("card_catalog.catalog_load.load_sets", sets=sets)
            step.counts = {"bulk_types": len(bulk), "sets_seen": set_counts.seen,
                           "sets_inserted": set_counts.inserted, "sets_updated": set_counts.updated,
                           "sets_unchanged": set_counts.unchanged, "sets_rejected": set_counts.rejected,
                           "bulk_updated_at": chosen.get("updated_at"), "bulk_size": chosen.get("size")}
        return {"run_id": run_id, "status": "running", **step.counts}
    except RunFinished as finished:
        return finished.as_result(run_id)


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


@service("integrations.scryfall.download_bulk", repositories=["ingestion_run"], scope="steps")
async def download_bulk(*, uow, settings: Settings, run_id: int) -> dict[str, Any]:
    """Step 2: download the chosen bulk file (resumable); reuse the local copy when unchanged."""
    params = (await _run(uow, run_id))["params"]
    config = _config(settings, params.get("base_url"))
    bulk_type = params["bulk_type"]
    try:
        async with _step(uow, run_id, "download") as step:
            resource_type = f"bulk_file:{bulk_type}"
            async with uow.session() as repos:
                meta = next((r for r in await repos.ingestion_run.run_resources(run_id)
                             if r["resource_type"] == f"bulk_data:{bulk_type}" and r["sha256"] is None), None)
                if meta is None:
                    raise BadRequestError(f"run {run_id} has no /bulk-data metadata for {bulk_type}; "
                                          "run fetch_metadata first")
                previous = await repos.ingestion_run.latest_resource("scryfall", resource_type, meta["version"])
            reuse = (previous is not None and previous["uri"] == meta["uri"] and previous["local_path"]
                     and Path(previous["local_path"]).is_file()
                     and Path(previous["local_path"]).stat().st_size == previous["size_bytes"])
            if reuse:
                path, size, sha = Path(previous["local_path"]), previous["size_bytes"], previous["sha256"]
                etag, last_modified, resumed = previous["etag"], previous["last_modified"], 0
                step.counts["reused_local_copy"] = True
            else:
                stamp = (meta["version"] or "unknown").replace(":", "").replace("-", "").replace(".", "")
                folder = config.download_dir or settings.data_dir / "scryfall"
                dest = folder / f"{bulk_type}-{stamp[:15]}.json.gz"
                async with ScryfallClient(config) as client:
                    result = await client.download(meta["uri"], dest)
                path, size, sha = result.path, result.size_bytes, result.sha256
                etag, last_modified, resumed = result.etag, result.last_modified, result.resumed_from
                step.counts["reused_local_copy"] = False
                step.counts["deleted_old_files"] = _prune_downloads(dest.parent, bulk_type, keep=config.keep_downloads)
            async with uow.step() as repos:
                await repos.ingestion_run.record_resource(
                    source="scryfall", resource_type=resource_type, uri=meta["uri"], version=meta["version"],
                    updated_at=meta["updated_at"], size_bytes=size, etag=etag, last_modified=last_modified,
                    sha256=sha, local_path=str(path), run_id=run_id)
            step.counts.update({"bytes": size, "sha256": sha, "resumed_from_bytes": resumed, "path": str(path)})
        return {"run_id": run_id, "status": "running", **step.counts}
    except RunFinished as finished:
        return finished.as_result(run_id)


@service("integrations.scryfall.load_bulk", repositories=["ingestion_run"], scope="steps")
async def load_bulk(*, uow, services, run_id: int, progress: Callable | None = None) -> dict[str, Any]:
    """Step 3: load the downloaded file into the catalog and finish the run (skipped if unchanged)."""
    run = await _run(uow, run_id)
    params = run["params"]
    bulk_type = params["bulk_type"]
    try:
        async with uow.session() as repos:
            files = [r for r in await repos.ingestion_run.run_resources(run_id)
                     if r["resource_type"] == f"bulk_file:{bulk_type}"]
            if not files:
                raise BadRequestError(f"run {run_id} has no downloaded bulk file; run download_bulk first")
            resource = files[-1]
            earlier = await repos.ingestion_run.succeeded_run_with_sha(PIPELINE, resource["sha256"])
        if earlier is not None and not params.get("force"):
            async with _step(uow, run_id, "load_cards") as step:
                step.status = "skipped"
                step.counts = {"reason": f"bulk file unchanged since run {earlier}", "file_sha256": resource["sha256"]}
            async with uow.step() as repos:
                await repos.ingestion_run.finish_run(run_id, status="skipped", counts=step.counts)
            return {"run_id": run_id, "status": "skipped", **step.counts}
        counts = await _load_into_run(uow, services, run_id, Path(resource["local_path"]),
                                      observed_on=(resource["updated_at"].date() if resource["updated_at"] else None),
                                      file_sha256=resource["sha256"], progress=progress)
        return {"run_id": run_id, "status": "succeeded", **counts}
    except RunFinished as finished:
        return finished.as_result(run_id)


async def _load_into_run(uow, services, run_id: int, path: Path, *, observed_on: dt.date | None,
                         file_sha256: str | None, progress: Callable | None = None,
                         lock_wait_seconds: float = 0.0, sets_path: Path | None = None) -> dict[str, Any]:
    """Load `path` as the `load_cards` step of `run_id` and mark the run succeeded."""
    bulk = BulkFile(path)
    started = time.monotonic()
    async with _step(uow, run_id, "load_cards", lock_wait_seconds=lock_wait_seconds) as step:
        if sets_path is not None:
            set_counts = await services.execute_service("card_catalog.catalog_load.load_sets",
                                                        sets=_read_sets_file(sets_path))
            step.counts.update({"sets_inserted": set_counts.inserted, "sets_updated": set_counts.updated,
                                "sets_rejected": set_counts.rejected})

        async def on_batch(counts) -> None:
            data = {**counts.as_dict(), "bytes_read": bulk.bytes_read, "bytes_total": bulk.size_bytes}
            await step.progress({**step.counts, **data})
            if progress is not None:
                progress(bulk.bytes_read, bulk.size_bytes, counts)

        counts = await services.execute_service("card_catalog.catalog_load.load_cards", cards=bulk.records(),
                                                run_id=run_id, observed_on=observed_on, on_batch=on_batch)
        elapsed = time.monotonic() - started
        step.counts.update(counts.as_dict())
        step.counts.update({"bytes": bulk.size_bytes, "file_sha256": file_sha256,
                            "cards_per_second": round(counts.seen / elapsed) if elapsed > 0 else None})
    summary = {k: step.counts.get(k) for k in ("seen", "inserted", "updated", "unchanged", "rejected",
                                              "sets_created", "price_observations", "bytes", "file_sha256",
                                              "cards_per_second")}
    summary["duration_seconds"] = round(time.monotonic() - started, 3)
    # The catalog may now hold printings that MTGStocks prints were waiting for (queued before the
    # run is marked finished, so whoever waits for the run finds the retry already queued).
    await services.execute_service("integrations.mtg_stock.queue_reject_retry")
    async with uow.step() as repos:
        await repos.ingestion_run.finish_run(run_id, status="succeeded", counts=summary)
    _event("scryfall load finished", run_id=run_id, **{k: v for k, v in summary.items() if k != "file_sha256"})
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


@service("integrations.scryfall.load_file", repositories=["ingestion_run"], scope="steps")
async def load_file(*, uow, services, settings: Settings, path: str, run_id: int | None = None,
                    sets_path: str | None = None, triggered_by: str | None = None,
                    observed_on: dt.date | str | None = None, lock_wait_seconds: float = 300.0,
                    progress: Callable | None = None) -> dict[str, Any]:
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
        async with uow.step() as repos:
            await fail_abandoned_runs(repos.ingestion_run, FILE_PIPELINE, lock_name=CATALOG_LOCK,
                                      stale_after=settings.scryfall.stale_run_seconds)
            run_id = await repos.ingestion_run.create_run(
                pipeline=FILE_PIPELINE, run_key=f"file:{sha}", status="running", triggered_by=triggered_by,
                params={"path": str(file_path), "sets_path": sets_path})
    async with uow.session() as repos:
        run = await repos.ingestion_run.get_run(run_id)
        if run is None:
            raise NotFoundError(f"ingestion run {run_id} does not exist", details={"run_id": run_id})
        if run["status"] in FINISHED:
            raise ConflictError(f"run {run_id} is already {run['status']}", details={"run_id": run_id})
        await repos.ingestion_run.record_resource(
            source="local", resource_type="bulk_file", uri=file_path.resolve().as_uri(), version=None,
            updated_at=None, size_bytes=file_path.stat().st_size, etag=None, last_modified=None, sha256=sha,
            local_path=str(file_path), run_id=run_id)
    try:
        summary = await _load_into_run(uow, services, run_id, file_path, observed_on=observed_on, file_sha256=sha,
                                       progress=progress, lock_wait_seconds=lock_wait_seconds,
                                       sets_path=Path(sets_path) if sets_path else None)
    except RunFinished as finished:
        raise ConflictError(finished.reason, details={"run_id": run_id}) from None
    except ConflictError:
        async with uow.step() as repos:
            await repos.ingestion_run.finish_run(run_id, status="failed",
                                                 error="another Scryfall load held the lock too long")
        raise
    return {"run_id": run_id, "status": "succeeded", **summary}


@service("integrations.scryfall.run_pipeline", repositories=["ingestion_run"], scope="steps")
async def run_pipeline(*, uow, services, bulk_type: str | None = None, triggered_by: str | None = None,
                       base_url: str | None = None, force: bool = False,
                       progress: Callable | None = None) -> dict[str, Any]:
    """All steps in this process (CLI without --file): start, metadata, download, load."""
    started = await services.execute_service("integrations.scryfall.start_run", bulk_type=bulk_type,
                                             triggered_by=triggered_by, base_url=base_url, force=force)
    run_id = started["run_id"]
    await services.execute_service("integrations.scryfall.fetch_metadata", run_id=run_id)
    await services.execute_service("integrations.scryfall.download_bulk", run_id=run_id)
    return await services.execute_service("integrations.scryfall.load_bulk", run_id=run_id, progress=progress)


@service("integrations.scryfall.trigger_run", repositories=["ingestion_run"], scope="steps")
async def trigger_run(*, uow, services, task_queue, bulk_type: str | None = None, triggered_by: str | None = None,
                      force: bool = False) -> dict[str, Any]:
    """Create a pending run and hand it to the worker chain (fetch -> download -> load); the run is
    failed at once when the queue cannot take it, so it never stays pending."""
    created = await services.execute_service("integrations.scryfall.start_run", bulk_type=bulk_type,
                                             triggered_by=triggered_by, status="pending", force=force)
    run_id = created["run_id"]
    try:
        task_id = await task_queue.enqueue_chain([(task, (run_id,), {}) for task in PIPELINE_TASKS])
    except ServiceUnavailableError as exc:
        async with uow.step() as repos:
            await repos.ingestion_run.finish_run(run_id, status="failed", error=f"could not enqueue: {exc.message}")
        raise ServiceUnavailableError("the task queue is not reachable; run not started",
                                      details={"run_id": run_id}) from exc
    return {"run_id": run_id, "status": "pending", "task_id": task_id, "recovered": created["recovered"]}


@service("integrations.scryfall.list_runs", repositories=["ingestion_run"], scope="autocommit")
async def list_runs(*, ingestion_run_repository, status: str | None = None, limit: int = 50, offset: int = 0):
    return await ingestion_run_repository.list_runs(pipelines=SCRYFALL_PIPELINES, status=status,
                                                    limit=limit, offset=offset)


@service("integrations.scryfall.get_run", repositories=["ingestion_run"], scope="autocommit")
async def get_run(*, ingestion_run_repository, run_id: int) -> dict[str, Any]:
    run = await ingestion_run_repository.get_run(run_id)
    if run is None or run["pipeline"] not in SCRYFALL_PIPELINES:
        raise NotFoundError(f"Scryfall run {run_id} does not exist", details={"run_id": run_id})
    run["steps"] = await ingestion_run_repository.list_steps(run_id)
    run["resources"] = await ingestion_run_repository.run_resources(run_id)
    return run
