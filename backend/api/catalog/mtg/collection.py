"""/api/catalog/mtg/collection: a user's collections, their entries, value, history, import and export.

Every route is the owner's alone: another user's collection or entry answers 404, as one that does not
exist; admins get no implicit access.
"""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from backend.api.catalog.mtg.uploads import MULTIPART_OVERHEAD, UPLOAD_RESPONSES, declared_length, receive_upload
from backend.dependancies.auth.users import CurrentUserDep
from backend.dependancies.query_deps import PaginationDep, RunIdPath, sort_params
from backend.dependancies.service_deps import ServiceManagerDep, SettingsDep
from backend.repositories.kit import Sort
from backend.request_handling.input_boundary import streams_body
from backend.request_handling.StandardisedQueryResponse import ApiResponse, PaginatedResponse
from backend.schemas.user_collection.collection import (
    COLLECTION_SORT_FIELDS,
    CollectionCreate,
    CollectionDeleted,
    CollectionKind,
    CollectionOut,
    CollectionUpdate,
    CollectionValue,
    HistoryRange,
    MAX_MOVERS,
    Movers,
    ValueHistory,
)
from backend.schemas.user_collection.entry import (
    ENTRY_SORT_FIELDS,
    Condition,
    EntryBulkRequest,
    EntryBulkResult,
    EntryCreate,
    EntryDeleted,
    EntryOut,
    EntryUpdate,
    Finish,
)
from backend.schemas.user_collection.imports import (
    ExportFormat,
    ImportAccepted,
    ImportFormat,
    ImportMode,
    ImportReport,
    ImportRunStatus,
)

router = APIRouter(prefix="/collection", tags=["collections"])

MAX_IMPORT_BYTES = 64 * 1024**2   # the route's hard limit; settings may lower it
IMPORT_RAW_TYPES = frozenset({b"text/csv", b"text/plain", b"application/octet-stream",
                              b"application/vnd.ms-excel"})
IMPORT_OPENAPI = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": {"type": "string", "format": "binary"}}}},
    "text/csv": {"schema": {"type": "string", "description": "the file itself"}},
    "text/plain": {"schema": {"type": "string", "description": "a deck list, or a CSV"}},
}}}
EXPORT_MEDIA = {"text": "text/plain; charset=utf-8"}
CollectionSortDep = Annotated[Sort, Depends(sort_params(COLLECTION_SORT_FIELDS, "created"))]
EntrySortDep = Annotated[Sort, Depends(sort_params(ENTRY_SORT_FIELDS, "name"))]


# -- collections -----------------------------------------------------------------------------------

@router.post("/", status_code=status.HTTP_201_CREATED, response_model=ApiResponse[CollectionOut],
             summary="Create a collection, wishlist or binder")
async def create_collection(service_manager: ServiceManagerDep, user: CurrentUserDep, body: CollectionCreate):
    created = await service_manager.execute_service("user_collection.collection.create", owner_id=user.user_id,
                                                    **body.model_dump())
    return ApiResponse(data=created)


@router.get("/", response_model=PaginatedResponse[CollectionOut],
            summary="My collections, with their entry count and current value")
async def list_collections(service_manager: ServiceManagerDep, user: CurrentUserDep, page: PaginationDep,
                           sort: CollectionSortDep, kind: CollectionKind | None = None):
    items, total = await service_manager.execute_service(
        "user_collection.collection.list", owner_id=user.user_id, kind=kind, sort=sort, limit=page.limit,
        offset=page.offset)
    return PaginatedResponse.build(items, limit=page.limit, offset=page.offset, total_count=total)


@router.get("/{collection_id}", response_model=ApiResponse[CollectionOut], summary="One of my collections")
async def get_collection(service_manager: ServiceManagerDep, user: CurrentUserDep, collection_id: uuid.UUID):
    return ApiResponse(data=await service_manager.execute_service(
        "user_collection.collection.get", owner_id=user.user_id, collection_id=collection_id))


@router.put("/{collection_id}", response_model=ApiResponse[CollectionOut],
            summary="Rename or change a collection (omitted fields keep their value)")
async def update_collection(service_manager: ServiceManagerDep, user: CurrentUserDep, collection_id: uuid.UUID,
                            body: CollectionUpdate):
    return ApiResponse(data=await service_manager.execute_service(
        "user_collection.collection.update", owner_id=user.user_id, collection_id=collection_id,
        fields=body.model_dump(exclude_unset=True)))


@router.delete("/{collection_id}", response_model=ApiResponse[CollectionDeleted],
               summary="Delete a collection and its entries")
async def delete_collection(service_manager: ServiceManagerDep, user: CurrentUserDep, collection_id: uuid.UUID):
    return ApiResponse(data=await service_manager.execute_service(
        "user_collection.collection.delete", owner_id=user.user_id, collection_id=collection_id))


# -- entries ---------------------------------------------------------------------------------------

