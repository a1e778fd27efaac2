"""Per-process runtime for workers: one event loop, one set of pools, built once per child process."""
from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import redis.asyncio as aioredis

from backend.core.database import close_async_pool, init_async_pool, init_sync_pool
from backend.core.settings import Settings, get_settings
from backend.new_services.service_manager import ServiceManager
from backend.request_handling.QueryExecutor import QueryExecutor

logger = logging.getLogger(__name__)


class WorkerRuntime:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self._lock = threading.Lock()
        self.manager: ServiceManager | None = None
        self._pool = None
        self._sync_pool = None
        self._redis = None

    def start(self) -> ServiceManager:
        with self._lock:
            if self.manager is None:
                self.manager = self.loop.run_until_complete(self._build())
        return self.manager

    async def _build(self) -> ServiceManager:
        self._pool = await init_async_pool(self.settings)
        self._sync_pool = init_sync_pool(self.settings)
        url = self.settings.redis_url or self.settings.celery_broker_url
        self._redis = aioredis.from_url(url) if url and url.startswith(("redis://", "rediss://", "unix://")) else None
        executor = QueryExecutor(self._pool, self._sync_pool)
        return ServiceManager.initialize(executor, {"settings": self.settings, "redis": self._redis})

    def run_service(self, key: str, kwargs: dict[str, Any]) -> Any:
        manager = self.start()
        return self.loop.run_until_complete(manager.execute_service(key, **kwargs))

    def close(self) -> None:
        if self.manager is None:
            return

        async def _close() -> None:
            await self.manager.close()
            if self._redis is not None:
                await self._redis.aclose()
            await close_async_pool(self._pool)

        self.loop.run_until_complete(_close())
        if self._sync_pool is not None:
            self._sync_pool.close()
        self.manager = None


_runtime: WorkerRuntime | None = None


def get_runtime() -> WorkerRuntime:
    global _runtime
    if _runtime is None:
        _runtime = WorkerRuntime(get_settings())
    return _runtime


def shutdown_runtime() -> None:
    global _runtime
    if _runtime is not None:
        _runtime.close()
        _runtime = None
