"""Walking the routes an app serves, through FastAPI's wrappers of included routers."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


def mounted_routes(routes: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(full path, route) of every endpoint route, however deeply its router was included."""
    for route in routes:
        if hasattr(route, "original_router"):   # FastAPI's wrapper of an included router
            yield from mounted_routes(route.original_router.routes, prefix + route.include_context.prefix)
        elif hasattr(route, "endpoint") and getattr(route, "methods", None):
            yield prefix + route.path, route
