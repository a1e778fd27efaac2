"""Error bodies per URL prefix: every error answer is ErrorResponse, except under prefixes that speak
another API's error shape (the Scryfall-compatible API answers Scryfall error objects).

The shape is chosen by path so that errors raised before any route runs (404/405 from routing,
413/422 from the input boundary, validation errors) are shaped like the route's own answers.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (status, code, message, details) -> JSON-able body
ErrorShaper = Callable[[int, str, str, Any], dict]

_shapers: list[tuple[str, ErrorShaper]] = []


def register_error_shape(prefix: str, shaper: ErrorShaper) -> None:
    """Answer errors of requests under `prefix` (e.g. "/scryfall/") with `shaper`'s body."""
    if not any(existing == prefix for existing, _ in _shapers):
        _shapers.append((prefix, shaper))


def shaper_for(path: str) -> ErrorShaper | None:
    for prefix, shaper in _shapers:
        if path.startswith(prefix) or path == prefix.rstrip("/"):
            return shaper
    return None
