"""The `session_id` cookie: HttpOnly, SameSite (Lax by default), Secure outside dev, Path=/."""
from __future__ import annotations

from fastapi import Response

from backend.core.settings import Settings
from backend.dependancies.auth.users import SESSION_COOKIE


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=settings.session_absolute_lifetime_seconds, path="/",
        httponly=True, secure=bool(settings.session_cookie_secure), samesite=settings.session_cookie_samesite,
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, secure=bool(settings.session_cookie_secure),
                           samesite=settings.session_cookie_samesite)


def no_store(response: Response) -> None:
    """Token responses must not be cached by browsers or proxies (RFC 6749 section 5.1)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