@router.post("/{collection_id}/entries", status_code=status.HTTP_201_CREATED, response_model=ApiResponse[EntryOut],
             responses={200: {"model": ApiResponse[EntryOut], "description": "Added to an existing entry"}},
             summary="Add a printing (again: adds to its quantity unless merge=false)")
async def add_entry(service_manager: ServiceManagerDep, user: CurrentUserDep, collection_id: uuid.UUID,
                    body: EntryCreate, response: Response,
                    merge: Annotated[bool, Query(description="false: refuse (409) an entry that exists")] = True):
    result = await service_manager.execute_service(
        "user_collection.entry.add", owner_id=user.user_id, collection_id=collection_id,
        entry=body.model_dump(), merge=merge)
    if not result["created"]:
        response.status_code = status.HTTP_200_OK
    return ApiResponse(data=result["entry"], message=None if result["created"] else "added to the existing entry")


@router.get("/{collection_id}/entries", response_model=PaginatedResponse[EntryOut],
            summary="Entries, filtered (set, rarity, colour, finish, condition, language, tag, q) and sorted")
async def list_entries(
    service_manager: ServiceManagerDep, user: CurrentUserDep, collection_id: uuid.UUID, page: PaginationDep,
    sort: EntrySortDep,
    set: Annotated[str | None, Query(max_length=10)] = None,
    rarity: Annotated[str | None, Query(max_length=20)] = None,
    colour: Annotated[str | None, Query(max_length=20, description="Colours as in the query language (c:)")] = None,
    finish: Finish | None = None,
    condition: Condition | None = None,
    language: Annotated[str | None, Query(max_length=20)] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    q: Annotated[str | None, Query(max_length=1000, description="Catalog query language, on the printings")] = None,
):
    filters = {"set": set, "rarity": rarity, "colour": colour, "finish": finish, "condition": condition,
               "language": language, "tag": tag}
    items, total = await service_manager.execute_service(
        "user_collection.entry.list", owner_id=user.user_id, collection_id=collection_id, filters=filters, q=q,
        sort=sort, limit=page.limit, offset=page.offset)
    return PaginatedResponse.build(items, limit=page.limit, offset=page.offset, total_count=total)


@router.post("/{collection_id}/entries/bulk", response_model=ApiResponse[EntryBulkResult],
             summary="Add, update and remove many entries in one request (all or nothing)")
async def bulk_entries(service_manager: ServiceManagerDep, user: CurrentUserDep, collection_id: uuid.UUID,
                       body: EntryBulkRequest):
    result = await service_manager.execute_service(
        "user_collection.entry.bulk", owner_id=user.user_id, collection_id=collection_id,
        add=[item.model_dump() for item in body.add], update=[item.model_dump(exclude_unset=True) for item in body.update],
        remove=body.remove, merge=body.merge)
    return ApiResponse(data=result)


@router.get("/{collection_id}/entries/{entry_id}", response_model=ApiResponse[EntryOut], summary="One entry")
async def get_entry(service_manager: ServiceManagerDep, user: CurrentUserDep, collection_id: uuid.UUID,
                    entry_id: uuid.UUID):
    return ApiResponse(data=await service_manager.execute_service(
        "user_collection.entry.get", owner_id=user.user_id, collection_id=collection_id, entry_id=entry_id))


@router.put("/{collection_id}/entries/{entry_id}", response_model=ApiResponse[EntryOut],
            summary="Change an entry (omitted fields keep their value; null clears price, date, notes, tags)")
async def update_entry(service_manager: ServiceManagerDep, user: CurrentUserDep, collection_id: uuid.UUID,
                       entry_id: uuid.UUID, body: EntryUpdate):
    return ApiResponse(data=await service_manager.execute_service(
        "user_collection.entry.update", owner_id=user.user_id, collection_id=collection_id, entry_id=entry_id,
        changes=body.model_dump(exclude_unset=True)))


@router.delete("/{collection_id}/entries/{entry_id}", response_model=ApiResponse[EntryDeleted],
               summary="Remove an entry")
async def delete_entry(service_manager: ServiceManagerDep, user: CurrentUserDep, collection_id: uuid.UUID,
                       entry_id: uuid.UUID):
    return ApiResponse(data=await service_manager.execute_service(
        "user_collection.entry.delete", owner_id=user.user_id, collection_id=collection_id, entry_id=entry_id))


# -- value -----------------------------------------------------------------------------------------

@router.get("/{collection_id}/value", response_model=ApiResponse[CollectionValue],
            summary="Current value, cost basis, unrealised gain, what has no price (wishlists: cost to complete)")
async def collection_value(service_manager: ServiceManagerDep, user: CurrentUserDep, collection_id: uuid.UUID):
    return ApiResponse(data=await service_manager.execute_service(
        "user_collection.value.get", owner_id=user.user_id, collection_id=collection_id))


@router.get("/{collection_id}/value/history", response_model=ApiResponse[ValueHistory],
            summary="Daily value of the current contents over a range")
