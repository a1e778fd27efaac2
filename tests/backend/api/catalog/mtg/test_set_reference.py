"""/api/catalog/mtg/set-reference: reads, filters, admin writes through the loader, 409 on delete."""
from __future__ import annotations

import json
import uuid

import pytest

import backend.api.catalog.mtg.set_reference as set_reference
from tests.fixtures.catalog import card_id

BASE = "/api/catalog/mtg/set-reference"


def scryfall_set(code: str, name: str, set_type: str = "expansion", released_at: str | None = "2020-01-01",
                 digital: bool = False) -> dict:
    return {"object": "set", "id": str(uuid.uuid4()), "code": code, "name": name, "set_type": set_type,
            "released_at": released_at, "card_count": 10, "digital": digital, "foil_only": False,
            "nonfoil_only": False, "icon_svg_uri": f"https://svgs.scryfall.io/sets/{code}.svg"}


SETS = [
    scryfall_set("aaa", "Alpha Test", "core", "1993-08-05"),
    scryfall_set("bbb", "Beta Test", "expansion", "2001-06-04"),
    scryfall_set("ccc", "Online Test", "masters", "2015-05-06", digital=True),
    scryfall_set("ddd", "Future Test", "expansion", "2030-01-01"),
]


@pytest.fixture
def settings(settings, tmp_path):
    return settings.model_copy(update={"data_dir": tmp_path})


