"""Price store housekeeping: month partitions created ahead of the loads that need them."""
from __future__ import annotations

from celery_app.celery_main_app import celery_app
from celery_app.tasks.registry_tasks import run_service_key


@celery_app.task(name="automana.pricing.ensure_partitions")
def ensure_partitions(months_ahead: int = 3) -> dict:
    return run_service_key("pricing.price.ensure_partitions", {"months_ahead": months_ahead})
