"""Async Scryfall HTTP client: paged lists and resumable streaming downloads, on top of the shared
polite client (identified requests, a request-rate limit, retries honouring Retry-After)."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from backend.integrations.http_client import Clock, HttpPolicy, PoliteHttpClient, RetriesExhausted
from backend.integrations.scryfall.config import ScryfallSettings

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1 << 20
# Scryfall asks every client to send an Accept header.
ACCEPT = "application/json;q=0.9,*/*;q=0.8"


class ScryfallError(RuntimeError):
    """Scryfall answered with an error (after retries), or could not be reached."""

    def __init__(self, message: str, *, status: int | None = None, details: Any = None):
        super().__init__(message)
        self.status = status
        self.details = details


@dataclass(frozen=True)
class DownloadResult:
    path: Path
    size_bytes: int
    sha256: str
    etag: str | None
    last_modified: str | None
    content_encoding: str | None
    resumed_from: int          # offset of the last Range request that continued a partial file; 0 if none


class ScryfallClient:
    def __init__(self, config: ScryfallSettings, *, transport: httpx.AsyncBaseTransport | None = None,
                 clock: Clock | None = None):
        self.config = config
        self.http = PoliteHttpClient(HttpPolicy.from_settings(config, name="scryfall", headers={"Accept": ACCEPT}),
                                     transport=transport, clock=clock)
        self.base_url = self.http.base_url

    async def __aenter__(self) -> "ScryfallClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.http.aclose()

    async def _send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        """Send through the polite client; returns a response with a non-retryable status."""
        try:
            return await self.http.send(request, stream=stream)
        except RetriesExhausted as exc:
            raise ScryfallError(str(exc), status=exc.status) from exc

    async def get_json(self, path_or_url: str, params: dict | None = None) -> Any:
        request = self.http.build_request("GET", path_or_url, params=params)
        response = await self._send(request)
        body = response.content
        if response.status_code >= 400:
            details = None
            try:
                details = orjson.loads(body)
            except orjson.JSONDecodeError:
                pass
            message = details.get("details") if isinstance(details, dict) else None
            raise ScryfallError(f"GET {request.url} -> HTTP {response.status_code}: {message or body[:200]!r}",
                                status=response.status_code, details=details)
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise ScryfallError(f"GET {request.url} returned invalid JSON: {exc}") from exc

    async def list_all(self, path: str, params: dict | None = None) -> list[dict]:
        """Follow a Scryfall list object's `has_more` / `next_page` to the end."""
        items: list[dict] = []
        page = await self.get_json(path, params)
        while True:
            if not isinstance(page, dict) or page.get("object") != "list":
                raise ScryfallError(f"{path} did not return a list object")
            items.extend(page.get("data") or [])
            next_page = page.get("next_page")
            if not page.get("has_more") or not next_page:
                return items
            page = await self.get_json(next_page)

    async def bulk_data(self) -> list[dict]:
        return await self.list_all("/bulk-data")

    async def sets(self) -> list[dict]:
        return await self.list_all("/sets")

    async def download(self, uri: str, dest: Path) -> DownloadResult:
        """Stream `uri` to `dest` (bytes as sent, so a gzip transfer stays gzip on disk).

        Progress is kept in `dest.part`; an interrupted transfer resumes from there with a Range
        request (If-Range guards against the file having changed in between).
        """
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")
        meta_path = dest.with_name(dest.name + ".part.json")
        meta = _read_meta(meta_path) if part.exists() else {}
        last_error = ""
        resumed_from = 0
        for attempt in range(self.config.max_retries + 1):
            offset = part.stat().st_size if part.exists() else 0
            headers = {"Accept-Encoding": "gzip"}
            validator = meta.get("etag") or meta.get("last_modified")
            if offset and validator:
                headers["Range"] = f"bytes={offset}-"
                headers["If-Range"] = validator
            else:
                offset = 0
            request = self.http.build_request(
                "GET", uri, headers=headers,
                extensions={"timeout": httpx.Timeout(self.config.timeout_seconds,
                                                     read=self.config.download_read_timeout_seconds).as_dict()})
            response = await self._send(request, stream=True)
            try:
                if response.status_code == 416:   # our part is already the whole file, or stale
                    part.unlink(missing_ok=True)
                    meta = {}
                    continue
                if response.status_code >= 400:
                    await response.aread()
                    raise ScryfallError(f"download {uri} -> HTTP {response.status_code}", status=response.status_code)
                append = response.status_code == 206
                resumed_from = offset if append else 0
                meta = {"etag": response.headers.get("etag"), "last_modified": response.headers.get("last-modified"),
                        "content_encoding": response.headers.get("content-encoding"), "uri": uri}
                meta_path.write_bytes(orjson.dumps(meta))
                with open(part, "ab" if append else "wb") as out:
                    async for chunk in response.aiter_raw():
                        out.write(chunk)
            except (httpx.TransportError, httpx.StreamError) as exc:
                last_error = f"{type(exc).__name__}: {exc}"
                logger.warning("download of %s interrupted at %s bytes (%s); resuming", uri,
                               part.stat().st_size if part.exists() else 0, last_error)
                if attempt < self.config.max_retries:
                    await self.http.sleep(self.http.retry_delay(attempt))
                continue
            finally:
                await response.aclose()
            sha, size = _sha256_of(part)
            part.replace(dest)
            meta_path.unlink(missing_ok=True)
            return DownloadResult(dest, size, sha, meta.get("etag"), meta.get("last_modified"),
                                  meta.get("content_encoding"), resumed_from)
        raise ScryfallError(f"download {uri} failed after {self.config.max_retries + 1} attempts: {last_error}")


def _read_meta(path: Path) -> dict:
    try:
        return orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}


def _sha256_of(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