async def value_history(service_manager: ServiceManagerDep, user: CurrentUserDep, collection_id: uuid.UUID,
                        range: HistoryRange = "1y"):
    return ApiResponse(data=await service_manager.execute_service(
        "user_collection.value.history", owner_id=user.user_id, collection_id=collection_id, range=range))


@router.get("/{collection_id}/movers", response_model=ApiResponse[Movers],
            summary="The entries whose value moved most over a range")
async def movers(service_manager: ServiceManagerDep, user: CurrentUserDep, collection_id: uuid.UUID,
                 range: HistoryRange = "1m", limit: Annotated[int, Query(ge=1, le=MAX_MOVERS)] = 20):
    return ApiResponse(data=await service_manager.execute_service(
        "user_collection.value.movers", owner_id=user.user_id, collection_id=collection_id, range=range,
        limit=limit))


# -- import and export -----------------------------------------------------------------------------

@router.post("/{collection_id}/import", response_model=ApiResponse[ImportReport | ImportAccepted],
             responses={200: {"model": ApiResponse[ImportReport], "description": "Imported (or previewed)"},
                        202: {"model": ApiResponse[ImportAccepted],
                              "description": "A large file: imported in the background; follow status_url"},
                        **UPLOAD_RESPONSES},
             openapi_extra=IMPORT_OPENAPI,
             summary="Import a collection file (CSV of ManaBox, Moxfield, Deckbox, TCGplayer, Archidekt, "
                     "Dragon Shield, Helvault, MTGGoldfish, or a deck list)")
@streams_body(max_bytes=MAX_IMPORT_BYTES + MULTIPART_OVERHEAD)
async def import_collection(
    request: Request, service_manager: ServiceManagerDep, settings: SettingsDep, user: CurrentUserDep,
    collection_id: uuid.UUID, response: Response,
    format: ImportFormat = "auto",
    mode: Annotated[ImportMode, Query(description="add: add the file's copies; sync: make the collection "
                                                  "equal to the file")] = "add",
    dry_run: Annotated[bool, Query(description="Report what would change; write nothing")] = False,
    skip_unresolved: Annotated[bool, Query(description="Import the rest when rows cannot be; else "
                                                       "nothing is imported")] = False,
):
    await service_manager.execute_service("user_collection.import.admit", owner_id=user.user_id,
                                          collection_id=collection_id, declared_bytes=declared_length(request))
    path, size = await receive_upload(request, directory=settings.collection_import_dir, raw_types=IMPORT_RAW_TYPES,
                                      max_bytes=min(MAX_IMPORT_BYTES, settings.collection_import_max_bytes),
                                      suffix=".upload")
    options = dict(format=format, mode=mode, dry_run=dry_run, skip_unresolved=skip_unresolved)
    if size <= settings.collection_inline_import_bytes:
        report = await service_manager.execute_service(
            "user_collection.import.file", owner_id=user.user_id, collection_id=collection_id, path=str(path),
            **options)
        return ApiResponse(data=report)
    run = await service_manager.execute_service(
        "user_collection.import.register", owner_id=user.user_id, username=user.username,
        collection_id=collection_id, path=str(path), size_bytes=size, **options)
    run["status_url"] = str(request.url_for("collection_import_status", collection_id=collection_id,
                                            run_id=run["run_id"]).path)
    response.status_code = status.HTTP_202_ACCEPTED
    return ApiResponse(data=run, message="the file is being imported; follow status_url")


@router.get("/{collection_id}/imports/{run_id}", response_model=ApiResponse[ImportRunStatus],
            name="collection_import_status", summary="Progress and report of a background import")
async def import_status(service_manager: ServiceManagerDep, user: CurrentUserDep, collection_id: uuid.UUID,
                        run_id: RunIdPath):
    return ApiResponse(data=await service_manager.execute_service(
        "user_collection.import.status", owner_id=user.user_id, collection_id=collection_id, run_id=run_id))


@router.get("/{collection_id}/export", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}},
                                         "text/plain": {"schema": {"type": "string"}}},
                             "description": "The collection as the chosen app's file (streamed)"}},
            summary="Export the collection in an app's format (its own columns and spellings)")
async def export_collection(service_manager: ServiceManagerDep, user: CurrentUserDep, collection_id: uuid.UUID,
                            format: ExportFormat):
    # The first page is read before the answer starts, so a collection that is not yours is a plain 404.
    first, following = await service_manager.execute_service(
        "user_collection.export.page", owner_id=user.user_id, collection_id=collection_id, format=format)

    async def chunks() -> AsyncIterator[str]:
        text, after = first, following
        while True:
            yield text
            if after is None:
                return
            text, after = await service_manager.execute_service(
                "user_collection.export.page", owner_id=user.user_id, collection_id=collection_id, format=format,
                after=after)

    media = EXPORT_MEDIA.get(format, "text/csv; charset=utf-8")
    extension = "txt" if format == "text" else "csv"
    return StreamingResponse(chunks(), media_type=media, headers={
        "Content-Disposition": f'attachment; filename="collection-{format}.{extension}"'})
