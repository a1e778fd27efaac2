"""Scryfall pipeline tasks: a chain fetch_metadata -> download_bulk -> load_bulk over one run id,
queued by `integrations.scryfall.trigger_run` (the API and the beat entry below). Each step is
idempotent: a redelivered step finds it already done."""
from __future__ import annotations

import logging

from backend.request_handling.errors import ConflictError
from celery_app.celery_main_app import celery_app
from celery_app.tasks.registry_tasks import run_service_key

logger = logging.getLogger(__name__)


@celery_app.task(name="automana.scryfall.fetch_metadata", acks_late=True)
def fetch_metadata(run_id: int) -> dict:
    return run_service_key("integrations.scryfall.fetch_metadata", {"run_id": run_id})


@celery_app.task(name="automana.scryfall.download_bulk", acks_late=True)
def download_bulk(run_id: int) -> dict:
    return run_service_key("integrations.scryfall.download_bulk", {"run_id": run_id})


@celery_app.task(name="automana.scryfall.load_bulk", acks_late=True)
def load_bulk(run_id: int) -> dict:
    return run_service_key("integrations.scryfall.load_bulk", {"run_id": run_id})


@celery_app.task(name="automana.scryfall.scheduled_run", acks_late=True)
def scheduled_run(bulk_type: str | None = None) -> dict:
    """Beat entry: create a run and queue its chain (refused while another run is active)."""
    try:
        return run_service_key("integrations.scryfall.trigger_run", {"bulk_type": bulk_type, "triggered_by": "beat"})
    except ConflictError as exc:
        logger.info("scheduled Scryfall run not started: %s", exc.message)
        return {"status": "refused", "reason": exc.message, "details": exc.details}
