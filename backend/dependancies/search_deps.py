"""The search gate as dependencies: `dependencies=[SearchGuard]` makes a route a search.

- `SearchGuard`: the client's search rate (its address counted as the login throttle counts it),
  then one of the process's search slots, held until the handler returns (scope "function":
  released before the response is sent, not after). For statements whose cost grows with the
  catalog and the query. See backend/request_handling/search_gate.py.
- `QuerySearchGuard`: the same for routes whose `q` is the query language; a malformed or
  over-bound query is answered 400 before it waits for a slot, not 503 after.
- `LookupGuard`: the search rate only (the same budget), for name lookups (autocomplete, named):
  index probes bounded by their short input, cheap like card reads, so they take no slot (a slot
  would only make them wait behind costly searches).
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from fastapi import Depends, Request

from backend.dependancies.auth.client_ip import client_ip
from backend.new_services.card_catalog.search.compiler import compile_query
from backend.new_services.card_catalog.search.parser import MAX_QUERY_LENGTH
from backend.new_services.user_management.login_throttle import ip_bucket
from backend.request_handling.search_gate import SearchGate


def _check_query_language(request: Request) -> None:
    q = request.query_params.get("q")
    # Longer ones are refused by the route's own validation (422), as before.
    if q and len(q) <= MAX_QUERY_LENGTH:
        compile_query(q)   # pure: raises QuerySyntaxError (400 invalid_query)


async def _check_rate(request: Request) -> SearchGate:
    gate: SearchGate = request.app.state.search_gate
    await gate.check_rate(ip_bucket(client_ip(request)))
    return gate


def _guard(check: Callable[[Request], None] | None = None):
    async def guard_search(request: Request) -> AsyncIterator[None]:
        gate = await _check_rate(request)
        if check is not None:
            check(request)
        async with gate.slot():
            yield

    return Depends(guard_search, scope="function")


async def guard_lookup(request: Request) -> None:
    await _check_rate(request)


SearchGuard = _guard()
QuerySearchGuard = _guard(_check_query_language)
LookupGuard = Depends(guard_lookup)
