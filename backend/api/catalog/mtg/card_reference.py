"""/api/catalog/mtg/card-reference: card lookups, Scryfall-style search and admin writes.

Card ids are matched with Starlette's `uuid` convertor, so static paths never collide with them.
Full card objects arrive from the service as JSON text built by Postgres and are embedded in the
envelope as is (the card-by-id hot path).
"""
from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Body, Path, Query, Request, Response, status

from backend.api.catalog.mtg.uploads import (
    MULTIPART_OVERHEAD,
    UPLOAD_OPENAPI,
    UPLOAD_RESPONSES,
    declared_length,
    receive_upload,
)
from backend.api.errors import LOOKUP_RESPONSES, SEARCH_RESPONSES
from backend.dependancies.auth.users import AdminDep
from backend.dependancies.query_deps import PaginationDep, RunIdPath
from backend.dependancies.search_deps import LookupGuard, QuerySearchGuard
from backend.dependancies.service_deps import ServiceManagerDep, SettingsDep
from backend.request_handling.input_boundary import streams_body
from backend.request_handling.StandardisedQueryResponse import (
    ApiResponse,
    PaginatedResponse,
)
from backend.schemas.card_catalog.card import (
    BatchLookupRequest,
    BatchLookupResult,
    BulkCardsRequest,
    BulkCardsResult,
    CardDeleted,
    CardDetail,
    CardSummary,
    UploadAccepted,
    UploadRunStatus,
)

router = APIRouter(prefix="/card-reference", tags=["card reference"])

MAX_UPLOAD_BYTES = 4 * 1024**3   # the largest Scryfall bulk file (all_cards) is ~2.3 GB
JSON = "application/json"
_CARD_DOC = {200: {"model": ApiResponse[CardDetail]}}
_SEARCH_CARD_DOC = {**_CARD_DOC, **SEARCH_RESPONSES}
_LOOKUP_CARD_DOC = {**_CARD_DOC, **LOOKUP_RESPONSES}


def card_response(card_json: str, status_code: int = 200) -> Response:
    return Response(b'{"success":true,"data":' + card_json.encode() + b',"message":null}',
                    status_code=status_code, media_type=JSON)


# First in the router: the hot path is matched before anything else. `:uuid` keeps the static
# paths below (named, autocomplete, ...) from ever matching it.
@router.get("/{card_id:uuid}", responses=_CARD_DOC, response_class=Response, summary="One printing by Scryfall id")
async def get_card(service_manager: ServiceManagerDep, card_id: uuid.UUID):
    return card_response(await service_manager.execute_service("card_catalog.card.get", card_id=card_id))


@router.get("/", response_model=PaginatedResponse[CardSummary], summary="Search cards (query language)",
            dependencies=[QuerySearchGuard], responses=SEARCH_RESPONSES)
async def search_cards(
    service_manager: ServiceManagerDep,
    page: PaginationDep,
    q: Annotated[str | None, Query(max_length=1000, description="Query language, see docs/search.md")] = None,
    name: Annotated[str | None, Query(max_length=200)] = None,
    set: Annotated[str | None, Query(max_length=10)] = None,
    type: Annotated[str | None, Query(max_length=100)] = None,
    rarity: Annotated[str | None, Query(max_length=20)] = None,
    lang: Annotated[str | None, Query(max_length=20)] = None,
    color: Annotated[str | None, Query(max_length=20)] = None,
    identity: Annotated[str | None, Query(max_length=20)] = None,
    format: Annotated[str | None, Query(max_length=30)] = None,
    artist: Annotated[str | None, Query(max_length=100)] = None,
    unique: Literal["cards", "prints", "art"] | None = None,
    order: Annotated[str | None, Query(max_length=20)] = None,
    dir: Literal["asc", "desc", "auto"] | None = None,
    include_extras: bool = False,
):
    filters = {"name": name, "set": set, "type": type, "rarity": rarity, "lang": lang, "color": color,
               "identity": identity, "format": format, "artist": artist, "unique": unique,
               "order": order, "dir": dir}
    items, total = await service_manager.execute_service(
        "card_catalog.card.search", q=q, filters=filters, include_extras=include_extras,
        limit=page.limit, offset=page.offset)
    return PaginatedResponse.build(items, limit=page.limit, offset=page.offset, total_count=total)


@router.get("/named", responses=_LOOKUP_CARD_DOC, response_class=Response, dependencies=[LookupGuard],
            summary="One card by exact or fuzzy name (ambiguous fuzzy names answer 404 with candidates)")
async def named_card(
    service_manager: ServiceManagerDep,
    exact: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    fuzzy: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    set: Annotated[str | None, Query(min_length=1, max_length=10)] = None,
):
    card = await service_manager.execute_service("card_catalog.card.named", exact=exact, fuzzy=fuzzy, set_code=set)
    return card_response(card)


@router.get("/autocomplete", response_model=ApiResponse[list[str]], summary="Up to 20 card names",
            dependencies=[LookupGuard], responses=LOOKUP_RESPONSES)
async def autocomplete(
    service_manager: ServiceManagerDep,
    q: Annotated[str, Query(max_length=200)],
    include_extras: bool = False,
):
    names = await service_manager.execute_service("card_catalog.card.autocomplete", q=q,
                                                  include_extras=include_extras)
    return ApiResponse(data=names)


