"""Cross-site request refusal for cookie-authenticated writes (Fetch Metadata, then Origin).

Browsers attach the session cookie to cross-site requests that SameSite=Lax still lets through
(and same-site sibling origins), so unsafe methods must also prove they come from an allowed origin.
Bearer-token requests are not affected: a cross-site page cannot set an Authorization header.
"""
from __future__ import annotations

from fastapi import Request

from backend.request_handling.errors import PermissionDeniedError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _own_origin(request: Request) -> str | None:
    host = request.headers.get("host")
    return f"{request.url.scheme}://{host}".lower() if host else None


def allowed_origins(request: Request) -> set[str]:
    settings = request.app.state.settings
    origins = {o.rstrip("/").lower() for o in [*settings.csrf_trusted_origins, *settings.cors_origins]}
    own = _own_origin(request)
    if own:
        origins.add(own)
    return origins


def enforce_same_origin(request: Request) -> None:
    """Raise 403 when a state-changing request was sent by another site."""
    if request.method.upper() in SAFE_METHODS:
        return
    fetch_site = (request.headers.get("sec-fetch-site") or "").lower()
    if fetch_site in ("same-origin", "none"):
        return
    origin = request.headers.get("origin")
    if origin is not None and origin != "null" and origin.rstrip("/").lower() in allowed_origins(request):
        return
    if not fetch_site and origin is None:
        return  # not a browser (or one too old to send either header): no ambient cookie risk to judge
    raise PermissionDeniedError(
        "cross-site request refused for a cookie-authenticated session; send it from an allowed origin "
        "or authenticate with a Bearer token",
        details={"sec_fetch_site": fetch_site or None, "origin": origin}, code="cross_site_request",
    )
