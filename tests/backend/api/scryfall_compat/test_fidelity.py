"""Fidelity over the real Scryfall files in ../shared/data (both schemas): every printing the API
serves equals its source object field by field, API URIs aside (they point at this server), and
carries every field today's card object requires."""
from __future__ import annotations

import gzip
import itertools

import orjson
import pytest

from tests.backend.api.scryfall_compat.test_cards import BASE, REQUIRED
from tests.fixtures.scryfall import set_scryfall_settings

pytestmark = pytest.mark.real_data
BATCH = 75           # identifiers per /cards/collection request
GET_EVERY = 23       # and one printing in this many is also fetched by GET /cards/{id}


def _sources(path) -> list[dict]:
    with gzip.open(path) as f:
        return orjson.loads(f.read())


def _expected(source: dict) -> dict:
    """The source as this server serves it: its API URIs point at /scryfall here."""
    return orjson.loads(orjson.dumps(source).replace(b"https://api.scryfall.com", BASE.encode()))


def _assert_same(served: dict, source: dict) -> None:
    expected = _expected(source)
    # Older files' prices lack keys today's object has (usd_etched): those are added, null.
    served_prices = {k: v for k, v in served["prices"].items() if k in (source.get("prices") or {})}
    differences = [key for key, value in expected.items()
                   if (served_prices if key == "prices" else served.get(key, KeyError)) != value]
    assert differences == [], (source["id"], {k: (served.get(k), expected[k]) for k in differences[:3]})
    missing = [f for f in REQUIRED if f not in served
               and not (served["layout"] == "reversible_card" and f in ("oracle_id", "cmc"))]
    assert missing == [], (source["id"], missing)
    assert all(v is None or isinstance(v, str) for v in served["prices"].values())


async def _check_file(client, ingest_manager, path) -> int:
    sources = _sources(path)
    result = await ingest_manager.execute_service("integrations.scryfall.load_file", path=str(path))
    assert result["rejected"] == 0
    by_id = {card["id"]: card for card in sources}
    checked = 0
    ids = list(by_id)
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        response = await client.post("/scryfall/cards/collection",
                                     json={"identifiers": [{"id": card_id} for card_id in batch]})
        body = response.json()
        assert body["not_found"] == [] and [c["id"] for c in body["data"]] == batch
        for served in body["data"]:
            _assert_same(served, by_id[served["id"]])
            checked += 1
    for card_id in itertools.islice(ids, 0, None, GET_EVERY):
        served = (await client.get(f"/scryfall/cards/{card_id}")).json()
        _assert_same(served, by_id[card_id])
    return checked


async def test_modern_file_is_served_field_for_field(shared_data, client, ingest_manager, scryfall_env, settings):
    set_scryfall_settings(settings, batch_size=2000)
    path = shared_data / "scryfall" / "cards-2022-2026.json.gz"
    assert await _check_file(client, ingest_manager, path) == 5289


async def test_older_schema_file_is_served_field_for_field(shared_data, client, ingest_manager, scryfall_env,
                                                           settings):
    set_scryfall_settings(settings, batch_size=5000)
    path = shared_data / "scryfall" / "default-cards-2019.json.gz"
    assert await _check_file(client, ingest_manager, path) == 45851
