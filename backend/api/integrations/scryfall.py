"""/api/integrations/scryfall/runs: trigger the Scryfall pipeline and inspect its runs (admin only)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, status

from backend.dependancies.auth.users import AdminDep
from backend.dependancies.query_deps import PaginationDep, RunIdPath
from backend.dependancies.service_deps import ServiceManagerDep
from backend.request_handling.StandardisedQueryResponse import (
    ApiResponse,
    PaginatedResponse,
)
from backend.schemas.integrations.scryfall import (
    IngestionRunDetail,
    IngestionRunOut,
    RunStatus,
    ScryfallRunRequest,
    ScryfallRunTriggered,
)

router = APIRouter(prefix="/scryfall", tags=["integrations: scryfall"])


@router.post("/runs", status_code=status.HTTP_202_ACCEPTED, response_model=ApiResponse[ScryfallRunTriggered])
async def trigger_run(service_manager: ServiceManagerDep, admin: AdminDep,
                      body: Annotated[ScryfallRunRequest | None, Body()] = None):
    """Create a run and enqueue the Celery pipeline; 409 while another run is active."""
    body = body or ScryfallRunRequest()
    result = await service_manager.execute_service(
        "integrations.scryfall.trigger_run", bulk_type=body.bulk_type, force=body.force,
        triggered_by=f"api:{admin.username}")
    return ApiResponse(data=ScryfallRunTriggered(**result), message="Scryfall run enqueued")


@router.get("/runs", response_model=PaginatedResponse[IngestionRunOut])
async def list_runs(service_manager: ServiceManagerDep, admin: AdminDep, page: PaginationDep,
                    status_filter: Annotated[RunStatus | None, Query(alias="status")] = None):
    rows, total = await service_manager.execute_service(
        "integrations.scryfall.list_runs", status=status_filter, limit=page.limit, offset=page.offset)
    return PaginatedResponse.build(rows, limit=page.limit, offset=page.offset, total_count=total)


@router.get("/runs/{run_id}", response_model=ApiResponse[IngestionRunDetail])
async def get_run(service_manager: ServiceManagerDep, admin: AdminDep,
                  run_id: RunIdPath):
    run = await service_manager.execute_service("integrations.scryfall.get_run", run_id=run_id)
    return ApiResponse(data=run)
