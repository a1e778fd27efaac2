"""/scryfall/symbology and /scryfall/catalog: card symbols, mana-cost parsing, Scryfall's catalogs."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from backend.api.scryfall_compat.answers import ERROR_DOC, CommonDep
from backend.dependancies.service_deps import ServiceManagerDep
from backend.schemas.scryfall_compat.card import ScryfallCatalog, ScryfallManaCost, ScryfallSymbolList

router = APIRouter(tags=["scryfall: symbology and catalogs"], responses=ERROR_DOC)
CatalogName = Literal[
    "card-names", "artist-names", "word-bank", "supertypes", "card-types", "artifact-types", "battle-types",
    "creature-types", "enchantment-types", "land-types", "planeswalker-types", "spell-types", "powers",
    "toughnesses", "loyalties", "watermarks", "keyword-abilities", "keyword-actions", "ability-words",
    "flavor-words"]


@router.get("/symbology", responses={200: {"model": ScryfallSymbolList}}, summary="Every card symbol")
async def symbology(common: CommonDep, service_manager: ServiceManagerDep):
    return common.answer(await service_manager.execute_service("scryfall_compat.symbology.list"))


@router.get("/symbology/parse-mana", responses={200: {"model": ScryfallManaCost}},
            summary="A mana cost (loose or braced) in Scryfall's normal form, with its mana value and colours")
async def parse_mana(common: CommonDep, service_manager: ServiceManagerDep,
                     cost: Annotated[str, Query(min_length=1, max_length=200)]):
    return common.answer(await service_manager.execute_service("scryfall_compat.symbology.parse_mana", cost=cost))


@router.get("/catalog/{name}", responses={200: {"model": ScryfallCatalog}}, summary="One of Scryfall's catalogs")
async def catalog(common: CommonDep, service_manager: ServiceManagerDep, name: Annotated[CatalogName, Path()]):
    return common.answer(await service_manager.execute_service("scryfall_compat.catalog.get", name=name))
