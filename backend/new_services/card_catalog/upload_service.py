"""Card file uploads: register a run, queue it, load it in a worker through the Scryfall loader."""
from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

import ijson

from backend.core.settings import Settings
from backend.new_services.card_catalog.scryfall_loader import load_cards
from backend.new_services.card_catalog.task_queue import send_task
from backend.new_services.service_manager import service
from backend.repositories.card_catalog.upload_run_repository import UploadRunRepository
from backend.request_handling.errors import NotFoundError

logger = logging.getLogger(__name__)
LOAD_TASK = "automana.catalog.load_card_upload"
STEP = "load_cards"


def iter_card_objects(path: Path):
    """Card objects from a Scryfall bulk file (JSON array) or a list object ({"data": [...]}), streamed."""
    with open(path, "rb") as handle:
        first = handle.read(1)
        while first and first.isspace():
            first = handle.read(1)
        if first not in (b"[", b"{"):
            raise ValueError("the file is not a JSON array of cards or a Scryfall list object")
        handle.seek(0)
        yield from ijson.items(handle, "item" if first == b"[" else "data.item", use_float=True)


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
            await UploadRunRepository(conn).finish(run_id, "failed", {}, "could not queue the load")
        Path(path).unlink(missing_ok=True)
        raise
    return {"run_id": run_id, "status": "pending", "size_bytes": size_bytes}


@service("card_catalog.card.load_upload", transactional=False)
async def load_upload(*, executor, run_id: int) -> dict[str, Any]:
    """Worker side: stream the uploaded file into the catalog, recording progress on the run."""
    async with executor.transaction() as conn:
        params = await UploadRunRepository(conn).claim(run_id)
        if params is None:
            raise NotFoundError(f"no pending upload run {run_id}", details={"run_id": run_id})
        await UploadRunRepository(conn).start_step(run_id, STEP)
    path = Path(params["path"])

    async def progress(counts) -> None:
        async with executor.transaction() as conn:
            await UploadRunRepository(conn).record_progress(run_id, counts.as_dict())

    try:
        if not path.is_file():
            raise FileNotFoundError("the uploaded file is gone (already loaded or removed)")
        counts = await load_cards(executor=executor, cards=iter_card_objects(path), run_id=run_id,
                                  on_batch=progress)
    except Exception as exc:
        message = _describe(exc)
        logger.warning("card upload run %s failed: %s", run_id, message)
        async with executor.transaction() as conn:
            repo = UploadRunRepository(conn)
            await repo.finish_step(run_id, STEP, "failed", {}, message)
            await repo.finish(run_id, "failed", {}, message)
        path.unlink(missing_ok=True)
        return {"run_id": run_id, "status": "failed", "error": message}
    result = counts.as_dict()
    async with executor.transaction() as conn:
        repo = UploadRunRepository(conn)
        await repo.finish_step(run_id, STEP, "succeeded", result, None)
        await repo.finish(run_id, "succeeded", result, None)
    path.unlink(missing_ok=True)
    return {"run_id": run_id, "status": "succeeded", "counts": result}


def _describe(exc: Exception) -> str:
    if isinstance(exc, ijson.JSONError):
        return f"the file is not valid JSON: {exc}"
    if isinstance(exc, (ValueError, FileNotFoundError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


@service("card_catalog.card.upload_status", repositories=["catalog_upload_run"])
async def upload_status(*, catalog_upload_run_repository: UploadRunRepository, run_id: int) -> dict[str, Any]:
    run = await catalog_upload_run_repository.get(run_id)
    if run is None:
        raise NotFoundError(f"no upload run {run_id}", details={"run_id": run_id})
    run.pop("params", None)
    return run
