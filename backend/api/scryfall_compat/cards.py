"""/scryfall/cards: Scryfall's card routes over our catalog (card objects as loaded)."""
from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from backend.api.scryfall_compat.answers import ERROR_DOC, CommonDep
from backend.dependancies.search_deps import LookupGuard, QuerySearchGuard
from backend.dependancies.service_deps import ServiceManagerDep
from backend.schemas.scryfall_compat.card import (
    CollectionRequest,
    ScryfallCard,
    ScryfallCardList,
    ScryfallCatalog,
    ScryfallRulingList,
)

router = APIRouter(prefix="/cards", tags=["scryfall: cards"], responses=ERROR_DOC)
_CARD = {200: {"model": ScryfallCard, "description": "A card object (302 to its image with format=image)"},
         302: {"description": "format=image: the image"}}
_LIST = {200: {"model": ScryfallCardList}}
_RULINGS = {200: {"model": ScryfallRulingList}}
IntId = Annotated[int, Path(ge=0, le=2**31 - 1)]
SetCode = Annotated[str, Path(min_length=1, max_length=10, pattern=r"^[A-Za-z0-9]+$")]
Number = Annotated[str, Path(min_length=1, max_length=20)]


# First in the router: the hot path is matched before anything else (`:uuid` keeps the static
# paths below from ever matching it).
@router.get("/{id:uuid}", responses=_CARD, summary="One card by Scryfall id")
async def card_by_id(common: CommonDep, service_manager: ServiceManagerDep, id: uuid.UUID):
    return common.card(await service_manager.execute_service("scryfall_compat.card.get", card_id=id))


@router.get("/search", responses=_LIST, dependencies=[QuerySearchGuard],
            summary="Search (Scryfall's /cards/search: 175 cards a page)")
async def search(
    common: CommonDep, service_manager: ServiceManagerDep,
    q: Annotated[str, Query(max_length=1000)],
    unique: Literal["cards", "art", "prints"] | None = None,
    order: Annotated[str | None, Query(max_length=20)] = None,
    dir: Literal["auto", "asc", "desc"] | None = None,
    include_extras: bool = False,
    include_multilingual: bool = False,
    include_variations: bool = False,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
):
    return common.answer(await service_manager.execute_service(
        "scryfall_compat.card.search", q=q, unique=unique, order=order, direction=dir,
        include_extras=include_extras, include_multilingual=include_multilingual,
        include_variations=include_variations, page=page))


@router.get("/named", responses=_CARD, dependencies=[LookupGuard],
            summary="One card by exact or fuzzy name (its default printing)")
async def named(
    common: CommonDep, service_manager: ServiceManagerDep,
    exact: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    fuzzy: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    set: Annotated[str | None, Query(min_length=1, max_length=10)] = None,
):
    return common.card(await service_manager.execute_service(
        "scryfall_compat.card.named", exact=exact, fuzzy=fuzzy, set_code=set))


@router.get("/autocomplete", responses={200: {"model": ScryfallCatalog}}, dependencies=[LookupGuard],
            summary="Up to 20 card names")
async def autocomplete(common: CommonDep, service_manager: ServiceManagerDep,
                       q: Annotated[str, Query(max_length=200)], include_extras: bool = False):
    return common.answer(await service_manager.execute_service(
        "scryfall_compat.card.autocomplete", q=q, include_extras=include_extras))


@router.get("/random", responses=_CARD, dependencies=[QuerySearchGuard],
            summary="A random card, optionally matching q")
async def random(common: CommonDep, service_manager: ServiceManagerDep,
                 q: Annotated[str | None, Query(max_length=1000)] = None):
    return common.card(await service_manager.execute_service("scryfall_compat.card.random", q=q))


@router.post("/collection", responses=_LIST, summary="Up to 75 identifiers -> their cards and not_found")
async def collection(common: CommonDep, service_manager: ServiceManagerDep, body: CollectionRequest):
    return common.answer(await service_manager.execute_service(
        "scryfall_compat.card.collection", identifiers=[i.as_lookup() for i in body.identifiers]))


def _rulings_by_external_id(kind: str):
    async def rulings(common: CommonDep, service_manager: ServiceManagerDep, id: IntId):
        return common.answer(await service_manager.execute_service(
            "scryfall_compat.ruling.list", kind=kind, value=id))
    rulings.__name__ = f"rulings_by_{kind}_id"
    return rulings


for _kind in ("multiverse", "mtgo", "arena"):
    router.add_api_route(f"/{_kind}/{{id}}/rulings", _rulings_by_external_id(_kind), methods=["GET"],
                         responses=_RULINGS, summary=f"The rulings of a card by its {_kind} id")


@router.get("/{id:uuid}/rulings", responses=_RULINGS, summary="The rulings of a card by Scryfall id")
async def rulings_by_id(common: CommonDep, service_manager: ServiceManagerDep, id: uuid.UUID):
    return common.answer(await service_manager.execute_service("scryfall_compat.ruling.list", card_id=id))


@router.get("/{code}/{number}/rulings", responses=_RULINGS, summary="The rulings of a card by set and number")
async def rulings_by_number(common: CommonDep, service_manager: ServiceManagerDep, code: SetCode, number: Number):
    return common.answer(await service_manager.execute_service(
        "scryfall_compat.ruling.list", set_code=code, collector_number=number))


def _by_external_id(kind: str):
    async def card(common: CommonDep, service_manager: ServiceManagerDep, id: IntId):
        return common.card(await service_manager.execute_service(
            "scryfall_compat.card.by_external_id", kind=kind, value=id))
    card.__name__ = f"card_by_{kind}_id"
    return card


for _kind in ("multiverse", "mtgo", "arena", "tcgplayer", "cardmarket"):
    router.add_api_route(f"/{_kind}/{{id}}", _by_external_id(_kind), methods=["GET"], responses=_CARD,
                         summary=f"One card by its {_kind} id")


@router.get("/{code}/{number}", responses=_CARD, summary="One card by set code and collector number")
async def card_by_number(common: CommonDep, service_manager: ServiceManagerDep, code: SetCode, number: Number):
    return common.card(await service_manager.execute_service(
        "scryfall_compat.card.by_number", set_code=code, collector_number=number))


@router.get("/{code}/{number}/{lang}", responses=_CARD, summary="One card by set, collector number and language")
async def card_by_number_lang(common: CommonDep, service_manager: ServiceManagerDep, code: SetCode, number: Number,
                              lang: Annotated[str, Path(min_length=1, max_length=10)]):
    return common.card(await service_manager.execute_service(
        "scryfall_compat.card.by_number", set_code=code, collector_number=number, lang=lang))
