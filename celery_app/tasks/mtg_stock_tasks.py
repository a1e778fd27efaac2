"""MTGStocks tasks: one per chunk of a load's print ids (queued as a chain by
`integrations.mtg_stock.start_load`), the daily beat entry, and the reject retry queued after each
catalog load. Each is idempotent: a redelivered chunk finds its step done or its prints fresh."""
from __future__ import annotations

import logging

from backend.request_handling.errors import ConflictError
from celery_app.celery_main_app import celery_app
from celery_app.tasks.registry_tasks import run_service_key

logger = logging.getLogger(__name__)


@celery_app.task(name="automana.mtg_stock.load_chunk", acks_late=True)
def load_chunk(run_id: int, chunk: int) -> dict:
    return run_service_key("integrations.mtg_stock.load_chunk", {"run_id": run_id, "chunk": chunk})


@celery_app.task(name="automana.mtg_stock.retry_rejects", acks_late=True)
def retry_rejects() -> dict:
    return run_service_key("integrations.mtg_stock.retry_rejects", {})


@celery_app.task(name="automana.mtg_stock.scheduled_load", acks_late=True)
def scheduled_load(range_start: int, range_end: int) -> dict:
    """Beat entry: a load of the configured id range (refused while the same range is loading)."""
    try:
        return run_service_key("integrations.mtg_stock.start_load",
                               {"range_start": range_start, "range_end": range_end, "triggered_by": "beat"})
    except ConflictError as exc:
        logger.info("scheduled MTGStocks load not started: %s", exc.message)
        return {"status": "refused", "reason": exc.message, "details": exc.details}


@celery_app.task(name="automana.mtg_stock.stage_folder", acks_late=True)
def stage_folder(run_id: int) -> dict:
    return run_service_key("integrations.mtg_stock.stage_folder", {"run_id": run_id})
