"""Accounts: registration, profile, password change, admin search, enable/disable and deletion."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from backend.core.settings import Settings
from backend.new_services.service_manager import service
from backend.new_services.user_management.login_throttle import LoginThrottle
from backend.new_services.user_management.passwords import (
    check_password_policy, hash_password, verify_password,
)
from backend.new_services.user_management.role_service import refuse_losing_last_admin
from backend.new_services.user_management.session_policy import utcnow
from backend.repositories.kit import Sort
from backend.request_handling.errors import (
    ConflictError, NotFoundError, PermissionDeniedError,
)

logger = logging.getLogger(__name__)

_UNSET = object()


async def _refuse_taken(user_repository, username: str, email: str) -> None:
    if await user_repository.username_taken(username):
        raise ConflictError(f"username {username!r} is already taken", details={"field": "username"},
                            code="username_taken")
    if await user_repository.email_taken(email):
        raise ConflictError("an account with this email already exists", details={"field": "email"},
                            code="email_taken")


async def _insert(user_repository, *, username: str, email: str, full_name: str | None,
                  password_hash: str) -> UUID:
    user_id = await user_repository.insert(username=username, email=email, full_name=full_name,
                                           password_hash=password_hash, now=utcnow())
    if user_id is None:  # lost a race with a concurrent registration
        raise ConflictError("username or email is already taken", code="account_exists")
    return user_id


async def _new_account(uow, settings: Settings, *, username: str, email: str, full_name: str | None,
                       password: str, then: Callable[[Any, UUID], Awaitable[None]] | None = None) -> dict:
    """Create an account: checks, then Argon2 while no connection is held, then one short transaction
    inserting the user (and whatever `then(repos, user_id)` adds to it). Returns the new user."""
    username, email = username.strip(), email.strip().lower()
    check_password_policy(password, username=username, email=email)
    async with uow.session() as repos:
        await _refuse_taken(repos.user, username, email)
    password_hash = await hash_password(settings, password)
    async with uow.step() as repos:
        user_id = await _insert(repos.user, username=username, email=email, full_name=full_name,
                                password_hash=password_hash)
        if then is not None:
            await then(repos, user_id)
        return await repos.user.get(user_id, now=utcnow())


@service("user_management.user.register", repositories=["user"], scope="steps")
async def register_user(*, uow, settings: Settings, username: str, email: str, full_name: str | None = None,
                        password: str) -> dict:
    """Self-service sign-up."""
    user = await _new_account(uow, settings, username=username, email=email, full_name=full_name,
                              password=password)
    logger.info("user registered", extra={"user_id": str(user["id"])})
    return user


@service("user_management.user.create_admin", repositories=["user", "role"], scope="steps")
async def create_admin(*, uow, settings: Settings, username: str, email: str, password: str,
                       full_name: str | None = None, created_by: str = "cli") -> dict:
    """A new account holding the admin role (the CLI's `create-admin`; never a default password)."""

    async def grant_admin(repos, user_id: UUID) -> None:
        now = utcnow()
        await repos.role.grant(user_id=user_id, role_name="admin", effective_from=now, expires_at=None,
                               granted_by=None, reason=f"initial admin created by {created_by}", now=now)
        await repos.role.audit(user_id=user_id, username=username.strip(), role_name="admin", action="grant",
                               effective_from=now, expires_at=None, actor_id=None, actor_username=created_by,
                               reason="initial admin account", now=now)

    user = await _new_account(uow, settings, username=username, email=email, full_name=full_name,
                              password=password, then=grant_admin)
    logger.warning("admin account %s created by %s", user["username"], created_by)
    return user


@service("user_management.user.get", repositories=["user"])
async def get_user(*, user_repository, user_id: str) -> dict:
    user = await user_repository.get(UUID(str(user_id)), now=utcnow())
    if user is None:
        raise NotFoundError("user not found")
    return user


async def _reauthenticate(user_repository, settings: Settings, redis, uid: UUID, password: str | None,
                          client_ip: str) -> dict:
    """The signed-in user proves it is them with their current password (before changing their
    password or email, or deleting their account). Wrong guesses count against the login throttle,
    so a stolen session cannot be used to guess; the refusal is a 403: the caller *is* signed in."""
    credentials = await user_repository.get_credentials_by_id(uid)
    if credentials is None:
        raise NotFoundError("user not found")
    if not password:
        raise PermissionDeniedError("this change needs your current password",
                                    details={"field": "current_password"}, code="current_password_required")
    throttle = LoginThrottle(redis, settings)
    await throttle.check(f"id:{uid}", client_ip)
    if not await verify_password(settings, credentials["password_hash"], password):
        await throttle.record_failure(f"id:{uid}", client_ip)
        raise PermissionDeniedError("current password is incorrect", details={"field": "current_password"},
                                    code="invalid_current_password")
    await throttle.record_success(f"id:{uid}", client_ip)
    return credentials


@service("user_management.user.update_profile", repositories=["user"])
async def update_profile(*, user_repository, settings: Settings, redis, user_id: str, client_ip: str,
                         email: str | None = None, full_name: str | None | object = _UNSET,
                         current_password: str | None = None) -> dict:
    """Own email and/or full name; a new email needs the current password (it is how the account
    is recovered, so a stolen session must not be able to move it)."""
    uid = UUID(str(user_id))
    if email is not None:
        email = email.strip().lower()
        current = await user_repository.get(uid, now=utcnow())
        if current is None:
            raise NotFoundError("user not found")
        if email != current["email"]:
            await _reauthenticate(user_repository, settings, redis, uid, current_password, client_ip)
        if await user_repository.email_taken(email, except_user_id=uid):
            raise ConflictError("an account with this email already exists", details={"field": "email"},
                                code="email_taken")
    sent = full_name is not _UNSET
    updated = await user_repository.update_profile(uid, email=email, full_name=full_name if sent else None,
                                                   full_name_sent=sent, now=utcnow())
    if not updated:
        raise NotFoundError("user not found")
    return await user_repository.get(uid, now=utcnow())


@service("user_management.user.change_password", repositories=["user", "session"])
async def change_password(*, user_repository, session_repository, settings: Settings, redis, user_id: str,
                          current_session_id: str | None, current_password: str, new_password: str,
                          client_ip: str) -> int:
    """Re-authenticates with the current password; every other session of the user is revoked."""
    uid = UUID(str(user_id))
    credentials = await _reauthenticate(user_repository, settings, redis, uid, current_password, client_ip)
    check_password_policy(new_password, username=credentials["username"], email=credentials["email"])
    if await verify_password(settings, credentials["password_hash"], new_password):
        raise ConflictError("the new password must differ from the current one", code="password_unchanged")
    now = utcnow()
    await user_repository.set_password_hash(uid, await hash_password(settings, new_password), now=now,
                                            password_changed=True)
    revoked = await session_repository.revoke_all_for_user(
        uid, now=now, reason="password_changed",
        except_session_id=UUID(current_session_id) if current_session_id else None)
    logger.info("password changed; %d other session(s) revoked", revoked)
    return revoked


@service("user_management.user.search", repositories=["user"])
async def search_users(*, user_repository, sort: Sort, search: str | None = None, is_active: bool | None = None,
                       role: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    return await user_repository.search(search=search, is_active=is_active, role=role, sort=sort, now=utcnow(),
                                        limit=limit, offset=offset)


async def _refuse_losing_last_admin(role_repository, user_repository, user_id: UUID, now) -> None:
    user = await user_repository.get(user_id, now=now)
    if user is not None:
        await refuse_losing_last_admin(role_repository, user, now)


@service("user_management.user.set_active", repositories=["user", "session", "role"])
async def set_user_active(*, user_repository, session_repository, role_repository, user_id: str,
                          is_active: bool, reason: str, actor_username: str) -> dict:
    """Admin: disable (revoking every session) or re-enable an account."""
    uid, now = UUID(str(user_id)), utcnow()
    if not is_active:
        await _refuse_losing_last_admin(role_repository, user_repository, uid, now)
    if not await user_repository.set_active(uid, is_active, now=now):
        raise NotFoundError("user not found")
    if not is_active:
        await session_repository.revoke_all_for_user(uid, now=now, reason="user_disabled")
    logger.warning("user %s %s by %s: %s", uid, "enabled" if is_active else "disabled", actor_username, reason)
    return await user_repository.get(uid, now=now)


@service("user_management.user.delete", repositories=["user", "session", "role"])
async def delete_user(*, user_repository, session_repository, role_repository, settings: Settings, redis,
                      user_id: str, actor_id: str, actor_is_admin: bool, actor_username: str, client_ip: str,
                      current_password: str | None = None) -> None:
    """An admin may delete anyone, a user only themself, and only with their current password.
    Sessions go with the account."""
    uid, now = UUID(str(user_id)), utcnow()
    if str(uid) != str(actor_id) and not actor_is_admin:
        # Same answer as for a missing user: a non-admin learns nothing about other accounts.
        raise NotFoundError("user not found")
    if str(uid) == str(actor_id):
        await _reauthenticate(user_repository, settings, redis, uid, current_password, client_ip)
    await _refuse_losing_last_admin(role_repository, user_repository, uid, now)
    await session_repository.revoke_all_for_user(uid, now=now, reason="user_deleted")
    if not await user_repository.delete(uid):
        raise NotFoundError("user not found")
    logger.warning("user %s deleted by %s", uid, actor_username)
