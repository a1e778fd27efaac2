"""/api/catalog/mtg: card and set reference routers."""
from __future__ import annotations

from fastapi import APIRouter

from backend.api.catalog.mtg.card_reference import router as card_reference_router
from backend.api.catalog.mtg.set_reference import router as set_reference_router

router = APIRouter(prefix="/mtg")
router.include_router(card_reference_router)
router.include_router(set_reference_router)
