"""/api/catalog/mtg/set-reference: sets by id or code, filtered lists and admin writes."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, status

from backend.api.catalog.mtg.uploads import (
    MULTIPART_OVERHEAD,
    UPLOAD_OPENAPI,
    UPLOAD_RESPONSES,
    receive_upload,
)
from backend.dependancies.auth.users import AdminDep
from backend.dependancies.query_deps import PaginationDep, SearchDep, sort_params
from backend.dependancies.service_deps import ServiceManagerDep, SettingsDep
from backend.repositories.kit import Sort
from backend.request_handling.input_boundary import streams_body
from backend.request_handling.StandardisedQueryResponse import (
    ApiResponse,
    PaginatedResponse,
)
from backend.schemas.card_catalog.set import (
    SET_SORT_FIELDS,
    BulkSetsRequest,
    BulkSetsResult,
    SetDeleted,
    SetOut,
    SetUpdate,
)

router = APIRouter(prefix="/set-reference", tags=["set reference"])

MAX_SETS_FILE_BYTES = 50 * 1024**2   # Scryfall's whole /sets list is ~1 MB
SetSortDep = Annotated[Sort, Depends(sort_params(SET_SORT_FIELDS, "released_at", "desc"))]
SetRef = Annotated[str, Path(min_length=2, max_length=64, description="Set id (UUID) or set code")]


@router.get("/", response_model=PaginatedResponse[SetOut], summary="List sets")
async def list_sets(
    service_manager: ServiceManagerDep,
    page: PaginationDep,
    sort: SetSortDep,
    search: SearchDep,
    set_type: Annotated[str | None, Query(max_length=50)] = None,
    released_from: date | None = None,
    released_to: date | None = None,
    digital: bool | None = None,
):
    items, total = await service_manager.execute_service(
        "card_catalog.set.list", set_type=set_type, released_from=released_from, released_to=released_to,
        digital=digital, search=search, sort=sort, limit=page.limit, offset=page.offset)
    return PaginatedResponse.build(items, limit=page.limit, offset=page.offset, total_count=total)


@router.post("/", status_code=status.HTTP_201_CREATED, response_model=ApiResponse[SetOut],
             summary="Insert or update one set (Scryfall set object)")
async def create_set(service_manager: ServiceManagerDep, admin: AdminDep,
                     set_object: Annotated[dict[str, Any], Body(description="A Scryfall set object")]):
    return ApiResponse(data=await service_manager.execute_service("card_catalog.set.create", set_object=set_object))


@router.post("/bulk", response_model=ApiResponse[BulkSetsResult], summary="Insert or update many sets")
async def bulk_create_sets(service_manager: ServiceManagerDep, admin: AdminDep, body: BulkSetsRequest):
    return ApiResponse(data=await service_manager.execute_service("card_catalog.set.bulk_create", sets=body.sets))


@router.post("/upload-file", response_model=ApiResponse[BulkSetsResult],
             summary="Upload Scryfall's /sets list JSON (multipart field 'file' or a JSON body)",
             openapi_extra=UPLOAD_OPENAPI, responses=UPLOAD_RESPONSES)
@streams_body(max_bytes=MAX_SETS_FILE_BYTES + MULTIPART_OVERHEAD)
async def upload_sets_file(request: Request, service_manager: ServiceManagerDep, settings: SettingsDep,
                           admin: AdminDep):
    path, _ = await receive_upload(request, directory=settings.upload_dir, max_bytes=MAX_SETS_FILE_BYTES)
    return ApiResponse(data=await service_manager.execute_service("card_catalog.set.upload_file", path=str(path)))


@router.get("/{set_id}", response_model=ApiResponse[SetOut], summary="One set by id or code")
async def get_set(service_manager: ServiceManagerDep, set_id: SetRef):
    return ApiResponse(data=await service_manager.execute_service("card_catalog.set.get", set_ref=set_id))


@router.put("/{set_id}", response_model=ApiResponse[SetOut], summary="Change a set's fields")
async def update_set(service_manager: ServiceManagerDep, admin: AdminDep, set_id: SetRef, body: SetUpdate):
    fields = body.model_dump(exclude_unset=True)
    updated = await service_manager.execute_service("card_catalog.set.update", set_ref=set_id, fields=fields)
    return ApiResponse(data=updated)


@router.delete("/{set_id}", response_model=ApiResponse[SetDeleted],
               summary="Delete a set (409 while cards reference it)")
async def delete_set(service_manager: ServiceManagerDep, admin: AdminDep, set_id: SetRef):
    return ApiResponse(data=await service_manager.execute_service("card_catalog.set.delete", set_ref=set_id))
