"""Async MTGStocks client: one print's details and its price history, fetched politely through the
shared client (identified, about one request a second, retries honouring Retry-After)."""
from __future__ import annotations

from typing import Any

import httpx
import orjson

from backend.integrations.http_client import Clock, HttpPolicy, PoliteHttpClient, RetriesExhausted
from backend.integrations.mtg_stock.config import MtgStockSettings
from backend.integrations.mtg_stock.errors import MalformedResponse, MtgStockError

__all__ = ["MtgStockClient", "MtgStockError", "MalformedResponse"]


class MtgStockClient:
    def __init__(self, settings: MtgStockSettings, *, transport: httpx.AsyncBaseTransport | None = None,
                 clock: Clock | None = None):
        self.settings = settings
        self.http = PoliteHttpClient(HttpPolicy.from_settings(settings, name="mtgstocks"),
                                     transport=transport, clock=clock)

    async def __aenter__(self) -> MtgStockClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.http.aclose()

    async def print_details(self, print_id: int) -> dict[str, Any] | None:
        """`GET /prints/{id}`: the print object, or None when MTGStocks has no such print."""
        return await self._get_object(f"/prints/{_checked_id(print_id)}")

    async def print_prices(self, print_id: int) -> dict[str, Any] | None:
        """`GET /prints/{id}/prices`: the price series object, or None when the print is unknown."""
        return await self._get_object(f"/prints/{_checked_id(print_id)}/prices")

    async def _get_object(self, path: str) -> dict[str, Any] | None:
        try:
            response = await self.http.get(path)
        except RetriesExhausted as exc:
            raise MtgStockError(f"mtgstocks: {exc}", status=exc.status) from exc
        status = response.status_code
        if status == 404:
            return None
        if status != 200:
            raise MtgStockError(f"mtgstocks GET {path} -> HTTP {status}: {response.content[:200]!r}", status=status)
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            raise MalformedResponse(f"GET {path}: body is not JSON ({exc})", status=status) from exc
        # Field-level checks are parsing's job; the envelope must at least be an object.
        if not isinstance(body, dict):
            raise MalformedResponse(f"GET {path}: expected a JSON object, got {type(body).__name__}", status=status)
        return body


def _checked_id(print_id: int) -> int:
    # The id goes into the URL path: only a positive integer may.
    if isinstance(print_id, bool) or not isinstance(print_id, int) or print_id <= 0:
        raise ValueError(f"print_id must be a positive integer, got {print_id!r}")
    return print_id
