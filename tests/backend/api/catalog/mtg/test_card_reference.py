"""/api/catalog/mtg/card-reference over the fixture catalog: lookups, search, names, writes."""
from __future__ import annotations

import copy
import uuid

import pytest

from tests.fixtures.catalog import card_id

BASE = "/api/catalog/mtg/card-reference"


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


async def test_card_by_id_returns_the_full_card(client, catalog):
    delver = card_id(catalog, "Delver of Secrets // Insectile Aberration", "isd")
    response = await client.get(f"{BASE}/{delver}")
    assert response.status_code == 200
    card = response.json()["data"]
    assert card["id"] == delver and card["oracle_id"] == catalog[delver]["oracle_id"]
    assert card["layout"] == "transform" and len(card["card_faces"]) == 2
    assert card["card_faces"][1]["name"] == "Insectile Aberration"
    assert card["set"] == "isd" and card["collector_number"] == "51" and card["lang"] == "en"
    assert card["prices"]["usd"] == 0.47 and card["legalities"]["modern"] == "legal"
    assert card["keywords"] == ["Flying", "Transform"] and card["colors"] == ["U"]


async def test_card_by_id_unknown_and_malformed(client, catalog):
    assert_error(await client.get(f"{BASE}/{uuid.uuid4()}"), 404, "not_found")
    assert_error(await client.get(f"{BASE}/not-a-uuid"), 404, "not_found")


async def test_non_english_and_split_cards(client, catalog):
    french = card_id(catalog, "Lightning Bolt", "fbb", "fr")
    card = (await client.get(f"{BASE}/{french}")).json()["data"]
    assert card["lang"] == "fr" and card["name"] == "Lightning Bolt"
    split = card_id(catalog, "Who // What // When // Where // Why", "unh")
    card = (await client.get(f"{BASE}/{split}")).json()["data"]
    assert [face["name"] for face in card["card_faces"]] == ["Who", "What", "When", "Where", "Why"]
    assert card["cmc"] == 13


async def test_search_envelope_and_filters(client, catalog):
    response = await client.get(f"{BASE}/", params={"q": "t:creature c:g mv<=3", "limit": 2})
    body = response.json()
    assert response.status_code == 200 and body["success"] is True
    assert body["pagination"] == {"limit": 2, "offset": 0, "total_count": 4, "has_next": True, "has_previous": False}
    first = body["data"][0]
    for field in ("id", "oracle_id", "name", "set", "collector_number", "lang", "type_line", "mana_cost",
                  "image_uris", "prices"):
        assert field in first
    response = await client.get(f"{BASE}/", params={"set": "eld", "rarity": "mythic"})
    assert [c["name"] for c in response.json()["data"]] == ["Brazen Borrower // Petty Theft"]


async def test_search_hides_extras_unless_asked(client, catalog):
    hidden = (await client.get(f"{BASE}/", params={"q": "goblin"})).json()
    assert hidden["pagination"]["total_count"] == 0
    shown = (await client.get(f"{BASE}/", params={"q": "goblin", "include_extras": "true"})).json()
    assert {c["name"] for c in shown["data"]} == {"Goblin"}
    planes = (await client.get(f"{BASE}/", params={"q": "include:extras unique:prints t:plane -t:planeswalker"})).json()
    assert planes["pagination"]["total_count"] == 4


@pytest.mark.parametrize("q, term, position", [
    ("t:creature foo:bar", "foo:bar", 11),
    ("c:r (t:elf", "(", 4),
    ("mv>three", "mv>three", 0),
])
async def test_bad_queries_are_400_naming_term_and_position(client, catalog, q, term, position):
    error = assert_error(await client.get(f"{BASE}/", params={"q": q}), 400, "invalid_query")
    assert error["details"]["term"] == term and error["details"]["position"] == position
    assert term in error["message"]


async def test_bad_search_params_are_4xx(client, catalog):
    assert_error(await client.get(f"{BASE}/", params={"limit": 0}), 422)
    assert_error(await client.get(f"{BASE}/", params={"unique": "everything"}), 422)
    assert_error(await client.get(f"{BASE}/", params={"order": "sideways"}), 400, "invalid_query")


