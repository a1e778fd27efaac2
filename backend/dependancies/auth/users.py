"""Authentication dependencies.

`AdminDep` guards admin routes. Until user accounts exist it accepts the ADMIN_TOKEN setting as
`Authorization: Bearer <token>` (compared in constant time); with no token configured every
admin route answers 401.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from backend.request_handling.errors import AuthenticationError


@dataclass(frozen=True)
class Principal:
    """Who is calling: enough for authorisation and audit, never a secret."""

    user_id: str | None
    username: str
    is_admin: bool


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        return token.strip()
    return None


async def require_admin(request: Request) -> Principal:
    configured = request.app.state.settings.admin_token
    token = _bearer_token(request)
    if configured is not None and token is not None:
        expected = configured.get_secret_value()
        if expected and hmac.compare_digest(token.encode(), expected.encode()):
            return Principal(user_id=None, username="admin-token", is_admin=True)
    raise AuthenticationError("admin credentials required")


AdminDep = Annotated[Principal, Depends(require_admin)]
