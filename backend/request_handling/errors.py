"""Domain errors: services raise these; one handler turns them into ErrorResponse with their status."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status_code = 400
    code = "bad_request"
    # A 5xx is logged as an error, unless it is load shed on purpose (the raiser logs a summary):
    # one log record per refused request would let a flood of them flood the log too.
    shed = False

    def __init__(self, message: str, *, details: Any | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details
        if code:
            self.code = code

    def headers(self) -> dict[str, str]:
        return {}


class BadRequestError(DomainError):
    status_code = 400
    code = "bad_request"


class AuthenticationError(DomainError):
    status_code = 401
    code = "not_authenticated"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class PermissionDeniedError(DomainError):
    status_code = 403
    code = "forbidden"


class NotFoundError(DomainError):
    status_code = 404
    code = "not_found"


class ConflictError(DomainError):
    status_code = 409
    code = "conflict"


class PayloadTooLargeError(DomainError):
    status_code = 413
    code = "payload_too_large"


class UnprocessableError(DomainError):
    status_code = 422
    code = "validation_error"


class RateLimitedError(DomainError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, details: Any | None = None):
        super().__init__(message, details=details)
        self.retry_after = max(1, int(retry_after))

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class ServiceUnavailableError(DomainError):
    status_code = 503
    code = "service_unavailable"

    def __init__(self, message: str, *, details: Any | None = None, code: str | None = None,
                 retry_after: int | None = None):
        super().__init__(message, details=details, code=code)
        self.retry_after = None if retry_after is None else max(1, int(retry_after))

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}


class UnknownServiceError(LookupError):
    """A service key that is not registered: a programming error, caught at start-up."""