async def test_named_exact_fuzzy_and_set(client, catalog):
    exact = (await client.get(f"{BASE}/named", params={"exact": "lightning bolt"})).json()["data"]
    assert exact["name"] == "Lightning Bolt" and exact["set"] == "e01"  # the most recent printing
    in_set = (await client.get(f"{BASE}/named", params={"exact": "Lightning Bolt", "set": "4ED"})).json()["data"]
    assert in_set["set"] == "4ed"
    face = (await client.get(f"{BASE}/named", params={"exact": "ice"})).json()["data"]
    assert face["name"] == "Fire // Ice"
    fuzzy = (await client.get(f"{BASE}/named", params={"fuzzy": "jac mind sculp"})).json()["data"]
    assert fuzzy["name"] == "Jace, the Mind Sculptor"
    typo = (await client.get(f"{BASE}/named", params={"fuzzy": "tarmogoyph"})).json()["data"]
    assert typo["name"] == "Tarmogoyf"
    assert_error(await client.get(f"{BASE}/named", params={"exact": "Lightning Bolt", "set": "lea"}), 404)
    assert_error(await client.get(f"{BASE}/named", params={"exact": "No Such Card"}), 404, "not_found")
    assert_error(await client.get(f"{BASE}/named"), 400)
    assert_error(await client.get(f"{BASE}/named", params={"exact": "a", "fuzzy": "b"}), 400)


async def test_ambiguous_fuzzy_name_lists_candidates(client, catalog):
    error = assert_error(await client.get(f"{BASE}/named", params={"fuzzy": "ma"}), 404, "ambiguous_name")
    candidates = error["details"]["candidates"]
    assert "Maha, Its Feathers Night" in candidates and 2 <= len(candidates) <= 20
    assert error["details"]["fuzzy"] == "ma"
    single = (await client.get(f"{BASE}/named", params={"fuzzy": "skyclave"})).json()["data"]
    assert single["name"] == "Skyclave Cleric // Skyclave Basilica"
    # Both contain "giant", but one is clearly the closer spelling.
    clear = (await client.get(f"{BASE}/named", params={"fuzzy": "bonecrusher gian"})).json()["data"]
    assert clear["name"] == "Bonecrusher Giant // Stomp"


async def test_autocomplete_prefix_first_typo_tolerant_and_bounded(client, catalog):
    names = (await client.get(f"{BASE}/autocomplete", params={"q": "li"})).json()["data"]
    assert names[0] == "Lightning Bolt"
    assert (await client.get(f"{BASE}/autocomplete", params={"q": "tarmgoyf"})).json()["data"] == ["Tarmogoyf"]
    assert (await client.get(f"{BASE}/autocomplete", params={"q": "b"})).json()["data"] == []
    everything = (await client.get(f"{BASE}/autocomplete", params={"q": "e"})).json()["data"]
    assert everything == []
    many = (await client.get(f"{BASE}/autocomplete", params={"q": "er"})).json()["data"]
    assert 1 <= len(many) <= 20 and "Goblin" not in many


async def test_random_respects_the_query(client, catalog):
    for _ in range(5):
        card = (await client.get(f"{BASE}/random", params={"q": "t:planeswalker"})).json()["data"]
        assert card["name"] == "Jace, the Mind Sculptor"
    assert_error(await client.get(f"{BASE}/random", params={"q": "t:nothingatall"}), 404)
    assert_error(await client.get(f"{BASE}/random", params={"q": "t:"}), 400, "invalid_query")


async def test_batch_lookup(client, catalog):
    bolt = card_id(catalog, "Lightning Bolt", "4ed")
    jace = card_id(catalog, "Jace, the Mind Sculptor", "wwk")
    identifiers = [
        {"id": bolt},
        {"oracle_id": catalog[jace]["oracle_id"]},
        {"multiverse_id": catalog[bolt]["multiverse_ids"][0]},
        {"mtgo_id": 56001},
        {"name": "Tarmogoyf"},
        {"name": "Tarmogoyf", "set": "fut"},
        {"set": "ELD", "collector_number": "115"},
        {"name": "Nonexistent Card"},
        {"id": str(uuid.uuid4())},
    ]
    response = await client.post(f"{BASE}/batch", json={"identifiers": identifiers})
    old_path = await client.post(f"{BASE}/collection", json={"identifiers": identifiers})
    assert old_path.json() == response.json()   # the old path stays an alias
    assert response.status_code == 200
    data = response.json()["data"]
    assert [(c["name"], c["set"]) for c in data["cards"]] == [
        ("Lightning Bolt", "4ed"), ("Jace, the Mind Sculptor", "wwk"), ("Lightning Bolt", "4ed"),
        ("Counterspell", "tpr"), ("Tarmogoyf", "mm2"), ("Tarmogoyf", "fut"), ("Bonecrusher Giant // Stomp", "eld")]
    assert data["not_found"] == [{"name": "Nonexistent Card"}, identifiers[-1]]


