"""One place that maps every error to an ErrorResponse carrying the request id."""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.request_handling.errors import DomainError
from backend.request_handling.request_context import current_request_id
from backend.request_handling.StandardisedQueryResponse import ErrorDetail, ErrorResponse

logger = logging.getLogger("automana.errors")

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_body(code: str, message: str, details: Any | None = None) -> dict:
    return ErrorResponse(
        error=ErrorDetail(code=code, message=message, details=details),
        request_id=current_request_id(),
    ).model_dump()


def error_response(status_code: int, code: str, message: str, details: Any | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status_code, headers=headers)


def _validation_details(exc: RequestValidationError) -> list[dict]:
    details = []
    for err in exc.errors():
        details.append({
            "location": [str(part) for part in err.get("loc", ())],
            "message": err.get("msg", "invalid value"),
            "type": err.get("type"),
        })
    return details


async def handle_domain_error(request: Request, exc: DomainError) -> JSONResponse:
    if exc.status_code >= 500:
        logger.error("domain error %s: %s", exc.code, exc.message)
    return error_response(exc.status_code, exc.code, exc.message, exc.details, headers=exc.headers() or None)


async def handle_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    details = _validation_details(exc)
    where = ", ".join(".".join(d["location"]) + ": " + d["message"] for d in details[:3])
    return error_response(422, "validation_error", f"Invalid request: {where}", details)


async def handle_http_exception(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    if exc.status_code == 404 and exc.detail == "Not Found":
        message = f"No route for {request.method} {request.url.path}"
    return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))


def register_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, handle_domain_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
