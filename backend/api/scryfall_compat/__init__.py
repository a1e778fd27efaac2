"""/scryfall: a Scryfall-compatible API over our catalog (Scryfall's paths, parameters, objects and
error objects), so Scryfall client libraries work against AutoMana. Public reads, like /cards on
Scryfall; see docs/scryfall-api.md."""
from __future__ import annotations

from fastapi import APIRouter
from starlette.routing import Match
from starlette.types import Scope

from backend.api.scryfall_compat.answers import PREFIX, scryfall_error
from backend.api.scryfall_compat.bulk_data import router as bulk_data_router
from backend.api.scryfall_compat.cards import router as cards_router
from backend.api.scryfall_compat.reference import router as reference_router
from backend.api.scryfall_compat.sets import router as sets_router
from backend.request_handling.error_formats import register_error_shape

register_error_shape(PREFIX + "/", scryfall_error)



class PrefixRouter(APIRouter):
    """A router that declines paths outside its prefix with one string check. Included routers are
    matched by trying their routes one by one; mounted first, this router costs every other request
    that one check, and its own requests skip the scan of every /api route."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path, root = scope.get("path", ""), scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root):]
        if path != self.prefix and not path.startswith(self.prefix + "/"):
            return Match.NONE, {}
        return super().matches(scope)


router = PrefixRouter(prefix=PREFIX)
router.include_router(cards_router)
router.include_router(sets_router)
router.include_router(reference_router)
router.include_router(bulk_data_router)
