"""A local fake of the MTGStocks API for tests and offline use: `GET /prints/{id}` and
`GET /prints/{id}/prices` served from an in-memory dict, in the real shapes, with knobs for 429s
(with Retry-After), 500s, a per-second rate limit and a dying server; every request is recorded.

A dying server (`die_after_requests = N`): the first N requests are answered normally; every later
one gets a 503 status line and headers announcing a JSON body, then the connection is closed after
a few bytes of it. To a client that is a connection dropped mid-response (httpx raises
RemoteProtocolError, a transport error): what a crashing process, or a proxy losing its upstream,
looks like. A client must retry it and finally give up; it must never read it as an answer.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from backend.integrations.local_server import LocalAsgiServer

PRICE_SERIES = ("low", "avg", "high", "foil", "market", "market_foil")


@dataclass
class FakeBehaviour:
    """Knobs tests turn, and what the fake saw."""

    fail_next_with_429: int = 0
    retry_after_seconds: int = 1
    fail_next_with_500: int = 0
    die_after_requests: int | None = None
    max_requests_per_second: float | None = None
    requests: list[str] = field(default_factory=list)                 # paths, in order
    request_headers: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    request_times: list[float] = field(default_factory=list)          # the fake's clock at each request
    statuses: list[int] = field(default_factory=list)                 # status answered to each request
    _window: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class FakePrint:
    details: dict[str, Any]
    prices: dict[str, Any] | None = None     # None: a print without history (all series empty)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


class FakeMtgStock:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic):
        self.clock = clock            # the rate limit's time; tests share their fake clock with it
        self.prints: dict[int, FakePrint] = {}
        self.behaviour = FakeBehaviour()
        self.app = Starlette(
            routes=[Route("/prints/{print_id:int}", self.details),
                    Route("/prints/{print_id:int}/prices", self.prices)],
            exception_handlers={HTTPException: self._http_error},
        )
        self.app.add_middleware(_GateMiddleware, fake=self)

    def add_print(self, details: dict[str, Any], prices: dict[str, Any] | None = None) -> None:
        self.prints[int(details["id"])] = FakePrint(details, prices)

    async def details(self, request: Request) -> Response:
        found = self.prints.get(request.path_params["print_id"])
        if found is None:
            return _error(404, "Print not found")
        return JSONResponse(found.details)

    async def prices(self, request: Request) -> Response:
        found = self.prints.get(request.path_params["print_id"])
        if found is None:
            return _error(404, "Print not found")
        return JSONResponse(found.prices if found.prices is not None else {key: [] for key in PRICE_SERIES})

    async def _http_error(self, request: Request, exc: HTTPException) -> Response:
        return _error(exc.status_code, exc.detail)


class _GateMiddleware:
    """Records each request, then applies a dead server, injected failures and the rate limit before
    any endpoint runs."""

    def __init__(self, app: Any, fake: FakeMtgStock):
        self.app = app
        self.fake = fake

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        b = self.fake.behaviour
        response = None
        dead = False
        with b._lock:
            now = self.fake.clock()
            b.requests.append(scope["path"])
            b.request_headers.append((scope["path"], {k.decode("latin-1"): v.decode("latin-1")
                                                      for k, v in scope["headers"]}))
            b.request_times.append(now)
            if b.die_after_requests is not None and len(b.requests) > b.die_after_requests:
                dead = True
            elif b.fail_next_with_429 > 0:
                b.fail_next_with_429 -= 1
                response = _error(429, "Too many requests", {"Retry-After": str(b.retry_after_seconds)})
            elif b.fail_next_with_500 > 0:
                b.fail_next_with_500 -= 1
                response = _error(500, "Internal server error")
            elif b.max_requests_per_second:
                b._window = [t for t in b._window if now - t < 1.0]
                if len(b._window) >= b.max_requests_per_second:
                    response = _error(429, "Too many requests", {"Retry-After": "1"})
                else:
                    b._window.append(now)

        async def recording_send(message):
            if message["type"] == "http.response.start":
                with b._lock:
                    b.statuses.append(message["status"])
            await send(message)

        if dead:
            return await _cut_connection(recording_send)
        return await (response or self.app)(scope, receive, recording_send)


async def _cut_connection(send) -> None:
    # Announce 64 bytes, send 10, and return: uvicorn then closes the connection mid-body.
    await send({"type": "http.response.start", "status": 503,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")]})
    await send({"type": "http.response.body", "body": b'{"error": ', "more_body": True})


class FakeMtgStockServer(LocalAsgiServer):
    """FakeMtgStock served on a free localhost port in a background thread."""

    def __init__(self, fake: FakeMtgStock | None = None, *, host: str = "127.0.0.1", port: int = 0):
        self.fake = fake or FakeMtgStock()
        super().__init__(self.fake.app, host=host, port=port, name="fake-mtgstocks")

    @property
    def behaviour(self) -> FakeBehaviour:
        return self.fake.behaviour
