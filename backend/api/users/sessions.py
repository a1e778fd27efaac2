"""/api/users/session: your sessions (admins: anyone's), revoking one, and "log out everywhere else"."""
from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from backend.dependancies.auth.session_cookie import clear_session_cookie
from backend.dependancies.auth.users import CurrentUserDep
from backend.dependancies.query_deps import PaginationDep
from backend.dependancies.service_deps import ServiceManagerDep, SettingsDep
from backend.request_handling.StandardisedQueryResponse import (
    ApiResponse,
    PaginatedResponse,
)
from backend.schemas.user_management.session import SessionOut, SessionsRevoked

router = APIRouter(prefix="/session", tags=["sessions"])


@router.get("/", response_model=PaginatedResponse[SessionOut])
async def list_sessions(
    principal: CurrentUserDep, service_manager: ServiceManagerDep, page: PaginationDep,
    user_id: Annotated[UUID | None, Query(description="Admin: another user's sessions")] = None,
    all_users: Annotated[bool, Query(description="Admin: sessions of every user")] = False,
    active_only: Annotated[bool, Query(description="Hide revoked and expired sessions")] = True,
):
    rows, total = await service_manager.execute_service(
        "user_management.session.list", actor_id=principal.user_id, actor_is_admin=principal.is_admin,
        current_session_id=principal.session_id, user_id=str(user_id) if user_id else None,
        all_users=all_users, active_only=active_only, limit=page.limit, offset=page.offset,
    )
    return PaginatedResponse.build([SessionOut(**r) for r in rows], limit=page.limit, offset=page.offset,
                                   total_count=total)


@router.post("/logout-others", response_model=ApiResponse[SessionsRevoked])
async def logout_other_sessions(principal: CurrentUserDep, service_manager: ServiceManagerDep):
    """Revoke every session of yours except the one making this request."""
    revoked = await service_manager.execute_service(
        "user_management.session.revoke_others", actor_id=principal.user_id,
        current_session_id=principal.session_id,
    )
    return ApiResponse(data=SessionsRevoked(revoked=revoked), message=f"{revoked} other session(s) signed out")


@router.get("/{session_id}", response_model=ApiResponse[SessionOut])
async def read_session(session_id: UUID, principal: CurrentUserDep, service_manager: ServiceManagerDep):
    session = await service_manager.execute_service(
        "user_management.session.get", session_id=str(session_id), actor_id=principal.user_id,
        actor_is_admin=principal.is_admin, current_session_id=principal.session_id,
    )
    return ApiResponse(data=SessionOut(**session))


@router.delete("/{session_id}/desactivate", response_model=ApiResponse[SessionOut])
async def deactivate_session(session_id: UUID, principal: CurrentUserDep, response: Response,
                             service_manager: ServiceManagerDep, settings: SettingsDep):
    """Revoke one session: yours, or anyone's as an admin."""
    session = await service_manager.execute_service(
        "user_management.session.revoke", session_id=str(session_id), actor_id=principal.user_id,
        actor_is_admin=principal.is_admin, current_session_id=principal.session_id,
    )
    if str(session_id) == principal.session_id:
        clear_session_cookie(response, settings)
    return ApiResponse(data=SessionOut(**session), message="session revoked")
