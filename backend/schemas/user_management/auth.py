"""Token endpoint models (RFC 6749 token response shape, so OAuth2 clients and /docs work as-is)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires")
    refresh_token: str = Field(description="Single use: exchange it at /api/users/auth/token/refresh")
    session_id: str = Field(description="Public id of the session (not the cookie value)")


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: Annotated[str, Field(min_length=16, max_length=256)]
