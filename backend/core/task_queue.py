"""The one port services use to queue background jobs, without importing Celery's app or tasks.

Tasks are sent by name (the `automana.*` names in celery_app/tasks/), so the API process and
the CLI need no worker code; the broker comes from the settings.
"""
from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from celery import Celery, chain, signature

from backend.core.settings import Settings
from backend.request_handling.errors import ServiceUnavailableError

# Wait at most this long for the broker: a request must not hang on a broker that is down.
_SEND_RETRY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5}


class TaskQueue:
    def __init__(self, settings: Settings):
        self._broker_url = settings.celery_broker_url
        self._producer: Celery | None = None

    def _app(self) -> Celery:
        if not self._broker_url:
            raise ServiceUnavailableError("no task broker is configured (set REDIS_URL or CELERY_BROKER_URL)")
        if self._producer is None:
            self._producer = Celery("automana-producer", broker=self._broker_url)
            self._producer.conf.update(task_serializer="json", accept_content=["json"],
                                       broker_connection_timeout=5, broker_connection_retry_on_startup=False)
        return self._producer

    async def enqueue(self, task_name: str, *, args: Sequence[Any] = (), kwargs: dict[str, Any] | None = None) -> str:
        """Queue one task; returns its id. 503 when the broker cannot be reached."""
        return await self.enqueue_chain([(task_name, tuple(args), kwargs or {})])

    async def enqueue_chain(self, steps: Sequence[tuple[str, tuple, dict[str, Any]]]) -> str:
        """Queue tasks that run one after another (each with its own arguments, not the previous
        result); returns the id of the last. 503 when the broker cannot be reached."""
        app = self._app()
        signatures = [signature(name, args=args, kwargs=kwargs, app=app, immutable=True)
                      for name, args, kwargs in steps]
        work = signatures[0] if len(signatures) == 1 else chain(*signatures, app=app)
        try:
            result = await asyncio.to_thread(work.apply_async, retry=True, retry_policy=_SEND_RETRY)
        except Exception as exc:  # kombu raises several connection error types
            raise ServiceUnavailableError(f"could not queue the task: {type(exc).__name__}") from None
        return result.id

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close()
            self._producer = None
