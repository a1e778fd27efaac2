"""Session views: what a user sees of their logins (never the cookie value or its digest)."""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel


class SessionOut(BaseModel):
    id: UUID
    user_id: UUID
    created_at: datetime
    last_seen_at: datetime
    idle_expires_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None
    is_active: bool
    is_current: bool
    ip_address: str | None
    user_agent: str | None


class SessionsRevoked(BaseModel):
    revoked: int
