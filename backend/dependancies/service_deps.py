"""Dependency wiring: routers obtain the ServiceManager (and shared clients) from here."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from backend.core.settings import Settings
from backend.new_services.service_manager import ServiceManager


# async: a plain `def` dependency would run in the thread pool on every request (a thread hop on
# the hot path for a dictionary lookup).
async def get_service_manager(request: Request) -> ServiceManager:
    return request.app.state.service_manager


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


ServiceManagerDep = Annotated[ServiceManager, Depends(get_service_manager)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
