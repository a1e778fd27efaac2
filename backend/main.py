"""The FastAPI application: create_app() and its lifespan.

Start-up order: boot guard -> logging -> asyncpg pool -> psycopg2 pool -> QueryExecutor ->
Redis client -> ServiceManager (discovers and validates every service key). Shutdown reverses it.
"""
from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import redis.asyncio as aioredis
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from backend.api import api_router
from backend.api.system import router as system_router
from backend.core.boot_guard import run_boot_guard
from backend.core.database import close_async_pool, init_async_pool, init_sync_pool
from backend.core.logging_config import configure_logging
from backend.core.settings import Settings, get_settings
from backend.new_services.service_manager import ServiceManager
from backend.request_handling.exception_handlers import register_exception_handlers
from backend.request_handling.middleware import RequestContextMiddleware
from backend.request_handling.QueryExecutor import QueryExecutor

logger = logging.getLogger("automana.app")


def create_redis(settings: Settings) -> aioredis.Redis | None:
    url = settings.redis_url or settings.celery_broker_url
    if not url or not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    return aioredis.from_url(url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30)


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    run_boot_guard(settings)
    configure_logging(settings, "api")
    pool = await init_async_pool(settings)
    sync_pool = None
    redis_client = None
    manager = None
    try:
        sync_pool = init_sync_pool(settings)
        executor = QueryExecutor(pool, sync_pool)
        redis_client = create_redis(settings)
        manager = ServiceManager.initialize(
            executor, {"settings": settings, "redis": redis_client}, app.state.reference_roots
        )
        app.state.executor = executor
        app.state.redis = redis_client
        app.state.service_manager = manager
        logger.info("AutoMana API started (env=%s, %d service keys)", settings.env, len(manager.keys()))
        yield
    finally:
        if manager is not None:
            await manager.close()
        if redis_client is not None:
            await redis_client.aclose()
        if sync_pool is not None:
            sync_pool.close()
        await close_async_pool(pool)


def create_app(settings: Settings | None = None, *, reference_roots=None,
               extra_routers: tuple = ()) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="AutoMana API",
        version="0.1.0",
        description="Magic: The Gathering catalog, collections, prices and marketplace integrations.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.reference_roots = reference_roots
    register_exception_handlers(app)
    app.include_router(system_router)
    app.include_router(api_router)
    for router in extra_routers:
        app.include_router(router)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=True,
                           allow_methods=["*"], allow_headers=["*"])
    # Added last = outermost: the request id exists before any error handling runs.
    app.add_middleware(RequestContextMiddleware)
    return app


def __getattr__(name: str):
    # `uvicorn backend.main:app` builds the app lazily, so importing this module reads no settings.
    if name == "app":
        return create_app()
    raise AttributeError(name)
