"""Public price reads: /api/catalog/mtg/card-reference/{card_id}/prices (history, latest, an SVG
chart) and /api/catalog/mtg/prices/movers."""
from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from backend.dependancies.service_deps import ServiceManagerDep
from backend.request_handling.StandardisedQueryResponse import ApiResponse
from backend.schemas.pricing.price import (
    MAX_MOVERS,
    MAX_SOURCE_LENGTH,
    Condition,
    Currency,
    Finish,
    LatestPrice,
    MoverRange,
    Movers,
    PriceHistory,
    PriceRange,
    PriceType,
)

router = APIRouter(tags=["prices"])

SourceQuery = Annotated[str | None, Query(min_length=1, max_length=MAX_SOURCE_LENGTH,
                                          description="A price source code (scryfall, mtgstocks, tcgplayer, ...)")]
SVG = "image/svg+xml"


@router.get("/card-reference/{card_id:uuid}/prices", response_model=ApiResponse[PriceHistory],
            summary="Daily price history of one printing (one series per source, finish, condition, currency, type)")
async def price_history(
    service_manager: ServiceManagerDep,
    card_id: uuid.UUID,
    range: PriceRange = "1y",
    source: SourceQuery = None,
    finish: Finish | None = None,
    currency: Currency | None = None,
    price_type: PriceType | None = None,
    condition: Condition | None = None,
):
    data = await service_manager.execute_service(
        "pricing.price.history", card_id=card_id, range=range, source=source, finish=finish, currency=currency,
        price_type=price_type, condition=condition)
    return ApiResponse(data=data)


@router.get("/card-reference/{card_id:uuid}/prices/latest", response_model=ApiResponse[list[LatestPrice]],
            summary="The newest price of every source and series of one printing")
async def latest_prices(service_manager: ServiceManagerDep, card_id: uuid.UUID):
    return ApiResponse(data=await service_manager.execute_service("pricing.price.latest", card_id=card_id))


@router.get("/card-reference/{card_id:uuid}/prices/chart.svg", response_class=Response,
            responses={200: {"content": {SVG: {"schema": {"type": "string"}}},
                             "description": "An SVG 1.1 document: one line per source and finish"}},
            summary="Price history of one printing as an embeddable SVG chart")
async def price_chart(
    service_manager: ServiceManagerDep,
    card_id: uuid.UUID,
    range: PriceRange = "1y",
    source: SourceQuery = None,
    finish: Finish | None = None,
    currency: Currency = "USD",
    price_type: PriceType = "market",
    condition: Condition = "NM",
    width: Annotated[int, Query(ge=320, le=1600)] = 720,
    height: Annotated[int, Query(ge=200, le=1000)] = 360,
):
    svg = await service_manager.execute_service(
        "pricing.price.chart", card_id=card_id, range=range, source=source, finish=finish, currency=currency,
        price_type=price_type, condition=condition, width=width, height=height)
    # Cached briefly by browsers and proxies: prices change at most a few times a day.
    return Response(svg, media_type=SVG, headers={"Cache-Control": "public, max-age=900"})


@router.get("/prices/movers", response_model=ApiResponse[Movers],
            summary="Biggest risers and fallers of one source over a range")
async def price_movers(
    service_manager: ServiceManagerDep,
    range: MoverRange = "1w",
    source: Annotated[str, Query(min_length=1, max_length=MAX_SOURCE_LENGTH)] = "scryfall",
    currency: Currency = "USD",
    price_type: PriceType = "market",
    min_price: Annotated[float, Query(ge=0, le=1_000_000, description="Minimum price on both days, in units "
                                                                     "of the currency (e.g. 1.50)")] = 1.0,
    limit: Annotated[int, Query(ge=1, le=MAX_MOVERS)] = 20,
):
    data = await service_manager.execute_service(
        "pricing.price.movers", range=range, source=source, currency=currency, price_type=price_type,
        min_price_cents=round(min_price * 100), limit=limit)
    return ApiResponse(data=data)
