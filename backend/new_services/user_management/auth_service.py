"""Sign-in: login (new session + tokens), refresh-token rotation, logout, and resolving a caller."""
from __future__ import annotations

import logging
from datetime import timedelta
from uuid import UUID

from backend.core.settings import Settings
from backend.new_services.service_manager import service
from backend.new_services.user_management.login_throttle import LoginThrottle
from backend.new_services.user_management.passwords import check_password, hash_password, needs_rehash
from backend.new_services.user_management.session_policy import TOUCH_INTERVAL, session_is_usable, utcnow
from backend.new_services.user_management.tokens import create_access_token, new_opaque_token, token_digest
from backend.request_handling.errors import AuthenticationError

logger = logging.getLogger(__name__)

BAD_CREDENTIALS = "incorrect username or password"
MAX_USER_AGENT = 300


async def _issue_tokens(session_repository, settings: Settings, *, user_id: UUID, session_id: UUID,
                        session_expires_at, now) -> dict:
    refresh_token = new_opaque_token()
    # A refresh token never outlives its session.
    await session_repository.create_refresh_token(session_id=session_id, token_hash=token_digest(refresh_token),
                                                  now=now, expires_at=session_expires_at)
    return {
        "access_token": create_access_token(settings, user_id=str(user_id), session_id=str(session_id), now=now),
        "token_type": "bearer",
        "expires_in": settings.access_token_ttl_seconds,
        "refresh_token": refresh_token,
        "session_id": str(session_id),
    }


@service("user_management.auth.login", repositories=["user", "session"], scope="steps")
async def login(*, uow, settings: Settings, redis, username: str, password: str, client_ip: str,
                user_agent: str | None = None, previous_session_token: str | None = None) -> dict:
    """Verify credentials and open a brand-new session (the previous one, if any, is revoked).

    Unknown user, wrong password and disabled account give the same 401 after the same Argon2 work.
    In steps: Argon2 runs while no pooled connection is held, so a burst of logins cannot starve
    the pool; the writes then happen in one short transaction.
    """
    throttle = LoginThrottle(redis, settings)
    async with uow.session() as repos:
        credentials = await repos.user.get_credentials(username.strip())
    # Count an existing account by its id, so "alice" and "alice@example.com" share one budget.
    account = f"id:{credentials['id']}" if credentials else f"login:{username.strip().lower()}"
    await throttle.check(account, client_ip)
    password_ok, unnormalised = await check_password(settings, credentials["password_hash"] if credentials else None,
                                                     password)
    if not password_ok or not credentials["is_active"]:
        await throttle.record_failure(account, client_ip)
        logger.warning("failed login", extra={"client_ip": client_ip})
        raise AuthenticationError(BAD_CREDENTIALS, code="invalid_credentials")
    await throttle.record_success(account, client_ip)

    user_id = credentials["id"]
    new_hash = (await hash_password(settings, password)
                if unnormalised or needs_rehash(settings, credentials["password_hash"]) else None)
    session_token = new_opaque_token()
    now = utcnow()
    expires_at = now + timedelta(seconds=settings.session_absolute_lifetime_seconds)
    async with uow.step() as repos:
        users, sessions = repos.user, repos.session
        # The account may have been disabled, deleted or given a new password while we hashed.
        current = await users.get_credentials_by_id(user_id, for_update=True)
        if current is None or not current["is_active"] or current["password_hash"] != credentials["password_hash"]:
            raise AuthenticationError(BAD_CREDENTIALS, code="invalid_credentials")
        if new_hash is not None:
            await users.set_password_hash(user_id, new_hash, now=now, password_changed=False)
        if previous_session_token:
            await sessions.revoke_by_token_hash(token_digest(previous_session_token), now=now,
                                                reason="replaced_by_login")
        session_id = await sessions.create(
            user_id=user_id, token_hash=token_digest(session_token), now=now, expires_at=expires_at,
            ip_address=client_ip, user_agent=(user_agent or "")[:MAX_USER_AGENT] or None)
        await users.record_login(user_id, now=now)
        tokens = await _issue_tokens(sessions, settings, user_id=user_id, session_id=session_id,
                                     session_expires_at=expires_at, now=now)
    logger.info("login", extra={"user": credentials["username"], "session_id": str(session_id)})
    return {**tokens, "session_token": session_token, "session_expires_at": expires_at}


