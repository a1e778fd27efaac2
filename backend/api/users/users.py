"""/api/users/users: registration, own profile and password, admin search, deletion, roles."""
from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Query, Response, status

from backend.dependancies.auth.client_ip import ClientIpDep
from backend.dependancies.auth.session_cookie import clear_session_cookie
from backend.dependancies.auth.users import AdminDep, CurrentUserDep
from backend.dependancies.query_deps import PaginationDep, SearchDep, sort_params
from backend.dependancies.service_deps import ServiceManagerDep, SettingsDep
from backend.repositories.kit import Sort
from backend.request_handling.StandardisedQueryResponse import (
    ApiResponse,
    PaginatedResponse,
)
from backend.schemas.user_management.role import (
    Reason,
    RoleAssign,
    RoleAuditOut,
    RoleGrantOut,
    RoleName,
)
from backend.schemas.user_management.session import SessionsRevoked
from backend.schemas.user_management.user import (
    USER_SORT_FIELDS,
    AccountDeletion,
    PasswordChange,
    UserActiveUpdate,
    UserCreate,
    UserOut,
    UserUpdate,
)

router = APIRouter(prefix="/users", tags=["users"])

UserSortDep = Annotated[Sort, Depends(sort_params(USER_SORT_FIELDS, "created_at", "desc"))]


@router.post("/", response_model=ApiResponse[UserOut], status_code=status.HTTP_201_CREATED)
async def register(body: UserCreate, service_manager: ServiceManagerDep):
    """Create an account (no roles). Sign in afterwards at /api/users/auth/token."""
    user = await service_manager.execute_service(
        "user_management.user.register", username=body.username, email=str(body.email),
        full_name=body.full_name, password=body.password,
    )
    return ApiResponse(data=UserOut(**user), message="account created")


@router.get("/me", response_model=ApiResponse[UserOut])
async def read_me(principal: CurrentUserDep, service_manager: ServiceManagerDep):
    user = await service_manager.execute_service("user_management.user.get", user_id=principal.user_id)
    return ApiResponse(data=UserOut(**user))


@router.put("/", response_model=ApiResponse[UserOut])
async def update_me(body: UserUpdate, principal: CurrentUserDep, service_manager: ServiceManagerDep,
                    client_ip: ClientIpDep):
    """Update your own email and/or full name (fields left out are unchanged); a new email needs
    `current_password`."""
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    if "email" in changes and changes["email"] is not None:
        changes["email"] = str(changes["email"])
    user = await service_manager.execute_service("user_management.user.update_profile",
                                                  user_id=principal.user_id, client_ip=client_ip, **changes)
    return ApiResponse(data=UserOut(**user), message="profile updated")


@router.put("/me/password", response_model=ApiResponse[SessionsRevoked])
async def change_my_password(body: PasswordChange, principal: CurrentUserDep, service_manager: ServiceManagerDep,
                             client_ip: ClientIpDep):
    """Change your password (the current one is required); every other session is signed out."""
    revoked = await service_manager.execute_service(
        "user_management.user.change_password", user_id=principal.user_id,
        current_session_id=principal.session_id, current_password=body.current_password,
        new_password=body.new_password, client_ip=client_ip,
    )
    return ApiResponse(data=SessionsRevoked(revoked=revoked), message="password changed")


@router.get("/", response_model=PaginatedResponse[UserOut])
async def search_users(admin: AdminDep, service_manager: ServiceManagerDep, page: PaginationDep,
                       sort: UserSortDep, search: SearchDep,
                       is_active: bool | None = None,
                       role: Annotated[RoleName | None, Query(description="Only users holding this role now")] = None):
    """Admin: search accounts by username, email or name; filter by status and role."""
    rows, total = await service_manager.execute_service(
        "user_management.user.search", sort=sort, search=search, is_active=is_active, role=role,
        limit=page.limit, offset=page.offset,
    )
    return PaginatedResponse.build([UserOut(**r) for r in rows], limit=page.limit, offset=page.offset,
                                   total_count=total)


@router.delete("/{user_id}", response_model=ApiResponse[dict])
async def delete_user(user_id: UUID, principal: CurrentUserDep, response: Response,
                      service_manager: ServiceManagerDep, settings: SettingsDep, client_ip: ClientIpDep,
                      body: Annotated[AccountDeletion | None, Body()] = None):
    """Delete an account: your own (with `current_password` in the body), or anyone's as an admin.
    Its sessions end with it."""
    await service_manager.execute_service(
        "user_management.user.delete", user_id=str(user_id), actor_id=principal.user_id,
        actor_is_admin=principal.is_admin, actor_username=principal.username, client_ip=client_ip,
        current_password=body.current_password if body else None,
    )
    if str(user_id) == principal.user_id:
        clear_session_cookie(response, settings)
    return ApiResponse(data={"deleted": str(user_id)}, message="account deleted")


@router.put("/{user_id}/active", response_model=ApiResponse[UserOut])
async def set_user_active(user_id: UUID, body: UserActiveUpdate, admin: AdminDep,
                          service_manager: ServiceManagerDep):
    """Admin: disable an account (all its sessions are revoked) or enable it again."""
    user = await service_manager.execute_service(
        "user_management.user.set_active", user_id=str(user_id), is_active=body.is_active, reason=body.reason,
        actor_username=admin.username,
    )
    return ApiResponse(data=UserOut(**user))


@router.get("/{user_id}/roles", response_model=ApiResponse[list[RoleGrantOut]])
async def list_role_grants(user_id: UUID, admin: AdminDep, service_manager: ServiceManagerDep):
    grants = await service_manager.execute_service("user_management.role.grants", user_id=str(user_id))
    return ApiResponse(data=[RoleGrantOut(**g) for g in grants])


@router.post("/{user_id}/roles", response_model=ApiResponse[RoleGrantOut], status_code=status.HTTP_201_CREATED)
async def assign_role(user_id: UUID, body: RoleAssign, admin: AdminDep, service_manager: ServiceManagerDep):
    """Admin: grant a role, optionally from a later date and/or until an expiry; recorded in the audit."""
    grant = await service_manager.execute_service(
        "user_management.role.assign", user_id=str(user_id), role_name=body.role_name, reason=body.reason,
        effective_from=body.effective_from, expires_at=body.expires_at, actor_id=admin.user_id,
        actor_username=admin.username,
    )
    return ApiResponse(data=RoleGrantOut(**grant), message="role granted")


@router.delete("/{user_id}/roles/{role_name}", response_model=ApiResponse[dict])
async def revoke_role(user_id: UUID, role_name: RoleName, admin: AdminDep, service_manager: ServiceManagerDep,
                      reason: Annotated[Reason, Query(description="Why (kept in the audit trail)")]):
    """Admin: take a role away; recorded in the audit with who and why."""
    await service_manager.execute_service(
        "user_management.role.revoke", user_id=str(user_id), role_name=role_name, reason=reason,
        actor_id=admin.user_id, actor_username=admin.username,
    )
    return ApiResponse(data={"user_id": str(user_id), "role_name": role_name}, message="role revoked")


@router.get("/{user_id}/roles/audit", response_model=PaginatedResponse[RoleAuditOut])
async def role_audit(user_id: UUID, admin: AdminDep, service_manager: ServiceManagerDep, page: PaginationDep):
    """Admin: the role audit trail of one user, newest first (kept after the user is deleted)."""
    rows, total = await service_manager.execute_service("user_management.role.audit", user_id=str(user_id),
                                                        limit=page.limit, offset=page.offset)
    return PaginatedResponse.build([RoleAuditOut(**r) for r in rows], limit=page.limit, offset=page.offset,
                                   total_count=total)
