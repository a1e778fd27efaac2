"""/api/users/auth: login (OAuth2 password form), refresh-token rotation, logout."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from backend.dependancies.auth.client_ip import ClientIpDep
from backend.dependancies.auth.csrf import enforce_same_origin
from backend.dependancies.auth.session_cookie import (
    clear_session_cookie,
    no_store,
    set_session_cookie,
)
from backend.dependancies.auth.users import SESSION_COOKIE, OptionalUserDep
from backend.dependancies.service_deps import ServiceManagerDep, SettingsDep
from backend.request_handling.StandardisedQueryResponse import ApiResponse
from backend.schemas.user_management.auth import RefreshRequest, TokenResponse

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=TokenResponse, dependencies=[Depends(enforce_same_origin)])
async def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request, response: Response,
                service_manager: ServiceManagerDep, settings: SettingsDep, client_ip: ClientIpDep):
    """Sign in: a new session (cookie `session_id`), an access token and a refresh token.

    The answer has the OAuth2 token-response shape (not the ApiResponse envelope) so OAuth2
    clients and the /docs "Authorize" button work unchanged.
    """
    result = await service_manager.execute_service(
        "user_management.auth.login", username=form.username, password=form.password, client_ip=client_ip,
        user_agent=request.headers.get("user-agent"), previous_session_token=request.cookies.get(SESSION_COOKIE),
    )
    set_session_cookie(response, settings, result["session_token"])
    no_store(response)
    return TokenResponse(**{k: result[k] for k in TokenResponse.model_fields})


@router.post("/token/refresh", response_model=TokenResponse)
async def refresh_tokens(body: RefreshRequest, response: Response, service_manager: ServiceManagerDep):
    """Rotate: the refresh token sent is spent; reusing a spent one revokes its session and all its tokens."""
    result = await service_manager.execute_service("user_management.auth.refresh",
                                                   refresh_token=body.refresh_token)
    no_store(response)
    return TokenResponse(**result)


@router.post("/logout", response_model=ApiResponse[dict])
async def logout(request: Request, response: Response, principal: OptionalUserDep,
                 service_manager: ServiceManagerDep, settings: SettingsDep):
    """Revoke the caller's session server-side and clear the cookie (also fine when already signed out)."""
    if principal is not None:
        revoked = await service_manager.execute_service("user_management.auth.logout",
                                                        session_id=principal.session_id)
    else:
        revoked = False
    clear_session_cookie(response, settings)
    return ApiResponse(data={"logged_out": bool(revoked)}, message="signed out")
