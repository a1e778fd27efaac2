"""The error answers routes document in OpenAPI (all are the one ErrorResponse envelope)."""
from __future__ import annotations

from backend.request_handling.StandardisedQueryResponse import ErrorResponse

# What any /api route may answer besides its success (the one exception handler's ErrorResponse),
# documented on every route so client generators know each shape.
ERROR_RESPONSES = {
    400: {"model": ErrorResponse, "description": "Bad request (a rule of the request was broken)"},
    401: {"model": ErrorResponse, "description": "Not signed in"},
    403: {"model": ErrorResponse, "description": "Signed in, but not allowed"},
    404: {"model": ErrorResponse, "description": "Not found (or not yours)"},
    409: {"model": ErrorResponse, "description": "Conflicts with the current state"},
    413: {"model": ErrorResponse, "description": "Request body too large"},
    422: {"model": ErrorResponse, "description": "Invalid input (says which field and why)"},
    429: {"model": ErrorResponse, "description": "Too many requests (see Retry-After)"},
    503: {"model": ErrorResponse, "description": "A dependency is unavailable (see Retry-After)"},
}

# What the search gate adds (backend/dependancies/search_deps.py): its own reasons for 429 and 503.
_TOO_MANY_SEARCHES = {"model": ErrorResponse,
                      "description": "rate_limited: too many searches from this address (see Retry-After)"}
SEARCH_RESPONSES = {   # SearchGuard / QuerySearchGuard
    429: _TOO_MANY_SEARCHES,
    503: {"model": ErrorResponse,
          "description": "search_busy (every search slot taken), search_timeout (the search ran too long), "
                         "or a dependency is unavailable (see Retry-After)"},
}
LOOKUP_RESPONSES = {429: _TOO_MANY_SEARCHES}   # LookupGuard
