"""The one pure-ASGI middleware on every request: request id in, request id out, bugs as 500s.

Pure ASGI (not BaseHTTPMiddleware) keeps the hot path cheap; being a single layer it sees both the
request id and any unhandled exception, so even a 500 carries the id in its body and header.
"""
from __future__ import annotations

import logging
import re
import uuid

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.core.logging_config import user_context_var
from backend.request_handling.exception_handlers import error_body_for
from backend.request_handling.request_context import request_id_var

logger = logging.getLogger("automana.errors")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
# On every response: no MIME sniffing, no referrer leaks, never framed. The API serves JSON (no
# content of its own to load); the docs page loads its local script and styles (Swagger UI needs
# inline script and styles, and data: images).
_SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                     (b"x-frame-options", b"DENY")]
_API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
_DOCS_CSP = (b"content-security-policy", b"default-src 'self'; script-src 'self' 'unsafe-inline'; "
                                         b"style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                                         b"frame-ancestors 'none'")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:   # every GET route answers HEAD: the same status and headers, no body
            scope = {**scope, "method": "GET"}
        incoming = None
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        # Only echo ids that are safe to put in logs and headers.
        request_id = incoming if incoming and _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        # The caller is named by the auth dependency; until then (and after) records name nobody,
        # even when requests share one task (in-process clients).
        user_token = user_context_var.set(None)
        scope.setdefault("state", {})["request_id"] = request_id
        header = (b"x-request-id", request_id.encode("latin-1"))
        added = [header, *_SECURITY_HEADERS, _DOCS_CSP if scope["path"].startswith("/docs") else _API_CSP]
        replaced = {name for name, _ in added} | {b"server"}
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [(k, v) for k, v in message.get("headers", []) if k.lower() not in replaced]
                message["headers"].extend(added)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            logger.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            body = orjson.dumps(error_body_for(scope.get("path", ""), 500, "internal_error",
                                               "An internal error occurred; quote the request id when reporting it."))
            await send({"type": "http.response.start", "status": 500, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *added]})
            await send({"type": "http.response.body", "body": body})
        finally:
            request_id_var.reset(token)
            user_context_var.reset(user_token)
