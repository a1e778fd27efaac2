"""/api/catalog: routers of this area are included here."""
from __future__ import annotations

from fastapi import APIRouter

from backend.api.catalog.mtg.card_reference import router as card_reference_router
from backend.api.catalog.mtg.prices import router as prices_router
from backend.api.catalog.mtg.collection import router as collection_router
from backend.api.catalog.mtg.set_reference import router as set_reference_router

router = APIRouter(prefix="/catalog")
# Included here with their /mtg prefix rather than through an /mtg router: every nesting level
# is one more routing pass on each request, and card-by-id is the hot path.
router.include_router(card_reference_router, prefix="/mtg")
router.include_router(set_reference_router, prefix="/mtg")
router.include_router(prices_router, prefix="/mtg")
router.include_router(collection_router, prefix="/mtg")
