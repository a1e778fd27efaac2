"""Card catalog tasks: thin adapters over registry keys."""
from __future__ import annotations

from celery_app.celery_main_app import celery_app
from celery_app.tasks.registry_tasks import run_service_key


@celery_app.task(name="automana.catalog.load_card_upload", acks_late=True)
def load_card_upload(run_id: int) -> dict:
    return run_service_key("card_catalog.upload.load", {"run_id": run_id})
