"""/api/catalog/mtg/collection: collections and entries (CRUD, merging, finishes, filters, bulk) and the
owner-only rule on every path."""
from __future__ import annotations

import uuid

from tests.fixtures.collection import (
    BASE,
    BOLT_4ED,
    BOLT_FBB,
    COUNTERSPELL_ETCHED,
    GOYF_FUT,
    GOYF_MM2,
    LOTUS,
    PONDER,
    SOL_RING,
)


async def test_collection_crud(client, owner, new_collection):
    created = await new_collection(owner, name="Trade binder", kind="binder", currency="EUR", description="for trades")
    assert created["kind"] == "binder" and created["currency"] == "EUR" and created["entry_count"] == 0
    cid = created["collection_id"]
    listed = (await client.get(f"{BASE}/", headers=owner.headers)).json()
    assert [c["collection_id"] for c in listed["data"]] == [cid] and listed["pagination"]["total_count"] == 1
    duplicate = await client.post(f"{BASE}/", json={"name": "trade BINDER"}, headers=owner.headers)
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "collection_name_taken"
    renamed = await client.put(f"{BASE}/{cid}", json={"name": "Trades", "description": None}, headers=owner.headers)
    assert renamed.status_code == 200
    assert renamed.json()["data"]["name"] == "Trades" and renamed.json()["data"]["description"] is None
    wishlist = await new_collection(owner, name="Wants", kind="wishlist")
    only_wishlists = (await client.get(f"{BASE}/", params={"kind": "wishlist"}, headers=owner.headers)).json()
    assert [c["collection_id"] for c in only_wishlists["data"]] == [wishlist["collection_id"]]
    bad = await client.post(f"{BASE}/", json={"name": "x", "currency": "GBP"}, headers=owner.headers)
    assert bad.status_code == 422
    deleted = await client.delete(f"{BASE}/{cid}", headers=owner.headers)
    assert deleted.json()["data"] == {"collection_id": cid, "deleted": True, "entries_deleted": 0}
    assert (await client.get(f"{BASE}/{cid}", headers=owner.headers)).status_code == 404


async def test_adding_again_adds_copies_and_finishes_are_checked(client, owner, new_collection, add_entry):
    cid = (await new_collection(owner))["collection_id"]
    first = await add_entry(owner, cid, BOLT_4ED, quantity=2, purchase_price="1.50", tags=["burn"], expect=(201,))
    entry = first["data"]
    assert (entry["name"], entry["set"], entry["collector_number"]) == ("Lightning Bolt", "4ed", "208")
    assert entry["quantity"] == 2 and entry["finish"] == "nonfoil" and entry["condition"] == "NM"
    assert entry["language"] == "en" and entry["purchase_price"] == "1.50" and entry["purchase_currency"] == "USD"
    again = await add_entry(owner, cid, BOLT_4ED, quantity=2, purchase_price="2.50", tags=["red"], expect=(200,))
    assert again["data"]["entry_id"] == entry["entry_id"] and again["data"]["quantity"] == 4
    assert again["data"]["purchase_price"] == "2.00"                  # averaged over the four copies
    assert again["data"]["tags"] == ["burn", "red"]
    refused = await client.post(f"{BASE}/{cid}/entries", params={"merge": "false"},
                                json={"card_id": BOLT_4ED}, headers=owner.headers)
    assert refused.status_code == 409 and refused.json()["error"]["details"]["entry_id"] == entry["entry_id"]
    played = await add_entry(owner, cid, BOLT_4ED, condition="LP", expect=(201,))
    assert played["data"]["entry_id"] != entry["entry_id"]            # another condition: another entry
    foil = await client.post(f"{BASE}/{cid}/entries", json={"card_id": BOLT_4ED, "finish": "foil"},
                             headers=owner.headers)
    assert foil.status_code == 422 and foil.json()["error"]["code"] == "finish_not_available"
    assert foil.json()["error"]["details"]["available"] == ["nonfoil"]
    etched = await add_entry(owner, cid, COUNTERSPELL_ETCHED, finish="etched", expect=(201,))
    assert etched["data"]["finish"] == "etched"
    unknown = await client.post(f"{BASE}/{cid}/entries", json={"card_id": str(uuid.uuid4())}, headers=owner.headers)
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_card"
    too_many = await client.post(f"{BASE}/{cid}/entries", json={"card_id": BOLT_4ED, "quantity": 99_999},
                                 headers=owner.headers)
    assert too_many.status_code == 422 and too_many.json()["error"]["code"] == "quantity_too_large"
    negative = await client.post(f"{BASE}/{cid}/entries", json={"card_id": BOLT_4ED, "quantity": -1},
                                 headers=owner.headers)
    assert negative.status_code == 422
    french = await add_entry(owner, cid, BOLT_FBB, expect=(201,))
    assert french["data"]["language"] == "fr"                        # the printing's language by default
    japanese = await add_entry(owner, cid, BOLT_4ED, language="Japanese", expect=(201,))
    assert japanese["data"]["language"] == "ja"
    collection = (await client.get(f"{BASE}/{cid}", headers=owner.headers)).json()["data"]
    assert collection["entry_count"] == 5 and collection["card_count"] == 8