@router.get("/random", responses=_SEARCH_CARD_DOC, response_class=Response, dependencies=[QuerySearchGuard],
            summary="A random card, optionally matching q")
async def random_card(
    service_manager: ServiceManagerDep,
    q: Annotated[str | None, Query(max_length=1000)] = None,
):
    return card_response(await service_manager.execute_service("card_catalog.card.random", q=q))


@router.post("/batch", responses={200: {"model": ApiResponse[BatchLookupResult]}}, response_class=Response,
             summary="Batch lookup of up to 75 identifiers")
@router.post("/collection", responses={200: {"model": ApiResponse[BatchLookupResult]}}, response_class=Response,
             deprecated=True, summary="Batch lookup (the old path of POST /batch, kept for existing clients)")
async def batch_lookup(service_manager: ServiceManagerDep, body: BatchLookupRequest):
    identifiers = [ident.model_dump(exclude_none=True) for ident in body.identifiers]
    cards, not_found = await service_manager.execute_service("card_catalog.card.batch_lookup",
                                                             identifiers=identifiers)
    body_bytes = (b'{"success":true,"data":{"cards":[' + ",".join(cards).encode() + b'],"not_found":'
                  + orjson.dumps(not_found) + b'},"message":null}')
    return Response(body_bytes, media_type=JSON)


@router.get("/by-number/{set_code}/{collector_number}", responses=_CARD_DOC, response_class=Response,
            summary="A printing by set code and collector number (and language)")
async def card_by_number(
    service_manager: ServiceManagerDep,
    set_code: Annotated[str, Path(max_length=10)],
    collector_number: Annotated[str, Path(max_length=20)],
    lang: Annotated[str | None, Query(max_length=20)] = None,
):
    card = await service_manager.execute_service(
        "card_catalog.card.by_number", set_code=set_code, collector_number=collector_number, lang=lang)
    return card_response(card)


@router.post("/", status_code=status.HTTP_201_CREATED, responses={201: {"model": ApiResponse[CardDetail]}},
             response_class=Response, summary="Insert or update one card (Scryfall card object)")
async def create_card(service_manager: ServiceManagerDep, admin: AdminDep,
                      card: Annotated[dict[str, Any], Body(description="A Scryfall card object")]):
    created = await service_manager.execute_service("card_catalog.card.create", card=card)
    return card_response(created, status_code=status.HTTP_201_CREATED)


@router.post("/bulk", response_model=ApiResponse[BulkCardsResult], summary="Insert or update up to 50 cards")
async def bulk_create_cards(service_manager: ServiceManagerDep, admin: AdminDep, body: BulkCardsRequest):
    result = await service_manager.execute_service("card_catalog.card.bulk_create", cards=body.cards)
    return ApiResponse(data=result)


@router.post("/upload-file", status_code=status.HTTP_202_ACCEPTED, response_model=ApiResponse[UploadAccepted],
             summary="Upload a Scryfall bulk JSON file (multipart field 'file' or a JSON body); loads in the background",
             openapi_extra=UPLOAD_OPENAPI, responses=UPLOAD_RESPONSES)
@streams_body(max_bytes=MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD)
async def upload_cards_file(request: Request, service_manager: ServiceManagerDep, settings: SettingsDep,
                            admin: AdminDep):
    await service_manager.execute_service("card_catalog.upload.admit", triggered_by=admin.username,
                                          declared_bytes=declared_length(request))
    path, size = await receive_upload(request, directory=settings.upload_dir, max_bytes=MAX_UPLOAD_BYTES)
    run = await service_manager.execute_service(
        "card_catalog.upload.register", path=str(path), size_bytes=size, triggered_by=admin.username)
    run["status_url"] = str(request.url_for("card_upload_status", run_id=run["run_id"]).path)
    return ApiResponse(data=run, message="the file is being loaded; follow status_url")


@router.get("/upload-file/{run_id}", response_model=ApiResponse[UploadRunStatus], name="card_upload_status",
            summary="Progress and result of an uploaded file's load")
async def upload_status(service_manager: ServiceManagerDep, admin: AdminDep, run_id: RunIdPath):
    return ApiResponse(data=await service_manager.execute_service("card_catalog.upload.status", run_id=run_id))


@router.get("/{card_id:uuid}/printings", response_model=PaginatedResponse[CardSummary],
            summary="Every printing of this card (all sets and languages)")
async def card_printings(
    service_manager: ServiceManagerDep,
    page: PaginationDep,
    card_id: uuid.UUID,
    lang: Annotated[str | None, Query(max_length=20)] = None,
):
    items, total = await service_manager.execute_service(
        "card_catalog.card.printings", card_id=card_id, lang=lang, limit=page.limit, offset=page.offset)
    return PaginatedResponse.build(items, limit=page.limit, offset=page.offset, total_count=total)


@router.delete("/{card_id:uuid}", response_model=ApiResponse[CardDeleted], summary="Delete a printing")
async def delete_card(service_manager: ServiceManagerDep, admin: AdminDep, card_id: uuid.UUID):
    return ApiResponse(data=await service_manager.execute_service("card_catalog.card.delete", card_id=card_id))
