"""MtgStockClient against the fake server, on a fake clock: answers, 404s, retries honouring
Retry-After, a dying server, bodies that are not JSON, identification and the request rate."""
from __future__ import annotations

import datetime as dt

import httpx
import pytest

from backend.integrations.mtg_stock.client import MalformedResponse, MtgStockClient, MtgStockError
from backend.integrations.mtg_stock.config import MtgStockSettings
from backend.integrations.mtg_stock.parsing import parse_print_details, parse_price_series
from tests.fixtures.clock import FakeClock
from tests.fixtures.mtg_stock import make_print, make_prices

DAY = dt.date(2024, 4, 1)


async def test_details_and_prices_of_a_print(fake_mtg_stock, mtg_stock_client):
    fake_mtg_stock.fake.add_print(make_print(18211, "Ravages of War"), make_prices(DAY, 3, avg=299.85, foil=None))
    details = await mtg_stock_client.print_details(18211)
    prices = await mtg_stock_client.print_prices(18211)
    assert parse_print_details(details).base_name == "Ravages of War"
    assert [p.cents for p in parse_price_series(prices)] == [29985] * 3
    assert fake_mtg_stock.behaviour.requests == ["/prints/18211", "/prints/18211/prices"]


async def test_unknown_print_is_none(fake_mtg_stock, mtg_stock_client):
    assert await mtg_stock_client.print_details(99) is None
    assert await mtg_stock_client.print_prices(99) is None
    assert fake_mtg_stock.behaviour.statuses == [404, 404]


async def test_429_waits_as_long_as_retry_after_says(fake_mtg_stock, mtg_stock_client, fake_clock):
    fake_mtg_stock.fake.add_print(make_print(1))
    fake_mtg_stock.behaviour.fail_next_with_429 = 1
    fake_mtg_stock.behaviour.retry_after_seconds = 7
    assert (await mtg_stock_client.print_details(1))["id"] == 1
    assert fake_clock.sleeps == [7]          # the hint, on the fake clock: no real waiting
    assert fake_mtg_stock.behaviour.statuses == [429, 200]


async def test_500s_are_retried_with_backoff(fake_mtg_stock, mtg_stock_client, fake_clock):
    fake_mtg_stock.fake.add_print(make_print(1))
    fake_mtg_stock.behaviour.fail_next_with_500 = 2
    assert (await mtg_stock_client.print_details(1))["id"] == 1
    assert fake_mtg_stock.behaviour.statuses == [500, 500, 200]
    base = mtg_stock_client.settings.backoff_base_seconds
    first, second = fake_clock.sleeps
    assert base * 0.5 <= first <= base and base <= second <= base * 2   # exponential, with jitter


async def test_a_dying_server_gives_an_error_after_the_retries(fake_mtg_stock, mtg_stock_client, fake_clock):
    fake_mtg_stock.fake.add_print(make_print(1))
    fake_mtg_stock.behaviour.die_after_requests = 1
    assert await mtg_stock_client.print_details(1) is not None
    with pytest.raises(MtgStockError) as caught:
        await mtg_stock_client.print_details(1)
    assert caught.value.status is None                    # no answer was ever complete
    assert "RemoteProtocolError" in str(caught.value)
    assert not isinstance(caught.value, MalformedResponse)  # worth retrying later, not a reject
    assert len(fake_mtg_stock.behaviour.requests) == 1 + 4   # the first print, then an attempt and 3 retries
    rate_wait, *backoffs = fake_clock.sleeps
    assert rate_wait == 1.0 and len(backoffs) == 3


async def test_persistent_5xx_keeps_the_status(fake_mtg_stock, mtg_stock_client):
    fake_mtg_stock.behaviour.fail_next_with_500 = 10
    with pytest.raises(MtgStockError) as caught:
        await mtg_stock_client.print_prices(1)
    assert caught.value.status == 500


async def test_identifies_itself(fake_mtg_stock, mtg_stock_client):
    await mtg_stock_client.print_details(1)
    (_, headers), = fake_mtg_stock.behaviour.request_headers
    assert headers["user-agent"] == MtgStockSettings().user_agent
    assert headers["user-agent"].startswith("AutoMana/")
    assert headers["accept"] == "application/json"


async def test_rate_stays_at_one_request_a_second(fake_mtg_stock, mtg_stock_client, fake_clock):
    fake_mtg_stock.behaviour.max_requests_per_second = 1     # the fake answers 429 to anything faster
    for print_id in range(1, 6):
        fake_mtg_stock.fake.add_print(make_print(print_id))
        await mtg_stock_client.print_details(print_id)
        await mtg_stock_client.print_prices(print_id)
    times = fake_mtg_stock.behaviour.request_times           # read from the fake clock
    assert len(times) == 10 and 429 not in fake_mtg_stock.behaviour.statuses
    assert all(later - earlier >= 1.0 for earlier, later in zip(times, times[1:]))
    assert times[-1] - times[0] == pytest.approx(9.0)        # and no slower than it needs to be


def _client_answering(response: httpx.Response, clock: FakeClock) -> MtgStockClient:
    transport = httpx.MockTransport(lambda request: response)
    return MtgStockClient(MtgStockSettings(base_url="http://mtgstocks.test"), transport=transport,
                          clock=clock.as_clock())


@pytest.mark.parametrize(("response", "reason"), [
    (httpx.Response(200, content=b"<html>Just a moment...</html>"), "not JSON"),
    (httpx.Response(200, json=[{"id": 1}]), "expected a JSON object, got list"),
    (httpx.Response(200, json="ok"), "expected a JSON object, got str"),
])
async def test_unreadable_bodies_are_malformed(response, reason):
    async with _client_answering(response, FakeClock()) as client:
        with pytest.raises(MalformedResponse) as caught:
            await client.print_details(1)
    assert reason in caught.value.reason


async def test_other_client_errors_are_not_retried():
    clock = FakeClock()
    async with _client_answering(httpx.Response(403, text="blocked"), clock) as client:
        with pytest.raises(MtgStockError) as caught:
            await client.print_prices(1)
    assert caught.value.status == 403 and not isinstance(caught.value, MalformedResponse)
    assert clock.sleeps == []


@pytest.mark.parametrize("bad_id", [0, -1, "12", "../sets", 1.5, True])
async def test_only_positive_integer_ids_reach_the_url(bad_id):
    async with _client_answering(httpx.Response(200, json={}), FakeClock()) as client:
        with pytest.raises(ValueError):
            await client.print_details(bad_id)
