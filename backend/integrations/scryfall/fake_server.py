"""A local fake of the Scryfall API for tests and offline use: /bulk-data, /sets (paged) and bulk
files served from a folder, with gzip transfer encoding, ETag/Range, and 429 rate limiting.

Folder layout: `<type>.json` or `<type>.json.gz` per bulk type (default_cards, all_cards, ...),
and optionally `sets.json` (a JSON array of set objects, or a Scryfall list object).
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

BULK_TYPES = ("oracle_cards", "unique_artwork", "default_cards", "all_cards", "rulings")
CHUNK = 64 * 1024


@dataclass
class FakeBehaviour:
    """Knobs tests turn: injected 429s, a transfer cut after N bytes, and a request-rate limit."""

    fail_next_with_429: int = 0
    retry_after_seconds: int = 1
    cut_downloads_after_bytes: int | None = None
    cut_downloads_times: int = 0
    fail_next_with_500: int = 0
    max_requests_per_second: float | None = None
    sets_page_size: int = 50
    requests: list[str] = field(default_factory=list)
    request_headers: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    _window: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)


def _error(status: int, code: str, details: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"object": "error", "status": status, "code": code, "details": details},
                        status_code=status, headers=headers)


class FakeScryfall:
    def __init__(self, data_dir: Path | str):
        self.data_dir = Path(data_dir)
        self.behaviour = FakeBehaviour()
        self.base_url = ""   # set by the runner once the port is known; used in next_page/download URIs
        self.app = Starlette(routes=[
            Route("/bulk-data", self.bulk_data),
            Route("/bulk-data/{bulk_type}", self.bulk_data_one),
            Route("/sets", self.sets),
            Route("/files/{name}", self.file, methods=["GET", "HEAD"]),
        ])
        self.app.add_middleware(_GateMiddleware, fake=self)

    # -- helpers ---------------------------------------------------------------------------------
    def _bulk_files(self) -> dict[str, Path]:
        found = {}
        for bulk_type in BULK_TYPES:
            for suffix in (".json.gz", ".json"):
                path = self.data_dir / f"{bulk_type}{suffix}"
                if path.is_file():
                    found[bulk_type] = path
                    break
        return found

    def _base(self, request: Request) -> str:
        return self.base_url or str(request.base_url).rstrip("/")

    def _bulk_object(self, request: Request, bulk_type: str, path: Path) -> dict:
        stat = path.stat()
        updated = dt.datetime.fromtimestamp(stat.st_mtime, dt.timezone.utc)
        gz = path.suffix == ".gz"
        return {
            "object": "bulk_data", "id": hashlib.md5(bulk_type.encode()).hexdigest()[:8] + "-0000-4000-8000-000000000000",
            "type": bulk_type, "name": bulk_type.replace("_", " ").title(),
            "uri": f"{self._base(request)}/bulk-data/{bulk_type}",
            "download_uri": f"{self._base(request)}/files/{path.name}",
            "updated_at": updated.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "size": _plain_size(path) if gz else stat.st_size,
            "content_type": "application/json", "content_encoding": "gzip",
        }

    # -- endpoints -------------------------------------------------------------------------------
    async def bulk_data(self, request: Request) -> Response:
        data = [self._bulk_object(request, t, p) for t, p in self._bulk_files().items()]
        return JSONResponse({"object": "list", "has_more": False, "data": data})

    async def bulk_data_one(self, request: Request) -> Response:
        bulk_type = request.path_params["bulk_type"]
        path = self._bulk_files().get(bulk_type)
        if path is None:
            return _error(404, "not_found", f"No bulk data with type {bulk_type}")
        return JSONResponse(self._bulk_object(request, bulk_type, path))

    async def sets(self, request: Request) -> Response:
        path = self.data_dir / "sets.json"
        items = []
        if path.is_file():
            loaded = orjson.loads(path.read_bytes())
            items = loaded.get("data", []) if isinstance(loaded, dict) else loaded
        size = self.behaviour.sets_page_size
        try:
            page = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            return _error(400, "bad_request", "page must be an integer")
        chunk = items[(page - 1) * size: page * size]
        body = {"object": "list", "has_more": page * size < len(items), "data": chunk}
        if body["has_more"]:
            body["next_page"] = f"{self._base(request)}/sets?page={page + 1}"
        return JSONResponse(body)

    async def file(self, request: Request) -> Response:
        path = self.data_dir / request.path_params["name"]
        if "/" in request.path_params["name"] or not path.is_file():
            return _error(404, "not_found", "No such file")
        # Bulk files travel gzip-encoded, as data.scryfall.io sends them.
        payload = path.read_bytes() if path.suffix == ".gz" else gzip.compress(path.read_bytes(), 6)
        etag = '"' + hashlib.sha256(payload).hexdigest()[:32] + '"'
        last_modified = format_datetime(dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc), usegmt=True)
        headers = {"ETag": etag, "Last-Modified": last_modified, "Accept-Ranges": "bytes",
                   "Content-Type": "application/json", "Content-Encoding": "gzip"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        start, status = 0, 200
        range_header = request.headers.get("range")
        if_range = request.headers.get("if-range")
        if range_header and (if_range is None or if_range in (etag, last_modified)):
            spec = range_header.removeprefix("bytes=").split("-", 1)[0]
            if not spec.isdigit() or int(spec) >= len(payload):
                return Response(status_code=416, headers={"Content-Range": f"bytes */{len(payload)}"})
            start, status = int(spec), 206
            headers["Content-Range"] = f"bytes {start}-{len(payload) - 1}/{len(payload)}"
        body = payload[start:]
        headers["Content-Length"] = str(len(body))
        if request.method == "HEAD":
            return Response(status_code=status, headers=headers)
        cut = None
        with self.behaviour._lock:
            if self.behaviour.cut_downloads_times > 0 and self.behaviour.cut_downloads_after_bytes is not None:
                self.behaviour.cut_downloads_times -= 1
                cut = self.behaviour.cut_downloads_after_bytes

        async def stream():
            sent = 0
            for i in range(0, len(body), CHUNK):
                piece = body[i:i + CHUNK]
                if cut is not None and sent + len(piece) > cut:
                    yield piece[: max(0, cut - sent)]
                    # Dropping the connection mid-body: the client sees fewer bytes than announced.
                    raise ConnectionAbortedError("fake scryfall cut the transfer")
                sent += len(piece)
                yield piece

        return StreamingResponse(stream(), status_code=status, headers=headers)


class _GateMiddleware:
    """Applies injected failures and the request-rate limit before any endpoint runs."""

    def __init__(self, app, fake: FakeScryfall):
        self.app = app
        self.fake = fake

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        b = self.fake.behaviour
        response = None
        with b._lock:
            b.requests.append(scope["path"])
            b.request_headers.append((scope["path"], {k.decode("latin-1"): v.decode("latin-1")
                                                      for k, v in scope["headers"]}))
            now = time.monotonic()
            if b.fail_next_with_429 > 0:
                b.fail_next_with_429 -= 1
                response = _error(429, "too_many_requests", "Too many requests",
                                  {"Retry-After": str(b.retry_after_seconds)})
            elif b.fail_next_with_500 > 0:
                b.fail_next_with_500 -= 1
                response = _error(500, "internal_error", "Injected failure")
            elif b.max_requests_per_second:
                b._window = [t for t in b._window if now - t < 1.0]
                if len(b._window) >= b.max_requests_per_second:
                    response = _error(429, "too_many_requests", "Too many requests", {"Retry-After": "1"})
                else:
                    b._window.append(now)
        if response is not None:
            return await response(scope, receive, send)
        return await self.app(scope, receive, send)


def _plain_size(path: Path) -> int:
    # gzip stores the uncompressed size modulo 2**32 in its last four bytes.
    with open(path, "rb") as f:
        f.seek(-4, 2)
        return int.from_bytes(f.read(4), "little")


class FakeScryfallServer:
    """Runs FakeScryfall with uvicorn in a background thread on 127.0.0.1 (port 0 = ephemeral)."""

    def __init__(self, data_dir: Path | str, host: str = "127.0.0.1", port: int = 0):
        import uvicorn

        self.fake = FakeScryfall(data_dir)
        self._server = uvicorn.Server(uvicorn.Config(self.fake.app, host=host, port=port, log_level="warning",
                                                     lifespan="off", access_log=False))
        self._thread = threading.Thread(target=self._server.run, name="fake-scryfall", daemon=True)
        self.host = host
        self.port = port

    @property
    def behaviour(self) -> FakeBehaviour:
        return self.fake.behaviour

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> "FakeScryfallServer":
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake Scryfall server did not start")
            time.sleep(0.02)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        self.fake.base_url = self.base_url
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> "FakeScryfallServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
