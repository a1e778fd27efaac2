"""Scryfall pipeline tasks: a chain fetch_metadata -> download_bulk -> load_bulk over one run id,
started by beat (scheduled_run) or by the API (enqueue_pipeline). Each step is idempotent."""
from __future__ import annotations

import logging

from celery import chain

from backend.request_handling.errors import ConflictError
from celery_app.celery_main_app import celery_app
from celery_app.tasks.registry_tasks import run_service_key

logger = logging.getLogger(__name__)


@celery_app.task(name="automana.scryfall.fetch_metadata", acks_late=True)
def fetch_metadata(run_id: int) -> dict:
    return run_service_key("ingestion.scryfall.fetch_metadata", {"run_id": run_id})


@celery_app.task(name="automana.scryfall.download_bulk", acks_late=True)
def download_bulk(run_id: int) -> dict:
    return run_service_key("ingestion.scryfall.download_bulk", {"run_id": run_id})


@celery_app.task(name="automana.scryfall.load_bulk", acks_late=True)
def load_bulk(run_id: int) -> dict:
    return run_service_key("ingestion.scryfall.load_bulk", {"run_id": run_id})


def pipeline_chain(run_id: int):
    # Immutable signatures: every step takes the run id, not the previous step's result.
    return chain(fetch_metadata.si(run_id), download_bulk.si(run_id), load_bulk.si(run_id))


def enqueue_pipeline(run_id: int) -> str:
    return pipeline_chain(run_id).apply_async().id


@celery_app.task(name="automana.scryfall.scheduled_run", acks_late=True)
def scheduled_run(bulk_type: str | None = None) -> dict:
    """Beat entry: create a run (refused while another is active) and enqueue its chain."""
    try:
        created = run_service_key("ingestion.scryfall.start_run",
                                  {"bulk_type": bulk_type, "triggered_by": "beat", "status": "pending"})
    except ConflictError as exc:
        logger.info("scheduled Scryfall run not started: %s", exc.message)
        return {"status": "refused", "reason": exc.message, "details": exc.details}
    task_id = enqueue_pipeline(created["run_id"])
    return {"status": "enqueued", "run_id": created["run_id"], "task_id": task_id}
