"""/scryfall/bulk-data: files generated from the catalog, their entries, downloads, and a generated
file loading back into a catalog (one AutoMana seeding another)."""
from __future__ import annotations

import gzip
import json

import pytest

from backend.new_services.card_catalog.catalog_load.bulk_file import BulkFile
from tests.backend.api.scryfall_compat.test_cards import BASE, assert_error

TYPES = ("all_cards", "default_cards", "oracle_cards", "unique_artwork", "rulings")


@pytest.fixture
def bulk_dir(settings, tmp_path):
    settings.scryfall_bulk_dir = tmp_path / "bulk"
    return settings.scryfall_bulk_dir


async def test_generate_list_entries_and_download(client, service_manager, catalog, bulk_dir):
    assert (await client.get("/scryfall/bulk-data")).json()["data"] == []
    assert_error(await client.get("/scryfall/bulk-data/default_cards"), 404)
    # A French printing with an English twin (same set and number) is not a default card.
    from tests.fixtures.scryfall import modern_card, uid
    twins = [modern_card(1), {**modern_card(1), "id": uid("card:tst:1:fr"), "lang": "fr"}]
    await service_manager.execute_service("card_catalog.catalog_load.load_cards", cards=twins)
    catalog = {**catalog, **{c["id"]: c for c in twins}}
    result = await service_manager.execute_service("scryfall_compat.bulk_data.generate")
    assert set(result) == set(TYPES)
    english = {(c["set"], c["collector_number"]) for c in catalog.values() if c["lang"] == "en"}
    default = [c for c in catalog.values() if c["lang"] == "en" or (c["set"], c["collector_number"]) not in english]
    assert result["all_cards"]["objects"] == len(catalog)
    assert result["default_cards"]["objects"] == len(default) == len(catalog) - 1
    assert result["oracle_cards"]["objects"] == len({c.get("oracle_id") or c["card_faces"][0]["oracle_id"]
                                                     for c in catalog.values()})
    listed = (await client.get("/scryfall/bulk-data")).json()
    assert {e["type"] for e in listed["data"]} == set(TYPES)
    for entry in listed["data"]:
        assert entry["object"] == "bulk_data" and entry["content_encoding"] == "gzip"
        assert entry["uri"] == f"{BASE}/bulk-data/{entry['id']}"
        assert entry["download_uri"].startswith(f"{BASE}/bulk-data/files/")
        assert (await client.get(f"/scryfall/bulk-data/{entry['id']}")).json() == entry
        assert (await client.get(f"/scryfall/bulk-data/{entry['type']}")).json() == entry
    entry = next(e for e in listed["data"] if e["type"] == "all_cards")
    path = entry["download_uri"].removeprefix("http://testserver")
    gzipped = await client.get(path, headers={"Accept-Encoding": "gzip"})
    assert gzipped.status_code == 200 and gzipped.headers["content-encoding"] == "gzip"
    cards = gzipped.json()   # httpx inflates it
    assert {c["id"] for c in cards} == set(catalog) and len(gzipped.content) == entry["size"]
    plain = await client.get(path, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.json() == cards
    partial = await client.get(path, headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
    assert partial.status_code == 206
    assert_error(await client.get("/scryfall/bulk-data/files/all-cards-20000101000000000000.json"), 404)


async def test_regenerating_keeps_the_previous_file_for_running_downloads(client, service_manager, catalog,
                                                                          bulk_dir):
    first = (await service_manager.execute_service("scryfall_compat.bulk_data.generate", types=["rulings"]))
    second = (await service_manager.execute_service("scryfall_compat.bulk_data.generate", types=["rulings"]))
    third = (await service_manager.execute_service("scryfall_compat.bulk_data.generate", types=["rulings"]))
    names = sorted(p.name for p in bulk_dir.glob("*.json.gz"))
    assert names == sorted([second["rulings"]["file"] + ".gz", third["rulings"]["file"] + ".gz"])
    ok = await client.get(f"/scryfall/bulk-data/files/{second['rulings']['file']}")
    assert ok.status_code == 200 and ok.json() == []
    assert_error(await client.get(f"/scryfall/bulk-data/files/{first['rulings']['file']}"), 404)


async def test_generated_file_loads_back_into_a_catalog(service_manager, catalog, bulk_dir, db):
    with db.cursor() as cur:
        cur.execute("SELECT card_version_id::text, document::text FROM card_catalog.card_documents")
        before = {card_id: json.loads(text) for card_id, text in cur.fetchall()}
    result = await service_manager.execute_service("scryfall_compat.bulk_data.generate", types=["all_cards"])
    path = bulk_dir / (result["all_cards"]["file"] + ".gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == len(catalog) + 2   # one card per line
    with db.cursor() as cur:
        cur.execute("TRUNCATE card_catalog.card_versions, card_catalog.oracle_cards, card_catalog.sets CASCADE")
    counts = await service_manager.execute_service("card_catalog.catalog_load.load_cards",
                                                   cards=BulkFile(path).records())
    assert counts.inserted == len(catalog) and counts.rejected == 0
    with db.cursor() as cur:
        cur.execute("SELECT card_version_id::text, document::text FROM card_catalog.card_documents")
        after = {card_id: json.loads(text) for card_id, text in cur.fetchall()}
    assert after == before


async def test_unknown_types_and_concurrent_generation(service_manager, bulk_dir):
    from backend.request_handling.errors import BadRequestError
    with pytest.raises(BadRequestError):
        await service_manager.execute_service("scryfall_compat.bulk_data.generate", types=["everything"])
