"""Account models: registration, profile, password change, and the public view of a user."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from backend.new_services.user_management.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=50,
                                            pattern=r"^[A-Za-z0-9_.-]+$")]
Password = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)]
CurrentPassword = Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)]
FullName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


# Public sort names of the admin user list (the repository maps each to SQL).
USER_SORT_FIELDS = ("username", "email", "created_at", "last_login_at")


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username
    email: EmailStr
    full_name: FullName | None = None
    password: Password


class UserUpdate(BaseModel):
    """Fields left out are unchanged; `full_name: null` clears the name."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr | None = None
    full_name: FullName | None = None
    current_password: CurrentPassword | None = Field(default=None, description="Required to change the email")


class AccountDeletion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: CurrentPassword


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: CurrentPassword
    new_password: Password


class UserActiveUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    is_active: bool
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class UserOut(BaseModel):
    id: UUID
    username: str
    email: str
    full_name: str | None
    is_active: bool
    roles: list[str] = Field(description="Roles in effect now")
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None