async def test_batch_lookup_refuses_bad_bodies(client, catalog):
    assert_error(await client.post(f"{BASE}/batch", json={"identifiers": [{"id": str(uuid.uuid4())}] * 76}), 422)
    assert_error(await client.post(f"{BASE}/batch", json={"identifiers": [{"set": "eld"}]}), 422)
    assert_error(await client.post(f"{BASE}/batch", json={"identifiers": [{"color": "red"}]}), 422)
    assert_error(await client.post(f"{BASE}/batch", json={"identifiers": []}), 422)


async def test_by_number_with_language(client, catalog):
    card = (await client.get(f"{BASE}/by-number/4ed/208")).json()["data"]
    assert card["name"] == "Lightning Bolt" and card["lang"] == "en"
    french = (await client.get(f"{BASE}/by-number/fbb/162", params={"lang": "fr"})).json()["data"]
    assert french["lang"] == "fr"
    assert_error(await client.get(f"{BASE}/by-number/4ed/208", params={"lang": "ja"}), 404)
    assert_error(await client.get(f"{BASE}/by-number/4ed/208", params={"lang": "klingon"}), 400)


async def test_printings_of_a_card(client, catalog):
    bolt = card_id(catalog, "Lightning Bolt", "4ed")
    body = (await client.get(f"{BASE}/{bolt}/printings")).json()
    assert body["pagination"]["total_count"] == 3
    assert [c["set"] for c in body["data"]] == ["e01", "4ed", "fbb"]
    english = (await client.get(f"{BASE}/{bolt}/printings", params={"lang": "en", "limit": 1, "offset": 5})).json()
    assert english["data"] == [] and english["pagination"]["total_count"] == 2
    assert_error(await client.get(f"{BASE}/{uuid.uuid4()}/printings"), 404)


async def test_writes_need_admin(client, catalog, fixture_cards):
    card = fixture_cards[0]
    assert_error(await client.post(f"{BASE}/", json=card), 401)
    assert_error(await client.post(f"{BASE}/bulk", json={"cards": [card]}), 401)
    assert_error(await client.post(f"{BASE}/upload-file", content=b"[]",
                                   headers={"content-type": "application/json"}), 401)
    assert_error(await client.get(f"{BASE}/upload-file/1"), 401)
    assert_error(await client.delete(f"{BASE}/{card['id']}"), 401)
    assert_error(await client.delete(f"{BASE}/{card['id']}", headers={"Authorization": "Bearer wrong"}), 401)


def _new_printing(base: dict, **changes) -> dict:
    card = copy.deepcopy(base)
    card.update({"id": str(uuid.uuid4()), **changes})
    return card


async def test_insert_one_card_through_the_loader(client, admin_headers, catalog):
    bolt = catalog[card_id(catalog, "Lightning Bolt", "4ed")]
    new = _new_printing(bolt, set="m10", set_name="Magic 2010", set_type="core", collector_number="146",
                        released_at="2009-07-17", prices={"usd": "2.50"})
    response = await client.post(f"{BASE}/", json=new, headers=admin_headers)
    assert response.status_code == 201, response.text
    card = response.json()["data"]
    assert card["id"] == new["id"] and card["set"] == "m10" and card["prices"]["usd"] == 2.5
    assert (await client.get(f"{BASE}/named", params={"exact": "Lightning Bolt"})).json()["data"]["set"] == "e01"
    response = await client.post(f"{BASE}/", json={"id": "nope"}, headers=admin_headers)
    error = assert_error(response, 422, "card_rejected")
    assert "id" in error["message"]


async def test_bulk_reports_inserted_and_rejected(client, admin_headers, catalog):
    goyf = catalog[card_id(catalog, "Tarmogoyf", "fut")]
    good = _new_printing(goyf, set="tsr", collector_number="235", released_at="2021-03-19")
    missing_name = _new_printing(goyf)
    missing_name.pop("name")
    response = await client.post(f"{BASE}/bulk", json={"cards": [good, missing_name, good, "text"]},
                                 headers=admin_headers)
    assert response.status_code == 200, response.text
    result = response.json()["data"]
    assert result["inserted"] == 1 and result["accepted_ids"] == [good["id"]]
    assert [(r["index"], r["id"]) for r in result["rejected"]] == [(1, missing_name["id"]), (2, good["id"]), (3, None)]
    assert "name" in result["rejected"][0]["reason"] and "duplicate" in result["rejected"][1]["reason"]
    too_many = {"cards": [good] * 51}
    assert_error(await client.post(f"{BASE}/bulk", json=too_many, headers=admin_headers), 422)


