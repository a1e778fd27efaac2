"""The background runner serves any ASGI app on a free localhost port, and stops."""
from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from backend.integrations.local_server import LocalAsgiServer


async def _hello(request):
    return PlainTextResponse("hello")


def test_serves_on_a_free_port_until_stopped():
    with LocalAsgiServer(Starlette(routes=[Route("/", _hello)])) as server:
        assert server.port != 0
        assert httpx.get(server.base_url + "/").text == "hello"
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.base_url + "/")
