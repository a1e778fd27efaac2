"""The generic task: run any registered service key with JSON keyword arguments."""
from __future__ import annotations

from typing import Any

from celery_app.celery_main_app import celery_app
from celery_app.worker_runtime import get_runtime


def run_service_key(key: str, kwargs: dict[str, Any] | None = None) -> Any:
    """Run a registry key in this worker process (its pools are built once per process)."""
    return get_runtime().run_service(key, kwargs or {})


@celery_app.task(name="automana.registry.run_service", bind=True)
def run_service(self, key: str, kwargs: dict[str, Any] | None = None) -> Any:
    return run_service_key(key, kwargs)
