"""/scryfall/bulk-data: the bulk files AutoMana generates from its catalog, their entries, and the
files themselves (gzip as stored when the client accepts it, with Range for resumed downloads;
inflated on the fly otherwise)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse, StreamingResponse
from isal import igzip

from backend.api.scryfall_compat.answers import ERROR_DOC, CommonDep
from backend.dependancies.service_deps import ServiceManagerDep
from backend.schemas.scryfall_compat.card import ScryfallBulkData, ScryfallBulkDataList

router = APIRouter(prefix="/bulk-data", tags=["scryfall: bulk data"], responses=ERROR_DOC)
CHUNK = 1 << 16
_FILE_DOC = {200: {"description": "The bulk file: a JSON array, one object per line",
                   "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}},
             206: {"description": "Part of the gzip file (Range)"}}


@router.get("", responses={200: {"model": ScryfallBulkDataList}}, summary="The bulk files AutoMana generated")
async def list_bulk_data(common: CommonDep, service_manager: ServiceManagerDep):
    return common.answer(await service_manager.execute_service("scryfall_compat.bulk_data.list"))


@router.get("/files/{file_name}", responses=_FILE_DOC, response_class=FileResponse, summary="Download a bulk file")
async def download(request: Request, service_manager: ServiceManagerDep,
                   file_name: Annotated[str, Path(max_length=100, pattern=r"^[a-z-]+-[0-9]{20}\.json$")]):
    stored = await service_manager.execute_service("scryfall_compat.bulk_data.file", file_name=file_name)
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        return FileResponse(stored["path"], media_type="application/json", headers={"Content-Encoding": "gzip"},
                            content_disposition_type="inline", filename=file_name)
    return StreamingResponse(_inflated(stored["path"]), media_type="application/json")


def _inflated(path: str):
    with igzip.open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


@router.get("/{key}", responses={200: {"model": ScryfallBulkData}}, summary="One bulk file's entry, by id or type")
async def bulk_data_entry(common: CommonDep, service_manager: ServiceManagerDep,
                          key: Annotated[str, Path(max_length=40)]):
    return common.answer(await service_manager.execute_service("scryfall_compat.bulk_data.get", key=key))
