"""/api/catalog: routers of this area are included here."""
from __future__ import annotations

from fastapi import APIRouter

from backend.api.catalog.mtg import router as mtg_router

router = APIRouter(prefix="/catalog")
router.include_router(mtg_router)
