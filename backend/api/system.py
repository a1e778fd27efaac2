"""Root, liveness and readiness endpoints (outside /api, for load balancers and humans)."""
from __future__ import annotations

from fastapi import APIRouter

from backend.api.errors import ERROR_RESPONSES
from backend.dependancies.service_deps import ServiceManagerDep, SettingsDep
from backend.request_handling.StandardisedQueryResponse import ApiResponse

router = APIRouter(tags=["system"], responses={code: ERROR_RESPONSES[code] for code in (400, 413, 422, 503)})


@router.get("/", response_model=ApiResponse[dict])
async def welcome(settings: SettingsDep):
    return ApiResponse(data={"name": settings.app_name, "docs": "/docs", "openapi": "/openapi.json"},
                       message=f"Welcome to {settings.app_name}")


@router.get("/health", response_model=ApiResponse[dict])
async def liveness():
    """The process is up and serving; says nothing about its dependencies (see /ready)."""
    return ApiResponse(data={"status": "alive"})


@router.get("/ready", response_model=ApiResponse[dict])
async def readiness(service_manager: ServiceManagerDep):
    checks = await service_manager.execute_service("system.health.readiness")
    return ApiResponse(data={"status": "ready", **checks})
