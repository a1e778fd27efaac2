"""Per-process runtime for workers: one event loop and one composition root per child process."""
from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from backend.core.settings import Settings, get_settings
from backend.request_handling.QueryExecutor import CONNECTION_LOST
from backend.runtime import Runtime

logger = logging.getLogger(__name__)


class WorkerRuntime:
    """The composition root of a worker child, kept across tasks (pools are built once)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.loop = asyncio.new_event_loop()
        self._lock = threading.Lock()
        self.runtime: Runtime | None = None

    def start(self) -> Runtime:
        with self._lock:
            if self.runtime is None:
                self.runtime = self.loop.run_until_complete(Runtime(self.settings, service_type="worker").start())
        return self.runtime

    def run_service(self, key: str, kwargs: dict[str, Any]) -> Any:
        runtime = self.start()
        try:
            return self.loop.run_until_complete(runtime.execute_service(key, **kwargs))
        except CONNECTION_LOST:
            # A child idle while Postgres restarted meets its dead pooled connections on the next
            # task (the manager has just expired them). Tasks are safe to run again (a redelivery
            # finds its run finished), so the task gets one more go on fresh connections.
            logger.warning("database connection lost during %s; running it once more", key)
            return self.loop.run_until_complete(runtime.execute_service(key, **kwargs))

    def close(self) -> None:
        if self.runtime is not None:
            self.loop.run_until_complete(self.runtime.close())
            self.runtime = None
        self.loop.close()


_runtime: WorkerRuntime | None = None


def get_runtime() -> WorkerRuntime:
    global _runtime
    if _runtime is None:
        _runtime = WorkerRuntime()
    return _runtime


def shutdown_runtime() -> None:
    global _runtime
    if _runtime is not None:
        _runtime.close()
        _runtime = None
