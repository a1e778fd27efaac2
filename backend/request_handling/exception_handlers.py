"""One place that maps every error to an ErrorResponse carrying the request id."""
from __future__ import annotations

import logging
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.request_handling.error_formats import shaper_for
from backend.request_handling.errors import DomainError
from backend.request_handling.QueryExecutor import CONNECTION_LOST
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


def error_body_for(path: str, status_code: int, code: str, message: str, details: Any | None = None) -> dict:
    """The error body for a request to `path`: ErrorResponse, or the shape registered for its prefix."""
    shaper = shaper_for(path)
    return error_body(code, message, details) if shaper is None else shaper(status_code, code, message, details)


def error_response(status_code: int, code: str, message: str, details: Any | None = None,
                   headers: dict[str, str] | None = None, *, path: str = "") -> JSONResponse:
    return JSONResponse(error_body_for(path, status_code, code, message, details), status_code=status_code,
                        headers=headers)


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
    if exc.status_code >= 500 and not exc.shed:
        logger.error("domain error %s: %s", exc.code, exc.message)
    return error_response(exc.status_code, exc.code, exc.message, exc.details, headers=exc.headers() or None,
                          path=request.url.path)


async def handle_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    details = _validation_details(exc)
    where = ", ".join(".".join(d["location"]) + ": " + d["message"] for d in details[:3])
    return error_response(422, "validation_error", f"Invalid request: {where}", details, path=request.url.path)


async def handle_http_exception(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    if exc.status_code == 404 and exc.detail == "Not Found":
        message = f"No route for {request.method} {request.url.path}"
    return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None),
                          path=request.url.path)


# Values a request carried that the database (or asyncpg, encoding them) could not hold: SQL
# class 22 and row-size limits. Routes and schemas bound what they accept, so reaching this is a gap
# in some bound: a 422 for the client, a warning for us to close it.
_VALUE_ERRORS = (asyncpg.DataError, asyncpg.ProgramLimitExceededError)
RETRY_AFTER_SECONDS = 2


async def handle_database_value_error(request: Request, exc: asyncpg.PostgresError) -> JSONResponse:
    logger.warning("database refused a request value on %s %s: %s", request.method, request.url.path,
                   type(exc).__name__)
    return error_response(422, "invalid_value", "a value in the request is outside what can be stored",
                          {"reason": type(exc).__name__}, path=request.url.path)


async def handle_database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return error_response(503, "database_unavailable", "the database is not reachable right now; try again shortly",
                          headers={"Retry-After": str(RETRY_AFTER_SECONDS)}, path=request.url.path)


async def handle_statement_timeout(request: Request, exc: asyncpg.QueryCanceledError) -> JSONResponse:
    return error_response(503, "statement_timeout", "the request took too long and was stopped; "
                          "narrow it down or try again", headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                          path=request.url.path)


def register_exception_handlers(app: FastAPI) -> None:
    for error in _VALUE_ERRORS:
        app.add_exception_handler(error, handle_database_value_error)
    for error in CONNECTION_LOST:
        app.add_exception_handler(error, handle_database_unavailable)
    app.add_exception_handler(asyncpg.QueryCanceledError, handle_statement_timeout)
    app.add_exception_handler(DomainError, handle_domain_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
