"""/api/integrations/mtg_stock: start MTGStocks loads (jobs) and read their status (admin only)."""
from __future__ import annotations

from fastapi import APIRouter, Query, Request, status

from backend.dependancies.auth.users import AdminDep
from backend.dependancies.query_deps import BIGINT_MAX
from backend.dependancies.service_deps import ServiceManagerDep
from backend.request_handling.StandardisedQueryResponse import ApiResponse
from backend.schemas.integrations.mtg_stock import (
    MtgStockLoadIdsRequest,
    MtgStockLoadRequest,
    MtgStockLoadStarted,
    MtgStockLoadStatus,
    MtgStockStageRequest,
)

router = APIRouter(prefix="/mtg_stock", tags=["integrations: mtgstocks"])


def _started(request: Request, run: dict) -> ApiResponse[MtgStockLoadStarted]:
    run["status_url"] = f"{request.url_for('mtg_stock_load_status').path}?run_id={run['run_id']}"
    return ApiResponse(data=run, message="the load is queued; follow status_url")


@router.post("/load", status_code=status.HTTP_202_ACCEPTED, response_model=ApiResponse[MtgStockLoadStarted],
             summary="Start a load of MTGStocks prints (print_ids, or range_start..range_end)")
async def start_load(request: Request, service_manager: ServiceManagerDep, admin: AdminDep, body: MtgStockLoadRequest):
    run = await service_manager.execute_service(
        "integrations.mtg_stock.start_load", print_ids=body.print_ids, range_start=body.range_start,
        range_end=body.range_end, triggered_by=f"api:{admin.username}")
    return _started(request, run)


@router.post("/load_ids", status_code=status.HTTP_202_ACCEPTED, response_model=ApiResponse[MtgStockLoadStarted],
             summary="Start a load of the listed MTGStocks print ids")
async def start_load_ids(request: Request, service_manager: ServiceManagerDep, admin: AdminDep,
                         body: MtgStockLoadIdsRequest):
    run = await service_manager.execute_service(
        "integrations.mtg_stock.start_load", print_ids=body.print_ids, triggered_by=f"api:{admin.username}")
    return _started(request, run)


@router.post("/stage", status_code=status.HTTP_202_ACCEPTED, response_model=ApiResponse[MtgStockLoadStarted],
             summary="Start staging and loading saved MTGStocks answers from a folder on the server")
async def start_stage(request: Request, service_manager: ServiceManagerDep, admin: AdminDep,
                      body: MtgStockStageRequest):
    run = await service_manager.execute_service(
        "integrations.mtg_stock.start_stage", folder=body.folder, triggered_by=f"api:{admin.username}")
    return _started(request, run)


@router.get("/load", response_model=ApiResponse[MtgStockLoadStatus], name="mtg_stock_load_status",
            summary="Status and progress of an MTGStocks load")
async def load_status(service_manager: ServiceManagerDep, admin: AdminDep,
                      run_id: int = Query(ge=1, le=BIGINT_MAX, description="The run id a POST returned")):
    return ApiResponse(data=await service_manager.execute_service("integrations.mtg_stock.status", run_id=run_id))
