"""The shared polite client, on a fake clock and a mock transport: Retry-After, backoff, retries,
giving up, identification and the request rate (sequential and concurrent)."""
from __future__ import annotations

import asyncio
import email.utils
from types import SimpleNamespace

import httpx
import pytest

from backend.integrations.http_client import HttpPolicy, PoliteHttpClient, RetriesExhausted, retry_after_seconds
from tests.fixtures.clock import FakeClock

NOW = 1_700_000_000.0


def _policy(**overrides) -> HttpPolicy:
    values = {"base_url": "http://api.test/", "user_agent": "AutoMana-test/1", "max_retries": 3,
              "backoff_base_seconds": 1.0, "backoff_max_seconds": 30.0, "requests_per_second": 0} | overrides
    return HttpPolicy(**values)


class Server:
    """A mock transport answering from a script of statuses/exceptions, noting the fake time of each call."""

    def __init__(self, clock: FakeClock, script: list | None = None):
        self.clock = clock
        self.script = list(script or [])
        self.calls: list[tuple[float, httpx.Request]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((self.clock.monotonic(), request))
        step = self.script.pop(0) if self.script else 200
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return step
        return httpx.Response(step, json={"ok": step})

    @property
    def times(self) -> list[float]:
        return [t for t, _ in self.calls]


def _client(clock: FakeClock, server: Server, *, jitter=lambda: 0.5, **overrides) -> PoliteHttpClient:
    return PoliteHttpClient(_policy(**overrides), transport=httpx.MockTransport(server), clock=clock.as_clock(),
                            jitter=jitter)


# -- Retry-After ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "seconds"), [
    ("3", 3.0), (" 120 ", 120.0), ("0", 0.0), ("-5", 0.0), ("1.5", 1.5),
    (None, None), ("", None), ("soon", None), ("inf", None), ("nan", None),
])
def test_retry_after_seconds(value, seconds):
    assert retry_after_seconds(value, now=lambda: NOW) == seconds


def test_retry_after_http_date_is_measured_against_the_given_clock():
    assert retry_after_seconds(email.utils.formatdate(NOW + 45, usegmt=True), now=lambda: NOW) == 45.0
    assert retry_after_seconds(email.utils.formatdate(NOW - 45, usegmt=True), now=lambda: NOW) == 0.0


# -- backoff -------------------------------------------------------------------------------------
def test_retry_delay_prefers_the_hint_and_caps_everything():
    clock = FakeClock(wall_start=NOW)
    client = _client(clock, Server(clock), jitter=lambda: 0.0)
    assert client.retry_delay(0, httpx.Response(429, headers={"Retry-After": "7"})) == 7
    assert client.retry_delay(0, httpx.Response(503, headers={"Retry-After": "600"})) == 30
    dated = email.utils.formatdate(clock.time() + 12, usegmt=True)
    assert client.retry_delay(0, httpx.Response(503, headers={"Retry-After": dated})) == 12
    # Without a hint: base * 2**attempt, scaled by jitter into [half, full], capped.
    assert [client.retry_delay(n) for n in range(4)] == [0.5, 1.0, 2.0, 4.0]
    assert client.retry_delay(10) == 30
    full = _client(clock, Server(clock), jitter=lambda: 1.0)
    assert [full.retry_delay(n) for n in range(4)] == [1.0, 2.0, 4.0, 8.0]


# -- retries -------------------------------------------------------------------------------------
async def test_429_is_retried_after_the_hinted_wait():
    clock = FakeClock()
    server = Server(clock, [httpx.Response(429, headers={"Retry-After": "5"}), 200])
    async with _client(clock, server) as client:
        response = await client.get("/x")
    assert response.status_code == 200
    assert clock.sleeps == [5]
    assert server.times == [1000.0, 1005.0]


async def test_5xx_and_transport_errors_are_retried_with_backoff():
    clock = FakeClock()
    server = Server(clock, [503, httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), 200])
    async with _client(clock, server) as client:
        response = await client.get("/x")
    assert response.status_code == 200 and len(server.calls) == 4
    assert clock.sleeps == [0.75, 1.5, 3.0]          # 1 * 2**n * (0.5 + 0.5 / 2)


