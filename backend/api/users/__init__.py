"""/api/users: routers of this area are included here."""
from __future__ import annotations

from fastapi import APIRouter

from backend.api.users.auth import router as auth_router
from backend.api.users.sessions import router as sessions_router
from backend.api.users.users import router as accounts_router

router = APIRouter(prefix="/users")
router.include_router(accounts_router)
router.include_router(auth_router)
router.include_router(sessions_router)
