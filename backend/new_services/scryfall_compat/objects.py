"""Scryfall's envelope objects (list, catalog) as JSON text, with API URIs under the canonical prefix.

Every API URI these services produce starts with API (as in the stored card objects); the router
rewrites that prefix to this server's public base, so a document is never re-encoded to do it.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import orjson

API = "https://api.scryfall.com"
PAGE_SIZE = 175
MAX_PAGE = 10_000   # 1.75 million results: past any catalog; bounds the OFFSET a client can ask for


def api_uri(path: str, params: dict[str, Any] | None = None) -> str:
    query = urlencode({k: v for k, v in (params or {}).items() if v is not None})
    return f"{API}{path}" + (f"?{query}" if query else "")


def list_text(items: list[str], *, total: int | None = None, has_more: bool = False, next_page: str | None = None,
              warnings: list[str] | None = None, extra: dict[str, Any] | None = None) -> str:
    """A list object around items that are already JSON text (card objects from the database)."""
    head: dict[str, Any] = {"object": "list"}
    if total is not None:
        head["total_cards"] = total
    head["has_more"] = has_more
    if next_page is not None:
        head["next_page"] = next_page
    if warnings:
        head["warnings"] = warnings
    head.update(extra or {})
    prefix = orjson.dumps(head).decode()[:-1]
    return prefix + ',"data":[' + ",".join(items) + "]}"


def list_of(objects: list[dict[str, Any]], **kwargs: Any) -> str:
    return list_text([orjson.dumps(o).decode() for o in objects], **kwargs)


def catalog_text(uri: str, names: list[Any]) -> str:
    return orjson.dumps({"object": "catalog", "uri": uri, "total_values": len(names), "data": names}).decode()