async def test_other_statuses_are_answers_not_failures():
    for status in (200, 204, 301, 400, 403, 404):
        clock = FakeClock()
        server = Server(clock, [httpx.Response(status, headers={"Location": "/elsewhere"} if status == 301 else {})])
        async with _client(clock, server, follow_redirects=False) as client:
            assert (await client.get("/x")).status_code == status
        assert len(server.calls) == 1 and clock.sleeps == []


async def test_gives_up_with_the_last_status():
    clock = FakeClock()
    server = Server(clock, [500] * 10)
    async with _client(clock, server) as client:
        with pytest.raises(RetriesExhausted) as caught:
            await client.get("/x")
    assert (caught.value.status, caught.value.attempts, caught.value.last_error) == (500, 4, "HTTP 500")
    assert len(server.calls) == 4 and len(clock.sleeps) == 3
    assert str(caught.value) == "GET http://api.test/x failed after 4 attempts: HTTP 500"


async def test_gives_up_without_status_when_nothing_answered():
    clock = FakeClock()
    server = Server(clock, [httpx.ConnectError("refused")] * 10)
    async with _client(clock, server, max_retries=0) as client:
        with pytest.raises(RetriesExhausted) as caught:
            await client.get("/x")
    assert caught.value.status is None and "ConnectError: refused" in caught.value.last_error
    assert len(server.calls) == 1 and clock.sleeps == []


# -- identification and URLs ---------------------------------------------------------------------
async def test_identifies_itself_and_joins_urls():
    clock = FakeClock()
    server = Server(clock)
    async with _client(clock, server, headers={"Accept": "application/json;q=0.9", "X-Extra": "1"}) as client:
        await client.get("/cards", params={"q": "elf"})
        await client.get("https://elsewhere.test/file")
    (_, first), (_, second) = server.calls
    assert str(first.url) == "http://api.test/cards?q=elf"
    assert first.headers["user-agent"] == "AutoMana-test/1"
    assert first.headers["accept"] == "application/json;q=0.9" and first.headers["x-extra"] == "1"
    assert str(second.url) == "https://elsewhere.test/file"


def test_policy_from_settings_reads_the_usual_names():
    settings = SimpleNamespace(base_url="http://a.test", user_agent="ua", timeout_seconds=5.0, max_retries=2,
                               backoff_base_seconds=0.1, backoff_max_seconds=9.0, requests_per_second=4.0)
    policy = HttpPolicy.from_settings(settings, name="demo", headers={"Accept": "text/csv"})
    assert (policy.base_url, policy.max_retries, policy.requests_per_second, policy.name) == (
        "http://a.test", 2, 4.0, "demo")
    assert dict(policy.headers) == {"Accept": "text/csv"}


@pytest.mark.parametrize("bad", [{"max_retries": -1}, {"requests_per_second": -1}, {"timeout_seconds": 0}])
def test_policy_refuses_impossible_values(bad):
    with pytest.raises(ValueError):
        _policy(**bad)


# -- rate ----------------------------------------------------------------------------------------
async def test_requests_are_spaced_to_the_rate():
    clock = FakeClock()
    server = Server(clock)
    async with _client(clock, server, requests_per_second=2) as client:
        for _ in range(5):
            await client.get("/x")
    assert server.times == [1000.0, 1000.5, 1001.0, 1001.5, 1002.0]


async def test_concurrent_callers_share_the_rate():
    clock = FakeClock()
    server = Server(clock)
    async with _client(clock, server, requests_per_second=4) as client:
        await asyncio.gather(*(client.get(f"/x/{i}") for i in range(6)))
    assert sorted(server.times) == [1000.0, 1000.25, 1000.5, 1000.75, 1001.0, 1001.25]


async def test_retries_keep_to_the_rate_too():
    clock = FakeClock()
    server = Server(clock, [httpx.Response(503, headers={"Retry-After": "0"}), 200])
    async with _client(clock, server, requests_per_second=1) as client:
        await client.get("/x")
    assert server.times == [1000.0, 1001.0]          # a zero hint does not skip the rate limit


async def test_zero_rate_means_unlimited():
    clock = FakeClock()
    server = Server(clock)
    async with _client(clock, server, requests_per_second=0) as client:
        for _ in range(3):
            await client.get("/x")
    assert server.times == [1000.0] * 3 and clock.sleeps == []
