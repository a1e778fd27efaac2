"""The fake Scryfall server speaks the real wire format: list objects, paging, errors, gzip, ETag, Range."""
from __future__ import annotations

import gzip

import httpx
import orjson


def test_bulk_data_lists_the_folder(fake_scryfall, fake_scryfall_data):
    body = httpx.get(f"{fake_scryfall.base_url}/bulk-data").json()
    assert body["object"] == "list" and body["has_more"] is False
    (entry,) = body["data"]
    assert entry["object"] == "bulk_data" and entry["type"] == "default_cards"
    assert entry["download_uri"] == f"{fake_scryfall.base_url}/files/default_cards.json.gz"
    assert entry["size"] == len(gzip.decompress((fake_scryfall_data / "default_cards.json.gz").read_bytes()))
    missing = httpx.get(f"{fake_scryfall.base_url}/bulk-data/all_cards")
    assert missing.status_code == 404 and missing.json()["object"] == "error"


def test_sets_are_paged(fake_scryfall):
    first = httpx.get(f"{fake_scryfall.base_url}/sets").json()
    assert first["has_more"] is True and len(first["data"]) == 1
    second = httpx.get(first["next_page"]).json()
    assert second["has_more"] is False and "next_page" not in second


def test_files_use_gzip_etag_and_ranges(fake_scryfall, fake_scryfall_data):
    url = f"{fake_scryfall.base_url}/files/default_cards.json.gz"
    raw = (fake_scryfall_data / "default_cards.json.gz").read_bytes()
    full = httpx.get(url)
    assert full.headers["content-encoding"] == "gzip"
    assert orjson.loads(full.content)[0]["object"] == "card"     # httpx decoded the transfer encoding
    etag = full.headers["etag"]
    assert httpx.get(url, headers={"If-None-Match": etag}).status_code == 304
    with httpx.stream("GET", url, headers={"Range": "bytes=10-", "If-Range": etag}) as part:
        assert part.status_code == 206
        assert b"".join(part.iter_raw()) == raw[10:]   # the encoded bytes, from offset 10
    stale = httpx.get(url, headers={"Range": "bytes=10-", "If-Range": '"other"'})
    assert stale.status_code == 200
    assert httpx.get(url, headers={"Range": f"bytes={len(raw)}-"}).status_code == 416


def test_rate_limit_answers_429_with_retry_after(fake_scryfall):
    fake_scryfall.behaviour.fail_next_with_429 = 1
    fake_scryfall.behaviour.retry_after_seconds = 3
    response = httpx.get(f"{fake_scryfall.base_url}/bulk-data")
    assert response.status_code == 429 and response.headers["retry-after"] == "3"
    assert response.json()["code"] == "too_many_requests"
