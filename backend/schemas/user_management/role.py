"""Role grant models: who holds which role, from when, until when, and why."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints

RoleName = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=2, max_length=50,
                                            pattern=r"^[A-Za-z][A-Za-z0-9_]+$")]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class RoleAssign(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role_name: RoleName
    reason: Reason
    effective_from: AwareDatetime | None = None  # default: now
    expires_at: AwareDatetime | None = None      # default: never


class RoleGrantOut(BaseModel):
    user_id: UUID
    role_name: str
    effective_from: datetime
    expires_at: datetime | None
    granted_by: UUID | None
    reason: str
    granted_at: datetime


class RoleAuditOut(BaseModel):
    id: int
    user_id: UUID
    username: str
    role_name: str
    action: str
    effective_from: datetime | None
    expires_at: datetime | None
    actor_id: UUID | None
    actor_username: str
    reason: str
    created_at: datetime
