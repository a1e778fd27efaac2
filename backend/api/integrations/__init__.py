"""/api/integrations: routers of this area are included here."""
from __future__ import annotations

from fastapi import APIRouter

from backend.api.integrations.scryfall import router as scryfall_router

router = APIRouter(prefix="/integrations")
router.include_router(scryfall_router)