@pytest.fixture
async def loaded_sets(client, admin_headers):
    response = await client.post(f"{BASE}/bulk", json={"sets": SETS}, headers=admin_headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_bulk_then_read_by_code_and_id(client, loaded_sets):
    assert loaded_sets["inserted"] == 4 and loaded_sets["rejected"] == []
    by_code = (await client.get(f"{BASE}/BBB")).json()["data"]
    assert by_code["name"] == "Beta Test" and by_code["id"] == SETS[1]["id"]
    by_id = (await client.get(f"{BASE}/{SETS[1]['id']}")).json()["data"]
    assert by_id == by_code
    missing = await client.get(f"{BASE}/zzz")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


async def test_list_filters_and_sorting(client, loaded_sets):
    async def codes(**params):
        body = (await client.get(f"{BASE}/", params=params)).json()
        return [s["code"] for s in body["data"]], body["pagination"]["total_count"]

    assert await codes() == (["ddd", "ccc", "bbb", "aaa"], 4)
    assert await codes(set_type="expansion") == (["ddd", "bbb"], 2)
    assert await codes(released_from="2000-01-01", released_to="2020-01-01") == (["ccc", "bbb"], 2)
    assert await codes(digital="true") == (["ccc"], 1)
    assert await codes(sort_by="code", sort_order="asc", limit=2, offset=1) == (["bbb", "ccc"], 4)
    assert await codes(search="online") == (["ccc"], 1)
    bad_sort = await client.get(f"{BASE}/", params={"sort_by": "set_id; drop table x"})
    assert bad_sort.status_code == 400 and bad_sort.json()["error"]["code"] == "invalid_sort"
    bad_range = await client.get(f"{BASE}/", params={"released_from": "2020-01-01", "released_to": "2000-01-01"})
    assert bad_range.status_code == 400
    assert (await client.get(f"{BASE}/", params={"released_from": "yesterday"})).status_code == 422


async def test_create_one_and_rejections(client, admin_headers):
    new = scryfall_set("eee", "Echo Test")
    assert (await client.post(f"{BASE}/", json=new)).status_code == 401
    response = await client.post(f"{BASE}/", json=new, headers=admin_headers)
    assert response.status_code == 201 and response.json()["data"]["code"] == "eee"
    bad = await client.post(f"{BASE}/", json={"code": "fff"}, headers=admin_headers)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "set_rejected"
    clash = await client.post(f"{BASE}/", json=scryfall_set("eee", "Another"), headers=admin_headers)
    assert clash.status_code == 409
    result = (await client.post(f"{BASE}/bulk", json={"sets": [scryfall_set("ggg", "G"), {"name": "x"}, 5]},
                                headers=admin_headers)).json()["data"]
    assert result["inserted"] == 1 and [r["index"] for r in result["rejected"]] == [1, 2]


async def test_upload_sets_file_multipart_and_raw(client, admin_headers, settings):
    payload = json.dumps({"object": "list", "has_more": False, "data": SETS}).encode()
    response = await client.post(f"{BASE}/upload-file", files={"file": ("sets.json", payload, "application/json")},
                                 headers=admin_headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["inserted"] == 4 and response.json()["data"]["seen"] == 4
    raw = await client.post(f"{BASE}/upload-file", content=json.dumps(SETS[:2]).encode(),
                            headers={**admin_headers, "content-type": "application/json"})
    assert raw.json()["data"]["unchanged"] == 2
    assert list((settings.data_dir / "uploads").iterdir()) == []  # uploads are removed after loading


async def test_upload_sets_file_bad_inputs(client, admin_headers, monkeypatch):
    async def upload(content: bytes, content_type: str = "application/json"):
        return await client.post(f"{BASE}/upload-file", content=content,
                                 headers={**admin_headers, "content-type": content_type})

    assert (await upload(b"not json at all")).status_code == 400
    assert (await upload(b'{"data": [')).status_code == 400
    assert (await upload(b"")).status_code == 400
    assert (await upload(b"[]", "text/plain")).status_code == 415
    no_file = await client.post(f"{BASE}/upload-file", files={"other": ("x.json", b"[]")}, headers=admin_headers)
    assert no_file.status_code == 400 and "file" in no_file.json()["error"]["message"]
    monkeypatch.setattr(set_reference, "MAX_SETS_FILE_BYTES", 100)
    too_big = await upload(json.dumps(SETS).encode())
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "payload_too_large"


async def test_update_set(client, admin_headers, loaded_sets):
    response = await client.put(f"{BASE}/aaa", json={"name": "Alpha Renamed", "digital": True}, headers=admin_headers)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["name"] == "Alpha Renamed" and data["digital"] is True and data["set_type"] == "core"
    assert (await client.put(f"{BASE}/aaa", json={"name": None}, headers=admin_headers)).status_code == 400
    assert (await client.put(f"{BASE}/aaa", json={"code": "bbb"}, headers=admin_headers)).status_code == 409
    assert (await client.put(f"{BASE}/aaa", json={"colour": "red"}, headers=admin_headers)).status_code == 422
    assert (await client.put(f"{BASE}/zzz", json={"name": "x"}, headers=admin_headers)).status_code == 404
    assert (await client.put(f"{BASE}/aaa", json={"name": "x"})).status_code == 401


async def test_code_change_follows_onto_cards(client, admin_headers, catalog):
    response = await client.put(f"{BASE}/eld", json={"code": "ELDX"}, headers=admin_headers)
    assert response.status_code == 200 and response.json()["data"]["code"] == "eldx"
    giant = card_id(catalog, "Bonecrusher Giant // Stomp", "eld")
    card = (await client.get(f"/api/catalog/mtg/card-reference/{giant}")).json()["data"]
    assert card["set"] == "eldx"


async def test_delete_refused_while_cards_reference_the_set(client, admin_headers, catalog, loaded_sets):
    refused = await client.delete(f"{BASE}/eld", headers=admin_headers)
    assert refused.status_code == 409 and refused.json()["error"]["details"]["cards"] == 2
    assert (await client.delete(f"{BASE}/ddd")).status_code == 401
    deleted = await client.delete(f"{BASE}/ddd", headers=admin_headers)
    assert deleted.status_code == 200 and deleted.json()["data"]["code"] == "ddd"
    assert (await client.get(f"{BASE}/ddd")).status_code == 404
    assert (await client.delete(f"{BASE}/ddd", headers=admin_headers)).status_code == 404


async def test_real_scryfall_sets_list(client, admin_headers, shared_data):
    """50 sets from Scryfall's /sets (every kind: promo, token, memorabilia, alchemy, with parents
    that are not in the file): all accepted, stored as given, and unchanged when sent again."""
    payload = (shared_data / "scryfall" / "samples" / "sets-50.json").read_bytes()
    response = await client.post(f"{BASE}/upload-file", files={"file": ("sets.json", payload)}, headers=admin_headers)
    assert response.status_code == 200, response.text
    result = response.json()["data"]
    assert (result["seen"], result["inserted"], result["updated"], result["unchanged"], result["rejected"]) == \
        (50, 50, 0, 0, [])

    listed = (await client.get(f"{BASE}/", params={"limit": 1})).json()
    assert listed["pagination"]["total_count"] == 50
    expansions = (await client.get(f"{BASE}/", params={"set_type": "expansion", "limit": 1})).json()
    assert expansions["pagination"]["total_count"] == 18
    digital = (await client.get(f"{BASE}/", params={"digital": "true", "sort_by": "code", "sort_order": "asc"})).json()
    assert [s["code"] for s in digital["data"]] == ["vma", "yecl"]
    alpha = (await client.get(f"{BASE}/LEA")).json()["data"]
    assert (alpha["name"], alpha["set_type"], alpha["released_at"], alpha["digital"]) == \
        ("Limited Edition Alpha", "core", "1993-08-05", False)
    scene_box = (await client.get(f"{BASE}/altc")).json()["data"]
    assert (scene_box["name"], scene_box["set_type"], scene_box["parent_set_code"]) == \
        ("Tales of Middle-earth Scene Box", "memorabilia", "ltc")

    again = await client.post(f"{BASE}/upload-file", files={"file": ("sets.json", payload)}, headers=admin_headers)
    assert again.status_code == 200, again.text
    repeat = again.json()["data"]
    assert (repeat["seen"], repeat["inserted"], repeat["updated"], repeat["unchanged"], repeat["rejected"]) == \
        (50, 0, 0, 50, [])
