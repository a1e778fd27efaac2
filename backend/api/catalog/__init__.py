"""/api/catalog: routers of this area are included here."""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/catalog")
