"""Stream an uploaded file (multipart `file` field, or a raw JSON body) to disk with a size limit.

The body is never held in memory: chunks go straight to a file under settings.data_dir/uploads,
and the upload stops with 413 as soon as it passes the limit (the partial file is removed).
"""
from __future__ import annotations

import uuid
from pathlib import Path

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from backend.request_handling.errors import (
    BadRequestError,
    DomainError,
    PayloadTooLargeError,
)
from backend.request_handling.StandardisedQueryResponse import ErrorResponse

FILE_FIELD = b"file"
# How an upload route documents its body and its extra refusal in OpenAPI (the body is read as a
# stream, so FastAPI cannot describe it from a parameter).
UPLOAD_OPENAPI = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": {"type": "string", "format": "binary"}}}},
    "application/json": {"schema": {"description": "the file's JSON content itself"}},
}}}
UPLOAD_RESPONSES = {415: {"model": ErrorResponse, "description": "Neither multipart/form-data nor JSON"}}
RAW_TYPES = frozenset({b"application/json", b"application/octet-stream"})
MULTIPART_OVERHEAD = 64 * 1024


class UnsupportedMediaTypeError(DomainError):
    status_code = 415
    code = "unsupported_media_type"


class _MultipartFileWriter:
    """Callbacks for python-multipart: write the `file` part's bytes to `handle`, count them."""

    def __init__(self, handle, max_bytes: int):
        self.handle = handle
        self.max_bytes = max_bytes
        self.written = 0
        self.found = False
        self.ended = False
        self._header_field = b""
        self._header_value = b""
        self._in_file = False

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        self._in_file = False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_field.lower() == b"content-disposition":
            _, params = parse_options_header(self._header_value)
            if params.get(b"name") == FILE_FIELD and not self.found:
                self._in_file = True
                self.found = True
        self._header_field = b""
        self._header_value = b""

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if not self._in_file:
            return
        self.written += end - start
        if self.written > self.max_bytes:
            raise PayloadTooLargeError(f"the file is larger than {self.max_bytes} bytes",
                                       details={"max_bytes": self.max_bytes})
        self.handle.write(data[start:end])

    def on_part_end(self) -> None:
        self._in_file = False

    def on_end(self) -> None:
        self.ended = True


def declared_length(request: Request) -> int | None:
    declared = request.headers.get("content-length")
    return int(declared) if declared and declared.isdigit() else None


async def receive_upload(request: Request, *, directory: Path, max_bytes: int, raw_types: frozenset[bytes] = RAW_TYPES,
                         suffix: str = ".json") -> tuple[Path, int]:
    """Write the upload to a new file in `directory`; returns (path, size in bytes). Besides multipart,
    a raw body of one of `raw_types` is taken as the file itself."""
    declared = declared_length(request)
    if declared is not None and declared > max_bytes + MULTIPART_OVERHEAD:
        raise PayloadTooLargeError(f"the file is larger than {max_bytes} bytes",
                                   details={"max_bytes": max_bytes, "content_length": declared})
    media_type, params = parse_options_header(request.headers.get("content-type", ""))
    if media_type != b"multipart/form-data" and media_type not in raw_types:
        raise UnsupportedMediaTypeError(
            "send the file as multipart/form-data (field 'file') or as a raw body of type "
            + " or ".join(sorted(t.decode() for t in raw_types)),
            details={"content_type": request.headers.get("content-type")})
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"upload-{uuid.uuid4().hex}{suffix}"
    try:
        with open(path, "wb") as handle:
            if media_type == b"multipart/form-data":
                size = await _stream_multipart(request, handle, params.get(b"boundary"), max_bytes)
            else:
                size = await _stream_raw(request, handle, max_bytes)
        if size == 0:
            raise BadRequestError("the uploaded file is empty")
        return path, size
    except BaseException:
        path.unlink(missing_ok=True)
        raise


async def _stream_raw(request: Request, handle, max_bytes: int) -> int:
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLargeError(f"the file is larger than {max_bytes} bytes", details={"max_bytes": max_bytes})
        handle.write(chunk)
    return size


async def _stream_multipart(request: Request, handle, boundary: bytes | None, max_bytes: int) -> int:
    if not boundary:
        raise BadRequestError("multipart/form-data without a boundary")
    writer = _MultipartFileWriter(handle, max_bytes)
    parser = MultipartParser(boundary, writer.callbacks())
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        raise BadRequestError(f"malformed multipart body: {exc}") from None
    if not writer.ended:
        # A cut transfer must not pass for a whole file.
        raise BadRequestError("the multipart body ends without its closing boundary (incomplete upload)")
    if not writer.found:
        raise BadRequestError("the multipart body has no 'file' field", details={"field": "file"})
    return writer.written
