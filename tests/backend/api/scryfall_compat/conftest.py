"""Shared data of the /scryfall tests."""
from __future__ import annotations

import pytest

from tests.fixtures.scryfall import modern_card

# A set big enough for three pages of 175 (search paging).
PAGED_SET = "pgs"
PAGED_COUNT = 400


@pytest.fixture
async def paged_catalog(service_manager, catalog) -> list[dict]:
    cards = [modern_card(n, set_code=PAGED_SET, name=f"Paged Card {n:03d}") for n in range(1, PAGED_COUNT + 1)]
    counts = await service_manager.execute_service("card_catalog.catalog_load.load_cards", cards=cards)
    assert counts.rejected == 0
    return cards


@pytest.fixture
def live_server(settings):
    """The application served over real HTTP (uvicorn in a thread, its own lifespan and pools) on the
    test database: for client libraries that make their own requests."""
    import threading
    import time

    import uvicorn

    from backend.main import create_app

    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, lifespan="on",
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, name="scryfall-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)
