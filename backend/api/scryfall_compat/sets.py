"""/scryfall/sets: every set (newest first) and one set by code, id or TCGplayer group id."""
from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path

from backend.api.scryfall_compat.answers import ERROR_DOC, CommonDep
from backend.dependancies.service_deps import ServiceManagerDep
from backend.schemas.scryfall_compat.card import ScryfallSet, ScryfallSetList

router = APIRouter(prefix="/sets", tags=["scryfall: sets"], responses=ERROR_DOC)
_SET = {200: {"model": ScryfallSet}}


@router.get("", responses={200: {"model": ScryfallSetList}}, summary="Every set, newest first")
async def list_sets(common: CommonDep, service_manager: ServiceManagerDep):
    return common.answer(await service_manager.execute_service("scryfall_compat.set.list"))


@router.get("/tcgplayer/{id}", responses=_SET, summary="One set by TCGplayer group id")
async def set_by_tcgplayer(common: CommonDep, service_manager: ServiceManagerDep,
                           id: Annotated[int, Path(ge=0, le=2**31 - 1)]):
    return common.answer(await service_manager.execute_service("scryfall_compat.set.get", tcgplayer_id=id))


@router.get("/{id:uuid}", responses=_SET, summary="One set by Scryfall id")
async def set_by_id(common: CommonDep, service_manager: ServiceManagerDep, id: uuid.UUID):
    return common.answer(await service_manager.execute_service("scryfall_compat.set.get", set_id=id))


@router.get("/{code}", responses=_SET, summary="One set by code")
async def set_by_code(common: CommonDep, service_manager: ServiceManagerDep,
                      code: Annotated[str, Path(min_length=1, max_length=10, pattern=r"^[A-Za-z0-9]+$")]):
    return common.answer(await service_manager.execute_service("scryfall_compat.set.get", code=code))
