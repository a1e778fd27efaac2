"""Secrets handed to clients: opaque session/refresh tokens (stored only as digests) and access JWTs."""
from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from jose import JWTError, jwt

from backend.core.settings import Settings
from backend.request_handling.errors import AuthenticationError

JWT_ALGORITHM = "HS256"
# Clocks of the machines behind one deployment may differ a little; a token issued further in the
# future than this was not issued by us.
ISSUED_AT_LEEWAY_SECONDS = 60
TOKEN_BYTES = 32  # 256 bits from the OS CSPRNG


def new_opaque_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> bytes:
    # The tokens carry 256 random bits, so a plain SHA-256 (no salt, no stretching) cannot be reversed.
    return hashlib.sha256(token.encode("utf-8")).digest()


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    session_id: str
    token_id: str


def create_access_token(settings: Settings, *, user_id: str, session_id: str, now: datetime) -> str:
    issued = int(now.timestamp())
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "jti": uuid.uuid4().hex,
        "iat": issued,
        "exp": issued + settings.access_token_ttl_seconds,
        "typ": "access",
    }
    return jwt.encode(claims, settings.jwt_secret_key.get_secret_value(), algorithm=JWT_ALGORITHM)


def decode_access_token(settings: Settings, token: str, *, now: datetime | None = None) -> AccessClaims:
    """Verify signature, algorithm, expiry and issue time; the session it names is checked by the caller."""
    current = (now or datetime.now(timezone.utc)).timestamp()
    try:
        claims = jwt.decode(
            token, settings.jwt_secret_key.get_secret_value(), algorithms=[JWT_ALGORITHM],
            options={"require_exp": True, "require_iat": True, "require_sub": True, "require_jti": True},
        )
        if claims.get("typ") != "access":
            raise JWTError("not an access token")
        if not isinstance(claims["iat"], (int, float)) or claims["iat"] > current + ISSUED_AT_LEEWAY_SECONDS:
            raise JWTError("issued in the future")
        return AccessClaims(user_id=str(uuid.UUID(claims["sub"])), session_id=str(uuid.UUID(claims["sid"])),
                            token_id=str(claims["jti"]))
    except (JWTError, KeyError, ValueError, TypeError):
        raise AuthenticationError("invalid or expired access token", code="invalid_token") from None
