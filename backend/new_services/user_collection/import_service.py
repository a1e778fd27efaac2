"""Collection imports: small files answer directly, large ones run as a background job (a run in
ops.ingestion_runs, queued to `automana.collection.import_file`) whose progress and report the owner
reads. Either way the collection changes in one transaction, or not at all.
"""
from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

import orjson

from backend.core.settings import Settings
from backend.new_services.ops import upload_spool
from backend.new_services.service_manager import service
from backend.new_services.user_collection.collection_service import owned_collection
from backend.new_services.user_collection.importing import _json_default, import_file
from backend.new_services.user_collection.valuation import Valuation
from backend.new_services.user_collection.value_service import refresh_history, value_summary
from backend.request_handling.errors import DomainError, NotFoundError

logger = logging.getLogger(__name__)
PIPELINE = "collection_import"
IMPORT_TASK = "automana.collection.import_file"
FINISHED = frozenset({"succeeded", "failed", "skipped"})


def _plain(report: dict[str, Any]) -> dict[str, Any]:
    return orjson.loads(orjson.dumps(report, default=_json_default))


@service("user_collection.import.file", repositories=["collection", "collection_import"])
async def import_inline(*, collection_repository, collection_import_repository, owner_id: str,
                        collection_id: uuid.UUID, path: str, format: str = "auto", mode: str = "add",
                        dry_run: bool = False, skip_unresolved: bool = False) -> dict[str, Any]:
    """A small file, in this request's transaction (the uploaded file is removed either way)."""
    try:
        return await import_file(collection_repository, collection_import_repository, owner_id=owner_id,
                                 collection_id=collection_id, path=Path(path), format=format, mode=mode,
                                 dry_run=dry_run, skip_unresolved=skip_unresolved)
    finally:
        Path(path).unlink(missing_ok=True)


@service("user_collection.import.admit", repositories=["collection", "ingestion_run"], scope="autocommit")
async def admit_import(*, collection_repository, ingestion_run_repository, settings: Settings, owner_id: str,
                       collection_id: uuid.UUID, declared_bytes: int | None = None) -> None:
    """Before a file is streamed to disk: the collection is the caller's, and the caller's imports in
    progress and the space waiting imports take stay within their limits (409 `upload_quota`)."""
    await owned_collection(collection_repository, owner_id, collection_id)
    active = [run for run in await ingestion_run_repository.active_runs_of([PIPELINE])
              if run["params"].get("owner_id") == owner_id]
    upload_spool.admit(settings, settings.collection_import_dir, active, declared_bytes=declared_bytes,
                       what="imports")


@service("user_collection.import.register", repositories=["collection", "ingestion_run"], scope="steps")
async def register_import(*, uow, task_queue, owner_id: str, username: str, collection_id: uuid.UUID, path: str,
                          size_bytes: int, format: str = "auto", mode: str = "add", dry_run: bool = False,
                          skip_unresolved: bool = False) -> dict[str, Any]:
    params = {"path": path, "size_bytes": size_bytes, "owner_id": owner_id, "collection_id": str(collection_id),
              "format": format, "mode": mode, "dry_run": dry_run, "skip_unresolved": skip_unresolved}
    try:
        async with uow.step() as repos:
            await owned_collection(repos.collection, owner_id, collection_id)
            run_id = await repos.ingestion_run.create_run(
                pipeline=PIPELINE, run_key=f"collection-import:{uuid.uuid4().hex}", status="pending",
                triggered_by=username, params=params)
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise
    # Queued only after the run row is committed, so the worker always finds it.
    try:
        await task_queue.enqueue(IMPORT_TASK, args=[run_id])
    except Exception:
        async with uow.step() as repos:
            await repos.ingestion_run.fail_if_unfinished(run_id, "could not queue the import")
        Path(path).unlink(missing_ok=True)
        raise
    return {"run_id": run_id, "status": "pending", "size_bytes": size_bytes}


async def _warm_values(uow, settings: Settings, collection_id: uuid.UUID) -> None:
    """After a background import: the collection's value and value series, computed here so that the
    owner's first reads of a large collection find them ready (each its own step; a failure here does not
    undo the import, and the next read computes them instead)."""
    try:
        async with uow.step() as repos:
            collection = await repos.collection.lock_by_id(collection_id)
            if collection is None:
                return
            await value_summary(repos.value, collection, Valuation.of(settings, collection["currency"]))
        async with uow.step() as repos:
            await refresh_history(repos.collection, repos.value, settings, collection)
    except Exception as exc:   # noqa: BLE001 - only a cache
        logger.warning("values of collection %s not warmed after its import: %s", collection_id, exc)


