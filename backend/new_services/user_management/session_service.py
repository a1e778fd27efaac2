"""A user's sessions: list, read, revoke one, revoke all but the current one. Admins see everyone's."""
from __future__ import annotations

import logging
from datetime import timedelta
from uuid import UUID

from backend.core.settings import Settings
from backend.new_services.service_manager import service
from backend.new_services.user_management.session_policy import session_view, utcnow
from backend.request_handling.errors import NotFoundError, PermissionDeniedError

logger = logging.getLogger(__name__)


async def _owned_session(session_repository, session_id: str, actor_id: str, actor_is_admin: bool) -> dict:
    session = await session_repository.get(UUID(str(session_id)))
    # Another user's session is reported as missing: its existence is not the caller's business.
    if session is None or (str(session["user_id"]) != str(actor_id) and not actor_is_admin):
        raise NotFoundError("session not found")
    return session


@service("user_management.session.list", repositories=["session"])
async def list_sessions(*, session_repository, settings: Settings, actor_id: str, actor_is_admin: bool,
                        current_session_id: str | None, user_id: str | None = None, all_users: bool = False,
                        active_only: bool = True, limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """Own sessions by default; an admin may name another user or ask for all users."""
    if (user_id is not None and str(user_id) != str(actor_id)) or all_users:
        if not actor_is_admin:
            raise PermissionDeniedError("only admins may list other users' sessions")
    target = None if all_users else UUID(str(user_id or actor_id))
    now = utcnow()
    rows, total = await session_repository.list(user_id=target, active_only=active_only, now=now,
                                                idle_timeout_seconds=settings.session_idle_timeout_seconds,
                                                limit=limit, offset=offset)
    return [session_view(settings, row, now, current_session_id) for row in rows], total


@service("user_management.session.get", repositories=["session"])
async def get_session(*, session_repository, settings: Settings, session_id: str, actor_id: str,
                      actor_is_admin: bool, current_session_id: str | None) -> dict:
    session = await _owned_session(session_repository, session_id, actor_id, actor_is_admin)
    return session_view(settings, session, utcnow(), current_session_id)


@service("user_management.session.revoke", repositories=["session"])
async def revoke_session(*, session_repository, settings: Settings, session_id: str, actor_id: str,
                         actor_is_admin: bool, current_session_id: str | None) -> dict:
    session = await _owned_session(session_repository, session_id, actor_id, actor_is_admin)
    now = utcnow()
    reason = "revoked_by_user" if str(session["user_id"]) == str(actor_id) else "revoked_by_admin"
    await session_repository.revoke(session["id"], now=now, reason=reason)
    return session_view(settings, await session_repository.get(session["id"]), now, current_session_id)


@service("user_management.session.revoke_others", repositories=["session"])
async def revoke_other_sessions(*, session_repository, actor_id: str, current_session_id: str) -> int:
    """"Log out everywhere else": every session of the caller except the one making the request."""
    revoked = await session_repository.revoke_all_for_user(UUID(str(actor_id)), now=utcnow(),
                                                           reason="logged_out_elsewhere",
                                                           except_session_id=UUID(current_session_id))
    logger.info("revoked %d other session(s)", revoked)
    return revoked


@service("user_management.session.prune", repositories=["session"])
async def prune_sessions(*, session_repository, keep_days: int = 30) -> int:
    """Delete sessions (and their refresh tokens) whose absolute lifetime ended over `keep_days` ago."""
    return await session_repository.delete_expired(before=utcnow() - timedelta(days=max(1, keep_days)))
