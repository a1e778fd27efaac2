"""Card file uploads: register a run, queue it, load it in a worker through the Scryfall file loader."""
from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from backend.core.settings import Settings
from backend.new_services.ops import upload_spool
from backend.new_services.service_manager import service
from backend.request_handling.errors import NotFoundError

logger = logging.getLogger(__name__)
PIPELINE = "catalog_upload"
LOAD_TASK = "automana.catalog.load_card_upload"
FINISHED = frozenset({"succeeded", "failed", "skipped"})


@service("card_catalog.upload.admit", repositories=["ingestion_run"], scope="autocommit")
async def admit_upload(*, ingestion_run_repository, settings: Settings, triggered_by: str,
                       declared_bytes: int | None = None) -> None:
    """Before an upload is streamed to disk: the user's loads in progress and the space all
    waiting uploads take stay within their limits (409 `upload_quota` saying which)."""
    active = [run for run in await ingestion_run_repository.active_runs_of([PIPELINE])
              if run["triggered_by"] == triggered_by]
    upload_spool.admit(settings, settings.upload_dir, active, declared_bytes=declared_bytes, what="uploads")


@service("card_catalog.upload.clean_orphans", repositories=["ingestion_run"], scope="steps")
async def clean_orphans(*, uow, settings: Settings) -> dict[str, Any]:
    """Remove uploaded files no live run refers to (left by a server killed mid-upload, or by a run
    that ended without cleaning up), and fail pending upload runs whose file is gone."""
    async with uow.session() as repos:
        active = await repos.ingestion_run.active_runs_of([PIPELINE])
    removed = upload_spool.remove_orphans(settings.upload_dir, active)
    failed = []
    for run in active:
        if run["status"] == "pending" and not Path(run["params"].get("path", "")).is_file():
            async with uow.step() as repos:
                await repos.ingestion_run.fail_if_unfinished(run["id"], "the uploaded file is gone")
            failed.append(run["id"])
    if removed or failed:
        logger.warning("upload clean-up: %d orphan file(s) removed, run(s) %s failed", removed, failed)
    return {"removed_files": removed, "failed_runs": failed}


@service("card_catalog.upload.register", repositories=["ingestion_run"], scope="steps")
async def register_upload(*, uow, task_queue, path: str, size_bytes: int, triggered_by: str) -> dict[str, Any]:
    async with uow.step() as repos:
        run_id = await repos.ingestion_run.create_run(
            pipeline=PIPELINE, run_key=f"upload:{uuid.uuid4().hex}", status="pending", triggered_by=triggered_by,
            params={"path": path, "size_bytes": size_bytes})
    # Queued only after the run row is committed, so the worker always finds it.
    try:
        await task_queue.enqueue(LOAD_TASK, args=[run_id])
    except Exception:
        async with uow.step() as repos:
            await repos.ingestion_run.fail_if_unfinished(run_id, "could not queue the load")
        Path(path).unlink(missing_ok=True)
        raise
    return {"run_id": run_id, "status": "pending", "size_bytes": size_bytes}


@service("card_catalog.upload.load", repositories=["ingestion_run"], scope="steps")
async def load_upload(*, uow, services, run_id: int) -> dict[str, Any]:
    """Worker side: load the uploaded file into its run with the Scryfall file loader (the same
    loader, locks and run/step tracking as `automana ingest scryfall --file`), then remove it."""
    async with uow.session() as repos:
        run = await repos.ingestion_run.get_run(run_id)
    if run is None or run["pipeline"] != PIPELINE:
        raise NotFoundError(f"no upload run {run_id}", details={"run_id": run_id})
    if run["status"] in FINISHED:
        return {"run_id": run_id, "status": run["status"]}
    path = Path(run["params"]["path"])
    try:
        return await services.execute_service(
            "integrations.scryfall.load_file", path=str(path), run_id=run_id, triggered_by="upload")
    except Exception as exc:
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        logger.warning("card upload run %s failed: %s", run_id, message)
        async with uow.step() as repos:
            # The loader marks the runs it started as failed; this covers failures before that.
            await repos.ingestion_run.fail_if_unfinished(run_id, message[:2000])
        return {"run_id": run_id, "status": "failed", "error": message}
    finally:
        path.unlink(missing_ok=True)


@service("card_catalog.upload.status", repositories=["ingestion_run"], scope="autocommit")
async def upload_status(*, ingestion_run_repository, run_id: int) -> dict[str, Any]:
    run = await ingestion_run_repository.get_run(run_id)
    if run is None or run["pipeline"] != PIPELINE:
        raise NotFoundError(f"no upload run {run_id}", details={"run_id": run_id})
    return {"run_id": run["id"], "pipeline": run["pipeline"], "status": run["status"], "counts": run["counts"],
            "error": run["error"], "created_at": run["created_at"], "started_at": run["started_at"],
            "finished_at": run["finished_at"], "steps": await ingestion_run_repository.list_steps(run_id)}