@service("user_collection.import.run", repositories=["collection", "collection_import", "ingestion_run", "value"],
         scope="steps")
async def run_import(*, uow, settings: Settings, run_id: int) -> dict[str, Any]:
    """Worker side. Safe to run twice: the run is marked finished in the import's own transaction, so a
    redelivered task finds it finished and does nothing."""
    async with uow.session() as repos:
        run = await repos.ingestion_run.get_run(run_id)
    if run is None or run["pipeline"] != PIPELINE:
        raise NotFoundError(f"no collection import run {run_id}", details={"run_id": run_id})
    if run["status"] in FINISHED:
        return {"run_id": run_id, "status": run["status"]}
    params = run["params"]
    path = Path(params["path"])
    async with uow.step() as repos:
        await repos.ingestion_run.mark_running(run_id)

    async def progress(counts: dict[str, Any]) -> None:
        async with uow.step() as repos:
            await repos.ingestion_run.heartbeat(run_id, {"progress": counts})

    try:
        async with uow.session() as repos, repos.transaction():
            # Imports into one collection queue up on its lock: a duplicate delivery waits here, then
            # finds the run finished. (The run row itself is not locked: progress is written to it.)
            await owned_collection(repos.collection, params["owner_id"], uuid.UUID(params["collection_id"]),
                                   lock=True)
            current = await repos.ingestion_run.get_run(run_id)
            if current["status"] in FINISHED:
                return {"run_id": run_id, "status": current["status"]}
            report = await import_file(
                repos.collection, repos.collection_import, owner_id=params["owner_id"],
                collection_id=uuid.UUID(params["collection_id"]), path=path, format=params["format"],
                mode=params["mode"], dry_run=params["dry_run"], skip_unresolved=params["skip_unresolved"],
                progress=progress)
            await repos.ingestion_run.finish_run(run_id, status="succeeded",
                                                 counts={"progress": {"stage": "done"}, "report": _plain(report)})
        if not params["dry_run"]:
            await _warm_values(uow, settings, uuid.UUID(params["collection_id"]))
        return {"run_id": run_id, "status": "succeeded"}
    except DomainError as exc:
        async with uow.step() as repos:
            await repos.ingestion_run.finish_run(run_id, status="failed", error=exc.message[:2000],
                                                 counts={"error_code": exc.code, "error_details": exc.details})
        return {"run_id": run_id, "status": "failed", "error": exc.message}
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        logger.warning("collection import run %s failed: %s", run_id, message)
        async with uow.step() as repos:
            await repos.ingestion_run.fail_if_unfinished(run_id, message[:2000])
        raise
    finally:
        path.unlink(missing_ok=True)


@service("user_collection.import.status", repositories=["ingestion_run"], scope="autocommit")
async def import_status(*, ingestion_run_repository, owner_id: str, collection_id: uuid.UUID,
                        run_id: int) -> dict[str, Any]:
    run = await ingestion_run_repository.get_run(run_id)
    params = (run or {}).get("params") or {}
    if (run is None or run["pipeline"] != PIPELINE or params.get("owner_id") != owner_id
            or params.get("collection_id") != str(collection_id)):
        raise NotFoundError(f"no import {run_id} of this collection", details={"run_id": run_id})
    counts = run["counts"] or {}
    return {"run_id": run["id"], "collection_id": collection_id, "status": run["status"],
            "progress": counts.get("progress") or {}, "report": counts.get("report"), "error": run["error"],
            "error_details": counts.get("error_details"), "created_at": run["created_at"],
            "started_at": run["started_at"], "finished_at": run["finished_at"]}


@service("user_collection.import.clean_orphans", repositories=["ingestion_run"], scope="autocommit")
async def clean_orphans(*, ingestion_run_repository, settings: Settings) -> dict[str, Any]:
    """Remove waiting import files no live run refers to (a server killed mid-upload)."""
    active = await ingestion_run_repository.active_runs_of([PIPELINE])
    removed = upload_spool.remove_orphans(settings.collection_import_dir, active)
    return {"removed_files": removed}
