"""Card file uploads: register a run, queue it, load it in a worker through the ingestion file loader."""
from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from backend.core.settings import Settings
from backend.new_services.card_catalog.task_queue import send_task
from backend.new_services.service_manager import service
from backend.repositories.card_catalog.upload_run_repository import UploadRunRepository
from backend.request_handling.errors import NotFoundError

logger = logging.getLogger(__name__)
LOAD_TASK = "automana.catalog.load_card_upload"
FINISHED = frozenset({"succeeded", "failed", "skipped"})


@service("card_catalog.card.upload_file", transactional=False)
async def register_upload(*, executor, settings: Settings, path: str, size_bytes: int,
                          triggered_by: str) -> dict[str, Any]:
    async with executor.transaction() as conn:
        run_id = await UploadRunRepository(conn).create(
            run_key=f"upload:{uuid.uuid4().hex}", triggered_by=triggered_by,
            params={"path": path, "size_bytes": size_bytes})
    # Queued only after the run row is committed, so the worker always finds it.
    try:
        await send_task(settings, LOAD_TASK, args=[run_id])
    except Exception:
        async with executor.transaction() as conn:
            await UploadRunRepository(conn).fail_if_unfinished(run_id, "could not queue the load")
        Path(path).unlink(missing_ok=True)
        raise
    return {"run_id": run_id, "status": "pending", "size_bytes": size_bytes}


@service("card_catalog.card.load_upload", transactional=False)
async def load_upload(*, executor, service_manager, run_id: int) -> dict[str, Any]:
    """Worker side: load the uploaded file into its run with the ingestion pipeline's file loader
    (`card_catalog.scryfall.load_file`: the same loader, locks and run/step tracking), then remove it."""
    async with executor.connection() as conn:
        run = await UploadRunRepository(conn).get(run_id)
    if run is None:
        raise NotFoundError(f"no upload run {run_id}", details={"run_id": run_id})
    if run["status"] in FINISHED:
        return {"run_id": run_id, "status": run["status"]}
    path = Path(run["params"]["path"])
    try:
        return await service_manager.execute_service(
            "card_catalog.scryfall.load_file", path=str(path), run_id=run_id, triggered_by="upload")
    except Exception as exc:
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        logger.warning("card upload run %s failed: %s", run_id, message)
        async with executor.transaction() as conn:
            # The loader marks the runs it started as failed; this covers failures before that.
            await UploadRunRepository(conn).fail_if_unfinished(run_id, message[:2000])
        return {"run_id": run_id, "status": "failed", "error": message}
    finally:
        path.unlink(missing_ok=True)


@service("card_catalog.card.upload_status", repositories=["catalog_upload_run"])
async def upload_status(*, catalog_upload_run_repository: UploadRunRepository, run_id: int) -> dict[str, Any]:
    run = await catalog_upload_run_repository.get(run_id)
    if run is None:
        raise NotFoundError(f"no upload run {run_id}", details={"run_id": run_id})
    run.pop("params", None)
    return run
