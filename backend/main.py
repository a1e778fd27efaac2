"""The FastAPI application: create_app() and its lifespan.

The lifespan builds the process's composition root (backend/runtime.py: boot guard, asyncpg pool,
QueryExecutor, psycopg2 pool, Redis, task queue, ServiceManager) and closes it on shutdown.
"""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from backend.api import api_router
from backend.api.docs import mount_docs
from backend.api.scryfall_compat import router as scryfall_router
from backend.api.system import router as system_router
from backend.core.logging_config import configure_logging
from backend.core.settings import Settings, get_settings
from backend.request_handling.exception_handlers import register_exception_handlers
from backend.request_handling.input_boundary import InputBoundaryMiddleware, body_limits_of
from backend.request_handling.middleware import RequestContextMiddleware
from backend.request_handling.search_gate import SearchGate
from backend.runtime import Runtime


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    configure_logging(settings, "api")
    async with Runtime(settings, service_type="api", reference_roots=app.state.reference_roots) as runtime:
        app.state.runtime = runtime
        app.state.service_manager = runtime.service_manager
        # Uploads a killed server left half-written are removed before new ones arrive.
        await runtime.execute_service("card_catalog.upload.clean_orphans")
        await runtime.execute_service("user_collection.import.clean_orphans")
        try:
            yield
        finally:
            await app.state.search_gate.close()


def create_app(settings: Settings | None = None, *, reference_roots=None,
               extra_routers: tuple = ()) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="AutoMana API",
        version="0.1.0",
        description="Magic: The Gathering catalog, collections, prices and marketplace integrations.",
        lifespan=lifespan,
        # Our own /docs (local assets) below; no ReDoc (it would need a CDN).
        docs_url=None, redoc_url=None,
        openapi_url="/openapi.json" if settings.api_docs_enabled else None,
    )
    app.state.settings = settings
    app.state.reference_roots = reference_roots
    # One per process: its slots bound the searches this process runs at once.
    app.state.search_gate = SearchGate(settings)
    register_exception_handlers(app)
    # First: it declines every other path with one prefix check (see PrefixRouter).
    app.include_router(scryfall_router)
    app.include_router(system_router)
    app.include_router(api_router)
    for router in extra_routers:
        app.include_router(router)
    if settings.api_docs_enabled:
        mount_docs(app)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=True,
                           allow_methods=["*"], allow_headers=["*"])
    app.add_middleware(InputBoundaryMiddleware, default_max_bytes=settings.max_request_body_bytes,
                       body_limits=body_limits_of(app.routes))
    # Added last = outermost: the request id exists before any error handling runs.
    app.add_middleware(RequestContextMiddleware)
    return app


def __getattr__(name: str):
    # `uvicorn backend.main:app` builds the app lazily, so importing this module reads no settings.
    if name == "app":
        return create_app()
    raise AttributeError(name)