async def test_entry_update_and_delete(client, owner, new_collection, add_entry):
    cid = (await new_collection(owner))["collection_id"]
    entry = (await add_entry(owner, cid, GOYF_FUT, purchase_price="30", notes="from a trade"))["data"]
    url = f"{BASE}/{cid}/entries/{entry['entry_id']}"
    changed = await client.put(url, json={"finish": "foil", "quantity": 3, "notes": None, "acquired_at": "2020-02-02"},
                               headers=owner.headers)
    assert changed.status_code == 200, changed.text
    data = changed.json()["data"]
    assert (data["finish"], data["quantity"], data["notes"], data["acquired_at"]) == ("foil", 3, None, "2020-02-02")
    assert data["purchase_price"] == "30.00"                          # not sent: kept
    refused = await client.put(url, json={"finish": "etched"}, headers=owner.headers)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "finish_not_available"
    other = (await add_entry(owner, cid, GOYF_FUT))["data"]
    clash = await client.put(f"{BASE}/{cid}/entries/{other['entry_id']}", json={"finish": "foil"},
                             headers=owner.headers)
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "entry_exists"
    assert (await client.get(url, headers=owner.headers)).json()["data"]["quantity"] == 3
    assert (await client.delete(url, headers=owner.headers)).json()["data"]["deleted"] is True
    assert (await client.get(url, headers=owner.headers)).status_code == 404
    assert (await client.delete(url, headers=owner.headers)).status_code == 404


async def test_bulk_is_all_or_nothing(client, owner, new_collection, add_entry):
    cid = (await new_collection(owner))["collection_id"]
    bolt = (await add_entry(owner, cid, BOLT_4ED))["data"]
    lotus = (await add_entry(owner, cid, LOTUS))["data"]
    done = await client.post(f"{BASE}/{cid}/entries/bulk", headers=owner.headers, json={
        "add": [{"card_id": SOL_RING, "quantity": 2}, {"card_id": PONDER, "finish": "foil"}],
        "update": [{"entry_id": bolt["entry_id"], "quantity": 4}],
        "remove": [lotus["entry_id"]]})
    assert done.status_code == 200, done.text
    result = done.json()["data"]
    assert [e["name"] for e in result["added"]] == ["Sol Ring", "Ponder"]
    assert result["updated"][0]["quantity"] == 4 and result["removed"] == [lotus["entry_id"]]
    failed = await client.post(f"{BASE}/{cid}/entries/bulk", headers=owner.headers, json={
        "add": [{"card_id": GOYF_MM2}, {"card_id": BOLT_4ED, "finish": "foil"}],
        "remove": [bolt["entry_id"]]})
    assert failed.status_code == 422
    assert failed.json()["error"]["details"]["list"] == "add" and failed.json()["error"]["details"]["index"] == 1
    names = sorted(e["name"] for e in (await client.get(f"{BASE}/{cid}/entries", headers=owner.headers)).json()["data"])
    assert names == ["Lightning Bolt", "Ponder", "Sol Ring"]           # nothing of the failed request stayed
    empty = await client.post(f"{BASE}/{cid}/entries/bulk", json={}, headers=owner.headers)
    assert empty.status_code == 422


