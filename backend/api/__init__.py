"""The global /api router: one sub-router per area."""
from __future__ import annotations

from fastapi import APIRouter

from backend.api.catalog import router as catalog_router
from backend.api.errors import ERROR_RESPONSES
from backend.api.integrations import router as integrations_router
from backend.api.logs.log_records import router as logs_router
from backend.api.users import router as users_router

api_router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)
api_router.include_router(catalog_router)
api_router.include_router(users_router)
api_router.include_router(integrations_router)
api_router.include_router(logs_router)
