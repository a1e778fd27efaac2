"""/api/integrations: routers of this area are included here."""
from __future__ import annotations

from fastapi import APIRouter

from backend.api.integrations.mtg_stock import router as mtg_stock_router
from backend.api.integrations.scryfall import router as scryfall_router

router = APIRouter(prefix="/integrations")
router.include_router(scryfall_router)
router.include_router(mtg_stock_router)
