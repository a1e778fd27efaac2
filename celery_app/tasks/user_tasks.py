"""Housekeeping for user_management: delete sessions long past their absolute lifetime."""
from __future__ import annotations

from celery_app.celery_main_app import celery_app
from celery_app.tasks.registry_tasks import run_service_key


@celery_app.task(name="automana.user_management.prune_sessions")
def prune_sessions(keep_days: int = 30) -> int:
    return run_service_key("user_management.session.prune", {"keep_days": keep_days})
