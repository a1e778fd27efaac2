"""Send Celery tasks from the API process, using the broker named in the app's own settings."""
from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Any

from celery import Celery

from backend.core.settings import Settings
from backend.request_handling.errors import ServiceUnavailableError


@lru_cache(maxsize=4)
def _producer(broker_url: str) -> Celery:
    app = Celery("automana-producer", broker=broker_url)
    app.conf.update(task_serializer="json", accept_content=["json"], broker_connection_timeout=5,
                    broker_connection_retry_on_startup=False)
    return app


async def send_task(settings: Settings, task_name: str, *, args: list[Any]) -> str:
    """Queue `task_name`; returns the task id. 503 when the broker cannot be reached."""
    if not settings.celery_broker_url:
        raise ServiceUnavailableError("no task broker is configured")
    producer = _producer(settings.celery_broker_url)
    try:
        result = await asyncio.to_thread(
            producer.send_task, task_name, args=args,
            retry=True, retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
        )
    except Exception as exc:  # kombu raises several connection error types
        raise ServiceUnavailableError(f"could not queue the task: {type(exc).__name__}") from None
    return result.id
