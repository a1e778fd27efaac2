"""Scryfall-compatible API tasks: thin adapters over registry keys."""
from __future__ import annotations

from celery_app.celery_main_app import celery_app
from celery_app.tasks.registry_tasks import run_service_key


@celery_app.task(name="automana.scryfall_compat.generate_bulk_data", acks_late=True)
def generate_bulk_data(types: list[str] | None = None) -> dict:
    # Safe to run twice: a second run writes fresh files and the advisory lock keeps runs apart.
    return run_service_key("scryfall_compat.bulk_data.generate", {"types": types})
