"""Dependency wiring: routers obtain the ServiceManager (and shared clients) from here."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from backend.core.settings import Settings
from backend.new_services.service_manager import ServiceManager


def get_service_manager(request: Request) -> ServiceManager:
    return request.app.state.service_manager


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


ServiceManagerDep = Annotated[ServiceManager, Depends(get_service_manager)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
