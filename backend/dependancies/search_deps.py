"""The search gate as a dependency: `dependencies=[SearchGuard]` makes a route a search.

Before the handler: the client's search rate (its address counted as the login throttle counts
it), then one of the process's search slots, held until the handler returns (scope "function":
released before the response is sent, not after). See backend/request_handling/search_gate.py.
"""
from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Depends, Request

from backend.dependancies.auth.client_ip import client_ip
from backend.new_services.user_management.login_throttle import ip_bucket
from backend.request_handling.search_gate import SearchGate


async def guard_search(request: Request) -> AsyncIterator[None]:
    gate: SearchGate = request.app.state.search_gate
    await gate.check_rate(ip_bucket(client_ip(request)))
    async with gate.slot():
        yield


SearchGuard = Depends(guard_search, scope="function")
