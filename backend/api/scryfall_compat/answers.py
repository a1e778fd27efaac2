"""How /scryfall answers: JSON text with API URIs pointed at this server, Scryfall's common parameters
(format, pretty, face, version), and Scryfall error objects for every error under the prefix."""
from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from backend.core.settings import Settings
from backend.request_handling.errors import NotFoundError
from backend.schemas.scryfall_compat.card import ScryfallError

PREFIX = "/scryfall"
SOURCE_API = b"https://api.scryfall.com"
JSON = "application/json; charset=utf-8"
# Our error codes that Scryfall spells otherwise, and the `type` Scryfall adds to some errors.
_CODES = {"invalid_query": "bad_request", "ambiguous_name": "not_found", "payload_too_large": "bad_request"}
_TYPES = {"ambiguous_name": "ambiguous"}

ERROR_DOC = {status: {"model": ScryfallError, "description": description} for status, description in (
    (400, "Bad request (a Scryfall error object says what was wrong)"),
    (404, "Not found (a Scryfall error object)"),
    (413, "Request body too large (a Scryfall error object)"),
    (422, "Invalid parameter (a Scryfall error object)"),
    (429, "Too many requests (see Retry-After)"),
    (503, "A dependency is unavailable (see Retry-After)"),
)}


def scryfall_error(status: int, code: str, message: str, details: Any) -> dict:
    """Scryfall's error object for one of our errors (the shape every /scryfall error answers with)."""
    body: dict[str, Any] = {"object": "error", "code": _CODES.get(code, code), "status": status, "details": message}
    if code in _TYPES:
        body["type"] = _TYPES[code]
    if isinstance(details, list):   # validation errors: where and why, as Scryfall's warnings
        body["warnings"] = [".".join(d.get("location", ())) + ": " + str(d.get("message"))
                            for d in details if isinstance(d, dict)]
    return body


def api_base(request: Request, settings: Settings) -> bytes:
    if settings.public_base_url:
        return (settings.public_base_url.rstrip("/") + PREFIX).encode()
    scheme = request.scope.get("scheme", "http")
    host = request.headers.get("host")
    if not host:
        server = request.scope.get("server") or ("localhost", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scheme}://{host}{request.scope.get('root_path', '')}{PREFIX}".encode()


class Common:
    """Scryfall's parameters accepted on every route (format, pretty, face, version) and this
    server's API base for the answer's URIs."""

    __slots__ = ("base", "format", "pretty", "face", "version")

    def __init__(self, base: bytes, format: str, pretty: str, face: str, version: str):
        # Clients such as scrython send every common parameter, empty when unset: empty means default.
        self.base = base
        self.format = format or "json"
        self.pretty = pretty.lower() in ("true", "1")
        self.face = face or None
        self.version = version or None

    def answer(self, text: str | bytes, status_code: int = 200) -> Response:
        body = text.encode() if isinstance(text, str) else text
        body = body.replace(SOURCE_API, self.base)
        if self.pretty:
            body = orjson.dumps(orjson.loads(body), option=orjson.OPT_INDENT_2)
        return Response(body, status_code=status_code, media_type=JSON)

    def card(self, text: str) -> Response:
        """A card object, or with format=image a redirect to its image."""
        if self.format != "image":
            return self.answer(text)
        card = orjson.loads(text)
        faces = card.get("card_faces") or []
        source = faces[1] if self.face == "back" and len(faces) > 1 else card
        images = source.get("image_uris") or (faces[0].get("image_uris") if faces else None) or {}
        uri = images.get(self.version or "large")
        if not uri:
            raise NotFoundError("This card has no image in that version or face.")
        return RedirectResponse(uri, status_code=302)


# An async dependency: a sync one would run in the thread pool, a hop that costs more than the
# whole card-by-id answer.
async def common_parameters(request: Request, format: Literal["json", "image", ""] = "json",
                            pretty: Literal["true", "false", "True", "False", "1", "0", ""] = "",
                            face: Literal["front", "back", ""] = "",
                            version: Literal["small", "normal", "large", "png", "art_crop", "border_crop", ""] = "",
                            ) -> Common:
    return Common(api_base(request, request.app.state.settings), format, pretty, face, version)


CommonDep = Annotated[Common, Depends(common_parameters)]