async def test_entry_filters_and_sorting(client, owner, new_collection, add_entry, db):
    import datetime as dt

    from tests.fixtures.collection import write_price

    cid = (await new_collection(owner))["collection_id"]
    await add_entry(owner, cid, BOLT_4ED, quantity=4, tags=["burn"])
    await add_entry(owner, cid, GOYF_FUT, finish="foil", condition="LP")
    await add_entry(owner, cid, GOYF_MM2, quantity=2)
    await add_entry(owner, cid, PONDER, language="de")
    await add_entry(owner, cid, SOL_RING, quantity=3)
    day = dt.date(2026, 1, 1)
    write_price(db, BOLT_4ED, 200, day=day)
    write_price(db, GOYF_MM2, 5000, day=day)
    write_price(db, SOL_RING, 150, day=day)

    async def names(**params) -> list[str]:
        response = await client.get(f"{BASE}/{cid}/entries", params=params, headers=owner.headers)
        assert response.status_code == 200, response.text
        return [f"{e['name']}/{e['set']}" for e in response.json()["data"]]

    assert await names() == ["Lightning Bolt/4ed", "Ponder/m12", "Sol Ring/c18", "Tarmogoyf/fut", "Tarmogoyf/mm2"]
    assert await names(set="FUT") == ["Tarmogoyf/fut"]
    assert await names(rarity="mythic") == ["Tarmogoyf/mm2"]
    assert await names(colour="g") == ["Tarmogoyf/fut", "Tarmogoyf/mm2"]
    assert await names(finish="foil") == ["Tarmogoyf/fut"]
    assert await names(condition="LP") == ["Tarmogoyf/fut"]
    assert await names(language="german") == ["Ponder/m12"]
    assert await names(tag="burn") == ["Lightning Bolt/4ed"]
    assert await names(q="t:instant or t:sorcery") == ["Lightning Bolt/4ed", "Ponder/m12"]
    assert await names(q="mv<=1 -c:g") == ["Lightning Bolt/4ed", "Ponder/m12", "Sol Ring/c18"]
    assert await names(q="r>=rare", colour="g", sort_by="set", sort_order="desc") == ["Tarmogoyf/mm2", "Tarmogoyf/fut"]
    by_quantity = await names(sort_by="quantity", sort_order="desc")
    assert by_quantity[:3] == ["Lightning Bolt/4ed", "Sol Ring/c18", "Tarmogoyf/mm2"]
    by_value = await names(sort_by="value", sort_order="desc")
    assert by_value[:3] == ["Tarmogoyf/mm2", "Lightning Bolt/4ed", "Sol Ring/c18"]   # 100.00, 8.00, 4.50
    page = (await client.get(f"{BASE}/{cid}/entries", params={"sort_by": "value", "sort_order": "desc", "limit": 1},
                             headers=owner.headers)).json()
    assert page["data"][0]["value_cents"] == 10000 and page["data"][0]["unit_price_cents"] == 5000
    assert page["pagination"]["total_count"] == 5
    # The default view (by name, nothing filtered) pages through the collection's name index.
    pages = [(await client.get(f"{BASE}/{cid}/entries", params={"limit": 2, "offset": offset},
                               headers=owner.headers)).json() for offset in (0, 2, 4)]
    assert [f"{e['name']}/{e['set']}" for p in pages for e in p["data"]] == await names()
    assert {p["pagination"]["total_count"] for p in pages} == {5}
    bad_sort = await client.get(f"{BASE}/{cid}/entries", params={"sort_by": "price"}, headers=owner.headers)
    assert bad_sort.status_code == 400
    bad_query = await client.get(f"{BASE}/{cid}/entries", params={"q": "pow>"}, headers=owner.headers)
    assert bad_query.status_code == 400 and bad_query.json()["error"]["code"] == "invalid_query"
    # Regular expressions run under the search time limit; one Postgres refuses is the caller's 400.
    assert await names(q="name:/^tarmo/") == ["Tarmogoyf/fut", "Tarmogoyf/mm2"]
    bad_regex = await client.get(f"{BASE}/{cid}/entries", params={"q": "name:/(?<x)/"}, headers=owner.headers)
    assert bad_regex.status_code == 400 and bad_regex.json()["error"]["code"] == "invalid_query", bad_regex.text
    bad_language = await client.get(f"{BASE}/{cid}/entries", params={"language": "klingon"}, headers=owner.headers)
    assert bad_language.status_code == 422


