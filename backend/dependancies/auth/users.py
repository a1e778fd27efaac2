"""Authentication dependencies: who is calling, through the `session_id` cookie or a Bearer access token.

`CurrentUserDep` (any signed-in active user), `OptionalUserDep` (anonymous allowed) and `AdminDep`
(an active `admin` role) all go through `_authenticate`; a Bearer header wins over a cookie, and a
cookie-authenticated write must pass the cross-site check.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, OAuth2PasswordBearer

from backend.core.logging_config import user_context_var
from backend.dependancies.auth.csrf import enforce_same_origin
from backend.new_services.user_management.tokens import decode_access_token
from backend.request_handling.errors import AuthenticationError, PermissionDeniedError

SESSION_COOKIE = "session_id"
ADMIN_ROLE = "admin"

# Declared so /docs offers both ways to authenticate; the checks themselves are below.
_bearer_scheme = OAuth2PasswordBearer(tokenUrl="/api/users/auth/token", auto_error=False,
                                      scheme_name="BearerToken")
_cookie_scheme = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, scheme_name="SessionCookie")


@dataclass(frozen=True)
class Principal:
    """Who is calling: enough for authorisation and audit, never a secret."""

    user_id: str | None
    username: str
    is_admin: bool
    roles: tuple[str, ...] = field(default=())
    session_id: str | None = None
    auth_method: str | None = None  # "cookie" | "bearer"


def _bearer_token(request: Request) -> str | None:
    # Other schemes (e.g. Basic added by a proxy) are not ours to judge: they fall through to the cookie.
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    if not token.strip():
        raise AuthenticationError("empty Bearer token", code="invalid_token")
    return token.strip()


async def _authenticate(request: Request) -> Principal | None:
    """None when no credentials were sent; 401 when credentials were sent but are not valid."""
    settings = request.app.state.settings
    manager = request.app.state.service_manager
    bearer = _bearer_token(request)
    if bearer is not None:
        claims = decode_access_token(settings, bearer)
        found = await manager.execute_service("user_management.auth.authenticate",
                                              session_id=claims.session_id, user_id=claims.user_id)
        method = "bearer"
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        enforce_same_origin(request)
        found = await manager.execute_service("user_management.auth.authenticate", session_token=cookie)
        method = "cookie"
    principal = Principal(user_id=found["user_id"], username=found["username"],
                          is_admin=ADMIN_ROLE in found["roles"], roles=found["roles"],
                          session_id=found["session_id"], auth_method=method)
    # Log records written while serving this request name the user (the context is per request task).
    user_context_var.set(principal.username)
    return principal


async def get_current_user(request: Request, _bearer: Annotated[str | None, Depends(_bearer_scheme)] = None,
                           _cookie: Annotated[str | None, Depends(_cookie_scheme)] = None) -> Principal:
    principal = await _authenticate(request)
    if principal is None:
        raise AuthenticationError("sign in required: send the session cookie or a Bearer access token")
    return principal


async def get_optional_user(request: Request) -> Principal | None:
    """The caller if valid credentials were sent, otherwise None (bad credentials count as none)."""
    try:
        return await _authenticate(request)
    except AuthenticationError:
        return None


async def require_admin(principal: Annotated[Principal, Depends(get_current_user)]) -> Principal:
    if not principal.is_admin:
        raise PermissionDeniedError("the admin role is required", code="admin_required")
    return principal


CurrentUserDep = Annotated[Principal, Depends(get_current_user)]
OptionalUserDep = Annotated[Principal | None, Depends(get_optional_user)]
AdminDep = Annotated[Principal, Depends(require_admin)]
