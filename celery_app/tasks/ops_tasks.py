"""Housekeeping tasks for the ops schema."""
from __future__ import annotations

from celery_app.celery_main_app import celery_app
from celery_app.tasks.registry_tasks import run_service_key


@celery_app.task(name="automana.ops.prune_log_records")
def prune_log_records(keep_days: int = 30) -> int:
    return run_service_key("ops.log.prune", {"keep_days": keep_days})
