"""The fake MTGStocks server speaks the real shapes and misbehaves on demand."""
from __future__ import annotations

import datetime as dt

import httpx
import pytest

from backend.integrations.mtg_stock.fake_server import PRICE_SERIES
from tests.fixtures.mtg_stock import make_print, make_prices


def test_serves_prints_and_prices(fake_mtg_stock):
    details = make_print(18211, "Ravages of War")
    prices = make_prices(dt.date(2024, 4, 1), 2, avg=1.5)
    fake_mtg_stock.fake.add_print(details, prices)
    fake_mtg_stock.fake.add_print(make_print(2))
    assert httpx.get(f"{fake_mtg_stock.base_url}/prints/18211").json() == details
    assert httpx.get(f"{fake_mtg_stock.base_url}/prints/18211/prices").json() == prices
    # A print without history still has every series, empty.
    assert httpx.get(f"{fake_mtg_stock.base_url}/prints/2/prices").json() == {key: [] for key in PRICE_SERIES}


@pytest.mark.parametrize("path", ["/prints/404", "/prints/404/prices", "/prints/abc", "/nothing"])
def test_unknown_paths_are_json_404s(fake_mtg_stock, path):
    response = httpx.get(f"{fake_mtg_stock.base_url}{path}")
    assert response.status_code == 404
    assert isinstance(response.json()["error"], str)


def test_injected_429_and_500(fake_mtg_stock):
    b = fake_mtg_stock.behaviour
    b.fail_next_with_429, b.retry_after_seconds, b.fail_next_with_500 = 1, 3, 1
    first = httpx.get(f"{fake_mtg_stock.base_url}/prints/1")
    assert first.status_code == 429 and first.headers["retry-after"] == "3"
    assert httpx.get(f"{fake_mtg_stock.base_url}/prints/1").status_code == 500
    assert httpx.get(f"{fake_mtg_stock.base_url}/prints/1").status_code == 404
    assert b.statuses == [429, 500, 404]


def test_a_dying_server_cuts_every_connection(fake_mtg_stock):
    fake_mtg_stock.fake.add_print(make_print(1))
    fake_mtg_stock.behaviour.die_after_requests = 2
    for _ in range(2):
        assert httpx.get(f"{fake_mtg_stock.base_url}/prints/1").status_code == 200
    for _ in range(2):
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"{fake_mtg_stock.base_url}/prints/1")
    assert fake_mtg_stock.behaviour.statuses == [200, 200, 503, 503]


def test_rate_limit_counts_on_the_injected_clock(fake_mtg_stock, fake_clock):
    fake_mtg_stock.behaviour.max_requests_per_second = 2
    url = f"{fake_mtg_stock.base_url}/prints/1"
    assert [httpx.get(url).status_code for _ in range(3)] == [404, 404, 429]
    fake_clock.advance(1.0)
    assert httpx.get(url).status_code == 404
    assert fake_mtg_stock.behaviour.request_times == [1000.0, 1000.0, 1000.0, 1001.0]


def test_records_paths_and_headers(fake_mtg_stock):
    httpx.get(f"{fake_mtg_stock.base_url}/prints/5/prices", headers={"User-Agent": "probe/1"})
    assert fake_mtg_stock.behaviour.requests == ["/prints/5/prices"]
    (path, headers), = fake_mtg_stock.behaviour.request_headers
    assert path == "/prints/5/prices" and headers["user-agent"] == "probe/1"
