"""ScryfallClient against the fake server: paging, retries honouring Retry-After, errors, downloads."""
from __future__ import annotations

import email.utils
import gzip
from types import SimpleNamespace

import httpx
import pytest

from backend.integrations.http_client import Clock, retry_after_seconds
from backend.integrations.scryfall import fake_server
from backend.integrations.scryfall.client import ScryfallClient, ScryfallError
from backend.integrations.scryfall.config import ScryfallSettings
from tests.fixtures.clock import FakeClock


def _client(server, *, clock: Clock | None = None, **overrides) -> ScryfallClient:
    config = ScryfallSettings(base_url=server.base_url, backoff_base_seconds=0.01, max_retries=2, **overrides)
    return ScryfallClient(config, clock=clock)


def test_retry_after_parsing():
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    now = 1_700_000_000.0
    in_30_seconds = email.utils.formatdate(now + 30, usegmt=True)
    assert retry_after_seconds(in_30_seconds, now=lambda: now) == 30.0


async def test_sets_are_followed_across_pages(fake_scryfall):
    async with _client(fake_scryfall) as client:
        sets = await client.sets()
    assert [s["code"] for s in sets] == ["tst", "old"]


async def test_429_is_retried(fake_scryfall):
    fake_scryfall.behaviour.fail_next_with_429 = 2
    fake_scryfall.behaviour.retry_after_seconds = 0
    async with _client(fake_scryfall) as client:
        bulk = await client.bulk_data()
    assert [b["type"] for b in bulk] == ["default_cards"]
    assert fake_scryfall.behaviour.requests == ["/bulk-data"] * 3


def test_backoff_honours_retry_after_and_caps_it():
    client = ScryfallClient(ScryfallSettings(backoff_max_seconds=30, backoff_base_seconds=1))
    assert client.http.retry_delay(0, httpx.Response(429, headers={"Retry-After": "7"})) == 7
    assert client.http.retry_delay(0, httpx.Response(503, headers={"Retry-After": "600"})) == 30
    assert 2 <= client.http.retry_delay(2, httpx.Response(503)) <= 4   # exponential with jitter, no hint


async def test_persistent_5xx_gives_up_with_an_error(fake_scryfall):
    fake_scryfall.behaviour.fail_next_with_500 = 10
    async with _client(fake_scryfall) as client:
        with pytest.raises(ScryfallError) as caught:
            await client.bulk_data()
    assert caught.value.status == 500
    assert fake_scryfall.behaviour.requests.count("/bulk-data") == 3


async def test_client_errors_carry_scryfall_details(fake_scryfall):
    async with _client(fake_scryfall) as client:
        with pytest.raises(ScryfallError) as caught:
            await client.get_json("/bulk-data/nonexistent")
    assert caught.value.status == 404
    assert caught.value.details["code"] == "not_found"


async def test_rate_limit_keeps_under_the_servers_limit(fake_scryfall, monkeypatch):
    clock = FakeClock()
    # The fake server counts requests per second on the same fake clock: neither side reads real time.
    monkeypatch.setattr(fake_server, "time", SimpleNamespace(monotonic=clock.monotonic))
    fake_scryfall.behaviour.max_requests_per_second = 5
    async with _client(fake_scryfall, requests_per_second=3, clock=clock.as_clock()) as client:
        for _ in range(8):
            await client.get_json("/bulk-data")
    assert fake_scryfall.behaviour.requests.count("/bulk-data") == 8   # never a 429 to retry
    assert clock.sleeps == pytest.approx([1 / 3] * 7)                  # each start waited for its slot


async def test_download_keeps_gzip_bytes_and_resumes(fake_scryfall, fake_scryfall_data, tmp_path):
    fake_scryfall.behaviour.cut_downloads_after_bytes = 500
    fake_scryfall.behaviour.cut_downloads_times = 1
    async with _client(fake_scryfall) as client:
        bulk = await client.bulk_data()
        result = await client.download(bulk[0]["download_uri"], tmp_path / "cards.json.gz")
    source = (fake_scryfall_data / "default_cards.json.gz").read_bytes()
    assert result.path.read_bytes() == source
    assert gzip.decompress(source).startswith(b"[\n")
    assert result.resumed_from == 500
    assert result.content_encoding == "gzip" and result.etag