async def test_another_users_collection_is_not_found_everywhere(client, owner, other_user, admin_user,
                                                                new_collection, add_entry):
    cid = (await new_collection(owner))["collection_id"]
    eid = (await add_entry(owner, cid, BOLT_4ED))["data"]["entry_id"]
    entry = f"{BASE}/{cid}/entries/{eid}"
    probes = [
        ("GET", f"{BASE}/{cid}", None), ("PUT", f"{BASE}/{cid}", {"name": "mine"}), ("DELETE", f"{BASE}/{cid}", None),
        ("GET", f"{BASE}/{cid}/entries", None), ("POST", f"{BASE}/{cid}/entries", {"card_id": BOLT_4ED}),
        ("POST", f"{BASE}/{cid}/entries/bulk", {"remove": [eid]}),
        ("GET", entry, None), ("PUT", entry, {"quantity": 9}), ("DELETE", entry, None),
        ("GET", f"{BASE}/{cid}/value", None), ("GET", f"{BASE}/{cid}/value/history", None),
        ("GET", f"{BASE}/{cid}/movers", None), ("GET", f"{BASE}/{cid}/export?format=moxfield", None),
        ("GET", f"{BASE}/{cid}/imports/1", None),
    ]
    for intruder in (other_user, admin_user):
        for method, url, body in probes:
            response = await client.request(method, url, json=body, headers=intruder.headers)
            assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
        imported = await client.post(f"{BASE}/{cid}/import", files={"file": ("deck.txt", b"4 Lightning Bolt\n")},
                                     headers=intruder.headers)
        assert imported.status_code == 404
        assert (await client.get(f"{BASE}/", headers=intruder.headers)).json()["data"] == []
    # Nothing changed for the owner.
    mine = (await client.get(entry, headers=owner.headers)).json()["data"]
    assert mine["quantity"] == 1
    assert (await client.get(f"{BASE}/{cid}", headers=owner.headers)).json()["data"]["name"] == "Binder one"


async def test_a_printing_in_a_collection_cannot_be_deleted(client, owner, admin_headers, new_collection, add_entry):
    cid = (await new_collection(owner))["collection_id"]
    await add_entry(owner, cid, LOTUS)
    refused = await client.delete(f"/api/catalog/mtg/card-reference/{LOTUS}", headers=admin_headers)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "card_in_use"
    assert (await client.get(f"/api/catalog/mtg/card-reference/{LOTUS}")).status_code == 200
    deleted_collection = await client.delete(f"{BASE}/{cid}", headers=owner.headers)
    assert deleted_collection.json()["data"]["entries_deleted"] == 1
    assert (await client.delete(f"/api/catalog/mtg/card-reference/{LOTUS}", headers=admin_headers)).status_code == 200
