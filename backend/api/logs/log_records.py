"""GET /api/logs/: stored WARNING+ log records and pipeline events (admin only)."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from backend.dependancies.auth.users import AdminDep
from backend.dependancies.query_deps import PaginationDep
from backend.dependancies.service_deps import ServiceManagerDep
from backend.request_handling.StandardisedQueryResponse import PaginatedResponse
from backend.schemas.ops.log import LogLevel, LogRecordOut

router = APIRouter(prefix="/logs", tags=["logs"])


@router.get("/", response_model=PaginatedResponse[LogRecordOut])
async def list_logs(
    service_manager: ServiceManagerDep,
    admin: AdminDep,
    page: PaginationDep,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    level: Annotated[LogLevel | None, Query(description="Minimum level")] = None,
    task_name: Annotated[str | None, Query(max_length=200)] = None,
    service_type: Annotated[str | None, Query(max_length=50)] = None,
    user: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[str | None, Query(max_length=50)] = None,
    search: Annotated[str | None, Query(max_length=200)] = None,
):
    rows, total = await service_manager.execute_service(
        "ops.log.search", start_date=start_date, end_date=end_date, level=level, task_name=task_name,
        service_type=service_type, user=user, status=status, search=search,
        limit=page.limit, offset=page.offset,
    )
    return PaginatedResponse.build(rows, limit=page.limit, offset=page.offset, total_count=total)