async def test_bulk_reports_the_cards_the_database_refuses(client, admin_headers, catalog, db):
    """A card valid to the loader but refused by Postgres (a collector number too large for its
    index entry) is reported as rejected, never as accepted; the other loads."""
    goyf = catalog[card_id(catalog, "Tarmogoyf", "fut")]
    good = _new_printing(goyf, set="tsr", collector_number="235", released_at="2021-03-19")
    number = "".join(chr(0x4E00 + (n * 7919) % 20000) for n in range(20_000))   # ~60 KB, incompressible
    huge = _new_printing(goyf, set="tsr", collector_number=number, released_at="2021-03-19")
    response = await client.post(f"{BASE}/bulk", json={"cards": [good, huge]}, headers=admin_headers)
    assert response.status_code == 200, response.text
    result = response.json()["data"]
    assert result["inserted"] == 1 and result["accepted_ids"] == [good["id"]]
    assert [(r["index"], r["id"]) for r in result["rejected"]] == [(1, huge["id"])]
    assert result["rejected"][0]["reason"].startswith("database refused the card")
    with db.cursor() as cur:
        cur.execute("SELECT card_version_id::text FROM card_catalog.card_versions WHERE set_code = 'tsr'")
        assert cur.fetchall() == [(good["id"],)]


async def test_delete_card_and_orphan_oracle(client, admin_headers, catalog, db):
    emrakul = card_id(catalog, "Emrakul, the Aeons Torn", "roe")
    response = await client.delete(f"{BASE}/{emrakul}", headers=admin_headers)
    assert response.status_code == 200 and response.json()["data"]["oracle_card_deleted"] is True
    assert_error(await client.get(f"{BASE}/{emrakul}"), 404)
    assert_error(await client.delete(f"{BASE}/{emrakul}", headers=admin_headers), 404)
    bolt = card_id(catalog, "Lightning Bolt", "4ed")
    response = await client.delete(f"{BASE}/{bolt}", headers=admin_headers)
    assert response.json()["data"]["oracle_card_deleted"] is False
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM card_catalog.card_versions WHERE oracle_id = %s",
                    (catalog[bolt]["oracle_id"],))
        assert cur.fetchone()[0] == 2


async def test_fuzzy_names_find_the_card_people_mean(client, catalog, service_manager):
    # Lightning Blow is one substitution from "Lightning Blot", Lightning Bolt one transposition:
    # equally close, and the more-played card (EDHREC rank) wins.
    blow = {"id": "5f7d3b86-8c1a-4f2e-9a57-0c1b2d3e4f51", "oracle_id": "6a8e4c97-9d2b-4a3f-8b68-1d2c3e4f5a62",
            "name": "Lightning Blow", "layout": "normal", "rarity": "rare", "collector_number": "26", "set": "all",
            "lang": "en", "type_line": "Instant", "oracle_text": "Target creature gains first strike until end of turn.",
            "released_at": "1996-06-10", "cmc": 2, "colors": ["W"], "color_identity": ["W"]}
    counts = await service_manager.execute_service("card_catalog.catalog_load.load_cards", cards=[blow])
    assert counts.rejected == 0

    async def fuzzy(text):
        response = await client.get(f"{BASE}/named", params={"fuzzy": text})
        assert response.status_code == 200, response.text
        return response.json()["data"]["name"]

    assert await fuzzy("Lightning Blot") == "Lightning Bolt"
    assert await fuzzy("Lightning Blwo") == "Lightning Blow"      # a swap is one edit
    assert await fuzzy("bolt lightning") == "Lightning Bolt"      # word order forgiven
    assert await fuzzy("LIGHTNING-BOLT!!") == "Lightning Bolt"    # punctuation and case forgiven
    assert await fuzzy("stomp") == "Bonecrusher Giant // Stomp"   # either face
    assert await fuzzy("Fire//Ice") == "Fire // Ice"
    assert await fuzzy("jace the mind scuplter") == "Jace, the Mind Sculptor"
    assert await fuzzy("Emrakul the Aeons Torn") == "Emrakul, the Aeons Torn"


async def test_autocomplete_ignores_spaces_and_punctuation(client, catalog):
    async def complete(text):
        return (await client.get(f"{BASE}/autocomplete", params={"q": text})).json()["data"]
    assert (await complete("lightningbo"))[0] == "Lightning Bolt"
    assert (await complete("LIGHTNING B"))[0] == "Lightning Bolt"
    assert (await complete("fire/"))[0] == "Fire // Ice"
    assert await complete("x") == []
    # Names beginning with the text come before names merely containing a word that does.
    names = await complete("bo")
    starting = [n for n in names if n.lower().startswith("bo")]
    assert starting and names[:len(starting)] == starting and "Lightning Bolt" in names[len(starting):]
