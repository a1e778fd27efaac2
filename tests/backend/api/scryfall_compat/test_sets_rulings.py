"""/scryfall/sets and rulings; MTGJSON (rulings, set metadata, marketplace ids) and Scryfall rulings loads."""
from __future__ import annotations

import gzip
import json
import shutil

import pytest

from tests.backend.api.scryfall_compat.test_cards import BASE, assert_error
from tests.fixtures.catalog import card_id

GOYF = "b6876d9e-0908-43ac-8542-09c7aa02b5ba"


def mtgjson_file(folder, code: str, cards: list[dict], **set_fields) -> None:
    """A per-set file in MTGJSON v5's documented shape."""
    data = {"code": code.upper(), "name": set_fields.pop("name", code.upper()), "type": "expansion",
            "releaseDate": "2007-05-04", "block": "Time Spiral", "baseSetSize": 180, "isOnlineOnly": False,
            "isFoilOnly": False, "isNonFoilOnly": False, "tcgplayerGroupId": 37, "cards": cards, "tokens": [],
            **set_fields}
    with gzip.open(folder / f"{code.upper()}.json.gz", "wt", encoding="utf-8") as f:
        json.dump({"meta": {"version": "5.2.0"}, "data": data}, f)


def mtgjson_card(scryfall_id: str, oracle_id: str | None, name: str, **identifiers) -> dict:
    return {"name": name, "number": "1", "uuid": "2a4a4ea2-5d1f-5b7a-8c40-7d0a3f1e0c11", "layout": "normal",
            "identifiers": {"scryfallId": scryfall_id, "scryfallOracleId": oracle_id, **identifiers},
            "rulings": [{"date": "2021-03-19", "text": "It counts card types in all graveyards."},
                        {"date": "2007-05-01", "text": "Tribal is a card type."}]}


async def test_sets_list_and_lookups_count_their_cards(client, catalog):
    body = (await client.get("/scryfall/sets")).json()
    assert body["object"] == "list" and body["has_more"] is False
    by_code = {s["code"]: s for s in body["data"]}
    fourth = by_code["4ed"]
    assert fourth["card_count"] == sum(1 for c in catalog.values() if c["set"] == "4ed")
    assert fourth["released_at"] == "1995-04-01"   # from its printings, though no /sets file was loaded
    assert fourth["uri"] == f"{BASE}/sets/{fourth['id']}" and fourth["search_uri"].startswith(f"{BASE}/cards/search?")
    dates = [s.get("released_at") or "" for s in body["data"]]
    assert dates == sorted(dates, reverse=True)
    assert (await client.get("/scryfall/sets/4ED")).json()["id"] == fourth["id"]
    assert (await client.get(f"/scryfall/sets/{fourth['id']}")).json()["code"] == "4ed"
    assert_error(await client.get("/scryfall/sets/zzzzz"), 404, "not_found")
    assert_error(await client.get("/scryfall/sets/tcgplayer/999999"), 404)


async def test_mtgjson_load_gives_rulings_set_metadata_and_marketplace_ids(client, service_manager, catalog,
                                                                           tmp_path):
    goyf = catalog[GOYF]
    mtgjson_file(tmp_path, "fut", [mtgjson_card(GOYF, None, "Tarmogoyf", tcgplayerProductId="15004",
                                                 mcmId="15145")])
    assert (await client.get(f"/scryfall/cards/{GOYF}/rulings")).json()["data"] == []
    first = await service_manager.execute_service("scryfall_compat.mtgjson.load", directory=str(tmp_path))
    assert first["rulings_inserted"] == 2 and first["sets_updated"] == 1 and first["printings_updated"] == 1
    rulings = (await client.get(f"/scryfall/cards/{GOYF}/rulings")).json()
    assert [(r["published_at"], r["object"], r["source"], r["oracle_id"]) for r in rulings["data"]] == [
        ("2007-05-01", "ruling", "wotc", goyf["oracle_id"]), ("2021-03-19", "ruling", "wotc", goyf["oracle_id"])]
    # Every ruling route answers the same list.
    for path in (f"/scryfall/cards/multiverse/{goyf['multiverse_ids'][0]}/rulings",
                 f"/scryfall/cards/mtgo/{goyf['mtgo_id']}/rulings", "/scryfall/cards/fut/153/rulings"):
        assert (await client.get(path)).json() == rulings
    assert_error(await client.get("/scryfall/cards/arena/1/rulings"), 404)
    card = (await client.get(f"/scryfall/cards/{GOYF}")).json()
    assert card["cardmarket_id"] == 15145 and card["tcgplayer_id"] == goyf["tcgplayer_id"]
    assert (await client.get("/scryfall/cards/cardmarket/15145")).json()["id"] == GOYF
    fut = (await client.get("/scryfall/sets/fut")).json()
    assert fut["set_type"] == "expansion" and fut["block"] == "Time Spiral" and fut["tcgplayer_id"] == 37
    assert (await client.get("/scryfall/sets/tcgplayer/37")).json()["code"] == "fut"
    assert card["set_type"] == "expansion"   # the card object no longer says 'unknown'
    again = await service_manager.execute_service("scryfall_compat.mtgjson.load", directory=str(tmp_path))
    assert (again["rulings_inserted"], again["sets_updated"], again["printings_updated"],
            again["documents_completed"]) == (0, 0, 0, 0)


async def test_scryfall_rulings_file_loads_once(service_manager, client, catalog, tmp_path):
    bolt = catalog[card_id(catalog, "Lightning Bolt", "4ed")]
    path = tmp_path / "rulings.json"
    path.write_text(json.dumps([
        {"object": "ruling", "oracle_id": bolt["oracle_id"], "source": "wotc", "published_at": "2004-10-04",
         "comment": "The damage is dealt by Lightning Bolt."},
        {"object": "ruling", "oracle_id": "not-a-uuid", "source": "wotc", "published_at": "2004-10-04",
         "comment": "x"}]))
    first = await service_manager.execute_service("scryfall_compat.ruling.load_file", path=str(path))
    assert first == {"read": 1, "inserted": 1, "rejected": 1}
    again = await service_manager.execute_service("scryfall_compat.ruling.load_file", path=str(path))
    assert again["inserted"] == 0
    listed = (await client.get(f"/scryfall/cards/{bolt['id']}/rulings")).json()["data"]
    assert [r["comment"] for r in listed] == ["The damage is dealt by Lightning Bolt."]


@pytest.mark.real_data
async def test_real_mtgjson_set_file(service_manager, client, catalog, shared_data, tmp_path):
    source = shared_data / "mtgjson" / "sets-2022-04" / "FUT.json.gz"
    if not source.exists():
        pytest.skip("FUT.json.gz is not present")
    shutil.copy(source, tmp_path / source.name)   # a one-file folder, in the test's own temp dir
    counts = await service_manager.execute_service("scryfall_compat.mtgjson.load", directory=str(tmp_path))
    assert counts["files"] == 1 and counts["rulings_inserted"] >= 4
    rulings = (await client.get(f"/scryfall/cards/{GOYF}/rulings")).json()["data"]
    assert any("all zones" in r["comment"] for r in rulings)
    assert (await client.get(f"/scryfall/cards/{GOYF}")).json()["cardmarket_id"] == 15145
