"""Collection tasks: thin adapters over registry keys."""
from __future__ import annotations

from celery_app.celery_main_app import celery_app
from celery_app.tasks.registry_tasks import run_service_key


@celery_app.task(name="automana.collection.import_file", acks_late=True)
def import_file(run_id: int) -> dict:
    return run_service_key("user_collection.import.run", {"run_id": run_id})


@celery_app.task(name="automana.collection.refresh_values", acks_late=True)
def refresh_values() -> dict:
    return run_service_key("user_collection.value.refresh")