@service("user_management.auth.refresh", repositories=["session"], scope="steps")
async def refresh(*, uow, settings: Settings, refresh_token: str) -> dict:
    """Exchange a refresh token for a new access and refresh token.

    A token that was already used means it leaked (or a client raced itself): the whole family —
    the session and every token issued for it — is revoked, and that revocation is committed
    before the 401 is returned. Hence a step that commits before the refusal is raised.
    """
    now = utcnow()
    async with uow.step() as repos:
        sessions = repos.session
        token = await sessions.refresh_token_by_hash(token_digest(refresh_token))
        if token is None:
            problem = "unknown token"
        elif token["used_at"] is not None:
            problem = "token already used"
        elif token["revoked_at"] is not None:
            problem = "token revoked"
        elif now >= token["expires_at"]:
            problem = "token expired"
        elif not await sessions.consume_refresh_token(token["id"], now=now):
            problem = "token already used"  # a concurrent request spent it first
        else:
            session = await sessions.principal_by_session_id(token["session_id"], token["user_id"], now=now)
            if session is None or not session["is_active"] or not session_is_usable(settings, session, now):
                problem = "session ended"
            else:
                await sessions.touch(token["session_id"], now=now)
                return await _issue_tokens(sessions, settings, user_id=token["user_id"],
                                           session_id=token["session_id"],
                                           session_expires_at=session["expires_at"], now=now)
        if problem == "token already used":
            await sessions.revoke(token["session_id"], now=now, reason="refresh_token_reuse")
            logger.warning("refresh token reuse detected; session %s revoked", token["session_id"])
    raise AuthenticationError(f"refresh token refused: {problem}", code="invalid_refresh_token")


@service("user_management.auth.logout", repositories=["session"])
async def logout(*, session_repository, session_id: str | None = None, session_token: str | None = None) -> bool:
    now = utcnow()
    if session_id:
        return await session_repository.revoke(UUID(str(session_id)), now=now, reason="logout")
    if session_token:
        return await session_repository.revoke_by_token_hash(token_digest(session_token), now=now,
                                                             reason="logout") is not None
    return False


@service("user_management.auth.authenticate", repositories=["session"], scope="autocommit")
async def authenticate(*, session_repository, settings: Settings, session_token: str | None = None,
                       session_id: str | None = None, user_id: str | None = None) -> dict:
    """Resolve a session cookie, or the (session, user) pair of a verified access token, to its user.

    Refused (401) when the session is unknown, revoked, past its absolute lifetime, idle too long,
    or its user is disabled. Use refreshes last_seen_at (at most once a minute). Runs on every
    authenticated request, so it uses single autocommit statements rather than a transaction.
    """
    now = utcnow()
    if session_token is not None:
        found = await session_repository.principal_by_token_hash(token_digest(session_token), now=now)
    elif session_id is not None and user_id is not None:
        found = await session_repository.principal_by_session_id(UUID(session_id), UUID(user_id), now=now)
    else:
        found = None
    if found is None or not found["is_active"] or not session_is_usable(settings, found, now):
        raise AuthenticationError("session is invalid or has expired; sign in again", code="session_expired")
    if now - found["last_seen_at"] >= TOUCH_INTERVAL:
        await session_repository.touch(found["session_id"], now=now)
    return {
        "user_id": str(found["user_id"]),
        "username": found["username"],
        "roles": tuple(found["roles"]),
        "session_id": str(found["session_id"]),
    }
