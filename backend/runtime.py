"""The composition root: the one place that builds what the API, the Celery worker and the CLI share.

Start-up order: boot guard -> asyncpg pool -> QueryExecutor -> psycopg2 sync pool (the log writer
is attached to it) -> Redis client -> task queue -> ServiceManager (discovers and validates every
service key). `close()` undoes it in reverse. Every process builds exactly one `Runtime`:
the API in its lifespan (backend/main.py), each Celery worker child once
(celery_app/worker_runtime.py), the CLI per command (`run_service_key`).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from backend.core.boot_guard import run_boot_guard
from backend.core.database import SyncPool, close_async_pool, init_async_pool, init_sync_pool
from backend.core.settings import Settings
from backend.core.task_queue import TaskQueue
from backend.new_services.service_manager import ServiceManager
from backend.repositories.ops.log_writer import attach_database_logging, detach_database_logging
from backend.request_handling.QueryExecutor import QueryExecutor

logger = logging.getLogger("automana.runtime")


def create_redis(settings: Settings) -> aioredis.Redis | None:
    url = settings.redis_url or settings.celery_broker_url
    if not url or not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    return aioredis.from_url(url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30)


def open_sync_pool(settings: Settings) -> SyncPool:
    """The process's psycopg2 pool (one connection kept open, more when needed)."""
    return init_sync_pool(settings)


class Runtime:
    def __init__(self, settings: Settings, *, service_type: str, reference_roots: Iterable[Path] | None = None):
        self.settings = settings
        self.service_type = service_type
        self.reference_roots = reference_roots
        self.executor: QueryExecutor | None = None
        self.sync_pool: SyncPool | None = None
        self.redis: aioredis.Redis | None = None
        self.task_queue: TaskQueue | None = None
        self.service_manager: ServiceManager | None = None

    async def start(self) -> "Runtime":
        settings = self.settings
        run_boot_guard(settings)
        try:
            self.executor = QueryExecutor(await init_async_pool(settings))
            self.sync_pool = open_sync_pool(settings)
            attach_database_logging(settings, self.sync_pool, self.service_type)
            self.redis = create_redis(settings)
            self.task_queue = TaskQueue(settings)
            self.service_manager = ServiceManager.initialize(
                self.executor, {"settings": settings, "redis": self.redis, "task_queue": self.task_queue},
                self.reference_roots)
        except BaseException:
            await self.close()
            raise
        logger.info("AutoMana %s started (env=%s, %d service keys)", self.service_type, settings.env,
                    len(self.service_manager.keys()))
        return self

    async def close(self) -> None:
        if self.service_manager is not None:
            await self.service_manager.close()
            self.service_manager = None
        if self.task_queue is not None:
            self.task_queue.close()
            self.task_queue = None
        if self.redis is not None:
            await self.redis.aclose()
            self.redis = None
        if self.sync_pool is not None:
            detach_database_logging()
            self.sync_pool.close()
            self.sync_pool = None
        if self.executor is not None:
            await close_async_pool(self.executor.pool)
            self.executor = None

    async def __aenter__(self) -> "Runtime":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def execute_service(self, key: str, /, **kwargs: Any) -> Any:
        if self.service_manager is None:
            raise RuntimeError("the runtime is not started")
        return await self.service_manager.execute_service(key, **kwargs)


def run_service_key(key: str, kwargs: dict[str, Any] | None = None, *, settings: Settings,
                    service_type: str = "cli") -> Any:
    """Run one service key in this process on a runtime of its own (the CLI's way to call a key)."""

    async def main() -> Any:
        async with Runtime(settings, service_type=service_type) as runtime:
            return await runtime.execute_service(key, **(kwargs or {}))

    return asyncio.run(main())
