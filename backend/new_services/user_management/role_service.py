"""Role grants (with effective date and expiry) and their audit trail: who, whom, what, when, why."""
from __future__ import annotations

import logging
from uuid import UUID

from backend.new_services.service_manager import service
from backend.new_services.user_management.session_policy import utcnow
from backend.request_handling.errors import BadRequestError, ConflictError, NotFoundError

logger = logging.getLogger(__name__)


async def refuse_losing_last_admin(role_repository, user: dict, now) -> None:
    """409 when `user` is an active admin and no other active admin exists (the one rule every
    change that can take admin rights away goes through: revoke, expiring re-grant, disable, delete)."""
    if "admin" in user["roles"] and user["is_active"]:
        if await role_repository.count_active_admins(now=now, excluding=user["id"]) == 0:
            raise ConflictError("this is the last active admin; make another admin first", code="last_admin")


@service("user_management.role.assign", repositories=["user", "role"])
async def assign_role(*, user_repository, role_repository, user_id: str, role_name: str, reason: str,
                      actor_id: str, actor_username: str, effective_from=None, expires_at=None) -> dict:
    uid, now = UUID(str(user_id)), utcnow()
    effective_from = effective_from or now
    if expires_at is not None and expires_at <= effective_from:
        raise BadRequestError("expires_at must be after effective_from",
                              details={"effective_from": effective_from.isoformat(),
                                       "expires_at": expires_at.isoformat()})
    if expires_at is not None and expires_at <= now:
        raise BadRequestError("expires_at is in the past", details={"expires_at": expires_at.isoformat()})
    user = await user_repository.get(uid, now=now)
    if user is None:
        raise NotFoundError("user not found")
    if not await role_repository.exists(role_name):
        roles = [r["name"] for r in await role_repository.list_roles()]
        raise NotFoundError(f"unknown role {role_name!r}", details={"role_name": role_name, "allowed": roles},
                            code="unknown_role")
    if role_name == "admin" and (effective_from > now or expires_at is not None):
        # Re-granting with a future start or an expiry could leave no admin; count the others.
        await refuse_losing_last_admin(role_repository, user, now)
    grant = await role_repository.grant(user_id=uid, role_name=role_name, effective_from=effective_from,
                                        expires_at=expires_at, granted_by=UUID(str(actor_id)), reason=reason,
                                        now=now)
    await role_repository.audit(user_id=uid, username=user["username"], role_name=role_name, action="grant",
                                effective_from=effective_from, expires_at=expires_at, actor_id=UUID(str(actor_id)),
                                actor_username=actor_username, reason=reason, now=now)
    logger.warning("role %s granted to %s by %s: %s", role_name, user["username"], actor_username, reason)
    return grant


@service("user_management.role.revoke", repositories=["user", "role"])
async def revoke_role(*, user_repository, role_repository, user_id: str, role_name: str, reason: str,
                      actor_id: str, actor_username: str) -> None:
    uid, now = UUID(str(user_id)), utcnow()
    user = await user_repository.get(uid, now=now)
    if user is None:
        raise NotFoundError("user not found")
    if role_name == "admin":
        await refuse_losing_last_admin(role_repository, user, now)
    removed = await role_repository.revoke(user_id=uid, role_name=role_name)
    if removed is None:
        raise NotFoundError(f"user does not hold role {role_name!r}", code="role_not_held")
    await role_repository.audit(user_id=uid, username=user["username"], role_name=role_name, action="revoke",
                                effective_from=removed["effective_from"], expires_at=removed["expires_at"],
                                actor_id=UUID(str(actor_id)), actor_username=actor_username, reason=reason, now=now)
    logger.warning("role %s revoked from %s by %s: %s", role_name, user["username"], actor_username, reason)


@service("user_management.role.grants", repositories=["user", "role"])
async def list_grants(*, user_repository, role_repository, user_id: str) -> list[dict]:
    uid = UUID(str(user_id))
    if await user_repository.get(uid, now=utcnow()) is None:
        raise NotFoundError("user not found")
    return await role_repository.grants_for_user(uid)


@service("user_management.role.audit", repositories=["role"])
async def role_audit(*, role_repository, user_id: str, limit: int = 50,
                     offset: int = 0) -> tuple[list[dict], int]:
    return await role_repository.audit_for_user(UUID(str(user_id)), limit=limit, offset=offset)
