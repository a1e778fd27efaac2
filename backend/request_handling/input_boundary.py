"""The input boundary, in one pure-ASGI layer before any route runs:

- request bodies are counted while they stream in and refused with 413 past the limit (the
  declared Content-Length is checked first), so no body is ever parsed or held whole beyond it —
  the default limit for every route, a larger one for routes that stream uploads to disk;
- text the database cannot hold is refused with 422 naming where it was: a NUL character or
  invalid UTF-8 in the path, a query or form parameter, or a JSON string (`\\u0000`);
- a multipart body whose boundary is not 1-70 characters (RFC 2046) is a 400.

Refusing here means no value that asyncpg or Postgres cannot hold reaches a service.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

import orjson
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.request_handling.exception_handlers import error_body_for
from backend.request_handling.routes import mounted_routes

# `\u0000` in JSON text that is an escape (an odd run of backslashes before `u0000`).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
_FORM_TYPES = (b"application/x-www-form-urlencoded",)
# RFC 2046: a multipart boundary is 1 to 70 characters.
_BOUNDARY = re.compile(rb"boundary=\"?([^\";]*)", re.IGNORECASE)
_MAX_BOUNDARY = 70
_JSON_TYPES = (b"application/json",)


@dataclass(frozen=True)
class BodyLimit:
    """A route whose body may be larger than the default (it streams the body to disk itself)."""

    path_regex: re.Pattern
    methods: frozenset[str]
    max_bytes: int


class _Refused(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def _refuse_bad_text(raw: bytes, where: str) -> None:
    """`raw` is percent-encoded: a path, or a query string / form body of name=value pairs."""
    pairs = [(b"", raw)] if where == "path" else [part.partition(b"=")[::2] for part in raw.split(b"&")]
    for name, value in pairs:
        for piece in (name, value):
            decoded = unquote_to_bytes(piece.replace(b"+", b" "))
            if b"\x00" in decoded:
                problem = "contains a NUL character"
            else:
                try:
                    decoded.decode("utf-8")
                    continue
                except UnicodeDecodeError:
                    problem = "is not valid UTF-8"
            parameter = unquote_to_bytes(name).decode("utf-8", "replace").replace("\x00", "\\0") or None
            target = "the path" if where == "path" else f"{where} parameter {parameter!r}"
            raise _Refused(422, "invalid_characters", f"{target} {problem}",
                           {"location": where, "parameter": parameter})


def streams_body(*, max_bytes: int):
    """Mark an endpoint that reads its own body as a stream (to disk) and may take up to
    `max_bytes`; create_app gives the input boundary each marked route's limit."""

    def mark(endpoint):
        endpoint.max_body_bytes = max_bytes
        return endpoint

    return mark


def body_limits_of(routes: Iterable) -> list[BodyLimit]:
    """The marked routes among `routes` (with their full paths)."""
    return [BodyLimit(compile_path(path)[0], frozenset(route.methods), route.endpoint.max_body_bytes)
            for path, route in mounted_routes(routes) if hasattr(route.endpoint, "max_body_bytes")]


class InputBoundaryMiddleware:
    def __init__(self, app: ASGIApp, *, default_max_bytes: int, body_limits: Iterable[BodyLimit] = ()):
        self.app = app
        self.default_max_bytes = default_max_bytes
        self.body_limits = tuple(body_limits)

    def _limit_for(self, scope: Scope) -> tuple[int, bool]:
        """(max bytes, whether the route streams its body itself)."""
        for limit in self.body_limits:
            if scope["method"] in limit.methods and limit.path_regex.match(scope["path"]):
                return limit.max_bytes, True
        return self.default_max_bytes, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            _refuse_bad_text(scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape"), "path")
            if scope.get("query_string"):
                _refuse_bad_text(scope["query_string"], "query")
            max_bytes, streams = self._limit_for(scope)
            headers = dict(scope.get("headers") or ())
            declared = headers.get(b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > max_bytes:
                raise _Refused(413, "payload_too_large", f"the request body is larger than {max_bytes} bytes",
                               {"max_bytes": max_bytes, "content_length": int(declared)})
            content_type = headers.get(b"content-type", b"")
            media_type = content_type.split(b";", 1)[0].strip().lower()
            if media_type.startswith(b"multipart/"):
                boundary = _BOUNDARY.search(content_type)
                if boundary is None or not 1 <= len(boundary.group(1)) <= _MAX_BOUNDARY:
                    raise _Refused(400, "invalid_multipart", "a multipart body needs a boundary of 1 to 70 characters",
                                   {"location": "content-type"})
            if not streams and media_type in _JSON_TYPES + _FORM_TYPES:
                body = await _read_all(receive, max_bytes)
                if media_type in _FORM_TYPES:
                    _refuse_bad_text(body, "form")
                elif _JSON_NUL.search(body):
                    raise _Refused(422, "invalid_characters", "a JSON string contains a NUL character (\\u0000)",
                                   {"location": "body"})
                receive = _replay(body)
            else:
                receive = _counting(receive, max_bytes)
        except _Refused as refused:
            await _send_refusal(send, refused, scope["path"])
            return
        try:
            await self.app(scope, receive, send)
        except _Refused as refused:   # a streamed body passed the limit while the route read it
            await _send_refusal(send, refused, scope["path"])


async def _read_all(receive: Receive, max_bytes: int) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            raise _Refused(413, "payload_too_large", f"the request body is larger than {max_bytes} bytes",
                           {"max_bytes": max_bytes})
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _counting(receive: Receive, max_bytes: int) -> Receive:
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > max_bytes:
                raise _Refused(413, "payload_too_large", f"the request body is larger than {max_bytes} bytes",
                               {"max_bytes": max_bytes})
        return message

    return counted


async def _send_refusal(send: Send, refused: _Refused, path: str) -> None:
    body = orjson.dumps(error_body_for(path, refused.status, refused.code, refused.message, refused.details))
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if refused.status == 413:
        headers.append((b"connection", b"close"))   # the rest of the body is not read
    try:
        await send({"type": "http.response.start", "status": refused.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
    except RuntimeError:   # the route had already started its response: nothing more can be said
        pass
