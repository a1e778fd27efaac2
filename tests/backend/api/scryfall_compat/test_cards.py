"""/scryfall/cards: card objects as loaded, Scryfall's list paging, names, identifiers, error objects."""
from __future__ import annotations

from tests.backend.api.scryfall_compat.conftest import PAGED_COUNT, PAGED_SET
from tests.fixtures.catalog import card_id

BASE = "http://testserver/scryfall"
REQUIRED = ("object", "id", "oracle_id", "multiverse_ids", "lang", "released_at", "uri", "scryfall_uri", "layout",
            "highres_image", "image_status", "legalities", "games", "reserved", "foil", "nonfoil", "finishes",
            "oversized", "promo", "reprint", "variation", "set_id", "set", "set_name", "set_type", "set_uri",
            "set_search_uri", "scryfall_set_uri", "rulings_uri", "prints_search_uri", "collector_number",
            "digital", "rarity", "border_color", "frame", "full_art", "textless", "booster", "story_spotlight",
            "prices", "related_uris", "color_identity", "keywords", "cmc")


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["object"] == "error" and body["status"] == status and isinstance(body["details"], str)
    if code:
        assert body["code"] == code
    return body


async def test_card_by_id_is_the_source_object_with_our_api_uris(client, catalog):
    for source in catalog.values():
        response = await client.get(f"/scryfall/cards/{source['id']}")
        assert response.status_code == 200
        card = response.json()
        for field in REQUIRED:
            # A reversible card carries its oracle id and mana value on each face, as on Scryfall.
            assert field in card or (card["layout"] == "reversible_card" and field in ("oracle_id", "cmc")), \
                (source["name"], field)
        assert card["uri"] == f"{BASE}/cards/{source['id']}"
        assert card["rulings_uri"] == f"{BASE}/cards/{source['id']}/rulings"
        assert card["prints_search_uri"].startswith(f"{BASE}/cards/search?")
        for field, value in source.items():
            if field in ("uri", "rulings_uri", "prints_search_uri", "set_uri", "set_search_uri", "prices"):
                continue
            assert card[field] == value, (source["name"], field)
        assert set(card["prices"]) >= {"usd", "usd_foil", "usd_etched", "eur", "eur_foil", "tix"}
        assert all(v is None or isinstance(v, str) for v in card["prices"].values())


async def test_older_schema_cards_get_todays_required_fields(client, catalog):
    bolt = card_id(catalog, "Lightning Bolt", "4ed")
    card = (await client.get(f"/scryfall/cards/{bolt}")).json()
    source = catalog[bolt]
    assert "finishes" not in source
    assert card["finishes"] == [f for f, present in (("nonfoil", source["nonfoil"]), ("foil", source["foil"]))
                                if present]
    assert card["keywords"] == [] and card["image_status"] in ("highres_scan", "lowres", "missing")
    assert card["prices"] == {"usd": None, "usd_foil": None, "usd_etched": None, "eur": None, "eur_foil": None,
                              "tix": None} or "prices" in source


async def test_printings_loaded_before_documents_are_built_from_columns(client, catalog, db):
    bolt = card_id(catalog, "Lightning Bolt", "e01")
    with db.cursor() as cur:
        cur.execute("DELETE FROM card_catalog.card_documents WHERE card_version_id = %s", (bolt,))
    card = (await client.get(f"/scryfall/cards/{bolt}")).json()
    for field in REQUIRED:
        assert field in card, field
    assert card["name"] == "Lightning Bolt" and card["set"] == "e01" and card["uri"] == f"{BASE}/cards/{bolt}"
    listed = (await client.post("/scryfall/cards/collection", json={"identifiers": [{"id": bolt}]})).json()
    assert listed["data"][0]["id"] == bolt


async def test_public_base_url_setting_is_used_for_api_uris(app, client, catalog):
    app.state.settings.public_base_url = "https://cards.example.org/"
    bolt = card_id(catalog, "Lightning Bolt", "4ed")
    card = (await client.get(f"/scryfall/cards/{bolt}")).json()
    assert card["uri"] == f"https://cards.example.org/scryfall/cards/{bolt}"
    assert card["scryfall_uri"] == catalog[bolt]["scryfall_uri"]   # not an API URI: as the source had it


async def test_search_pages_of_175_follow_next_page_to_every_card_once(client, paged_catalog):
    seen, url, pages, total = [], f"/scryfall/cards/search?q=e%3A{PAGED_SET}&order=name", 0, None
    while url:
        body = (await client.get(url)).json()
        assert body["object"] == "list" and len(body["data"]) <= 175
        total = body["total_cards"] if total is None else total
        assert body["total_cards"] == total
        seen += [card["name"] for card in body["data"]]
        pages += 1
        url = body.get("next_page")
        assert body["has_more"] == (url is not None)
        if url:
            assert url.startswith(BASE + "/cards/search?")
            url = url.removeprefix("http://testserver")
    assert pages == 3 and total == PAGED_COUNT
    assert len(seen) == len(set(seen)) == PAGED_COUNT
    assert seen == sorted(seen)


async def test_search_options_and_no_match(client, catalog):
    prints = (await client.get("/scryfall/cards/search", params={"q": "!\"Lightning Bolt\"", "unique": "prints"})).json()
    assert {c["set"] for c in prints["data"]} == {"4ed", "e01"}
    every_lang = (await client.get("/scryfall/cards/search", params={
        "q": "!\"Lightning Bolt\"", "unique": "prints", "include_multilingual": "true"})).json()
    assert {c["lang"] for c in every_lang["data"]} == {"en", "fr"}
    newest = (await client.get("/scryfall/cards/search", params={
        "q": "!\"Lightning Bolt\"", "unique": "prints", "order": "released", "dir": "desc"})).json()
    assert [c["set"] for c in newest["data"]] == ["e01", "4ed"]
    assert_error(await client.get("/scryfall/cards/search", params={"q": "zzzzzz qqqqq"}), 404, "not_found")
    assert_error(await client.get("/scryfall/cards/search", params={"q": "pow>>"}), 400, "bad_request")
    assert_error(await client.get("/scryfall/cards/search"), 422)


async def test_name_order_ignores_spaces_and_punctuation(client, service_manager, catalog):
    from tests.fixtures.scryfall import modern_card
    cards = [modern_card(901, set_code="ord", name="Dark Ritual"), modern_card(902, set_code="ord", name="Darkpact")]
    await service_manager.execute_service("card_catalog.catalog_load.load_cards", cards=cards)
    body = (await client.get("/scryfall/cards/search", params={"q": "e:ord"})).json()
    assert [c["name"] for c in body["data"]] == ["Darkpact", "Dark Ritual"]


async def test_named_autocomplete_random(client, catalog):
    exact = (await client.get("/scryfall/cards/named", params={"exact": "lightning bolt"})).json()
    assert exact["name"] == "Lightning Bolt" and exact["set"] == "e01"   # the default printing: newest paper
    in_set = (await client.get("/scryfall/cards/named", params={"exact": "Lightning Bolt", "set": "4ed"})).json()
    assert in_set["set"] == "4ed"
    fuzzy = (await client.get("/scryfall/cards/named", params={"fuzzy": "tarmogoy"})).json()
    assert fuzzy["name"] == "Tarmogoyf"
    assert_error(await client.get("/scryfall/cards/named", params={"exact": "No Such Card"}), 404, "not_found")
    assert_error(await client.get("/scryfall/cards/named"), 400, "bad_request")
    names = (await client.get("/scryfall/cards/autocomplete", params={"q": "light"})).json()
    assert names["object"] == "catalog" and "Lightning Bolt" in names["data"]
    assert names["total_values"] == len(names["data"])
    assert (await client.get("/scryfall/cards/autocomplete", params={"q": "l"})).json()["data"] == []
    random = (await client.get("/scryfall/cards/random", params={"q": "t:goyf"})).json()
    assert random["name"] == "Tarmogoyf" and random["object"] == "card"


async def test_identifier_routes(client, catalog):
    bolt = catalog[card_id(catalog, "Lightning Bolt", "4ed")]
    assert (await client.get("/scryfall/cards/4ed/208")).json()["id"] == bolt["id"]
    french = card_id(catalog, "Lightning Bolt", "fbb", "fr")
    assert (await client.get("/scryfall/cards/fbb/162/fr")).json()["id"] == french
    assert (await client.get("/scryfall/cards/multiverse/2291")).json()["id"] == bolt["id"]
    elves = catalog[card_id(catalog, "Llanowar Elves", "m19")]
    assert (await client.get(f"/scryfall/cards/mtgo/{elves['mtgo_id']}")).json()["id"] == elves["id"]
    assert (await client.get(f"/scryfall/cards/arena/{elves['arena_id']}")).json()["id"] == elves["id"]
    assert (await client.get(f"/scryfall/cards/tcgplayer/{elves['tcgplayer_id']}")).json()["id"] == elves["id"]
    assert_error(await client.get("/scryfall/cards/cardmarket/1"), 404, "not_found")
    assert_error(await client.get("/scryfall/cards/4ed/99999"), 404)
    assert_error(await client.get("/scryfall/cards/00000000-0000-0000-0000-000000000000"), 404)


async def test_collection_with_every_identifier_kind(client, catalog):
    bolt = catalog[card_id(catalog, "Lightning Bolt", "4ed")]
    goyf = catalog[card_id(catalog, "Tarmogoyf", "fut")]
    identifiers = [
        {"id": bolt["id"]}, {"multiverse_id": 2291}, {"mtgo_id": goyf["mtgo_id"]},
        {"oracle_id": goyf["oracle_id"]}, {"illustration_id": goyf["illustration_id"]},
        {"name": "Tarmogoyf"}, {"name": "Lightning Bolt", "set": "4ed"},
        {"collector_number": "153", "set": "fut"}, {"name": "No Such Card"},
    ]
    body = (await client.post("/scryfall/cards/collection", json={"identifiers": identifiers})).json()
    assert body["object"] == "list"
    assert [c["name"] for c in body["data"]] == ["Lightning Bolt", "Lightning Bolt", "Tarmogoyf", "Tarmogoyf",
                                                  "Tarmogoyf", "Tarmogoyf", "Lightning Bolt", "Tarmogoyf"]
    assert body["data"][6]["set"] == "4ed" and body["data"][7]["set"] == "fut"
    assert body["not_found"] == [{"name": "No Such Card"}]
    too_many = {"identifiers": [{"name": "x"}] * 76}
    assert_error(await client.post("/scryfall/cards/collection", json=too_many), 422)
    assert_error(await client.post("/scryfall/cards/collection", json={"identifiers": [{"set": "4ed"}]}), 422)


async def test_common_parameters(client, catalog):
    bolt = card_id(catalog, "Lightning Bolt", "4ed")
    pretty = await client.get(f"/scryfall/cards/{bolt}", params={"pretty": "true"})
    assert pretty.text.startswith("{\n  ")
    image = await client.get(f"/scryfall/cards/{bolt}", params={"format": "image", "version": "small"})
    assert image.status_code == 302 and image.headers["location"] == catalog[bolt]["image_uris"]["small"]
    assert_error(await client.get(f"/scryfall/cards/{bolt}", params={"format": "xml"}), 422)


async def test_errors_under_the_prefix_are_scryfall_error_objects(client, settings):
    assert_error(await client.get("/scryfall/no/such/route/here"), 404, "not_found")
    assert_error(await client.delete("/scryfall/cards/search"), 405)
    assert_error(await client.get("/scryfall/cards/multiverse/abc"), 422)
    big = b'{"identifiers": [' + b'{"name": "' + b"x" * (settings.max_request_body_bytes + 10) + b'"}]}'
    assert_error(await client.post("/scryfall/cards/collection", content=big,
                                   headers={"content-type": "application/json"}), 413)
    assert_error(await client.get("/scryfall/cards/search", params={"q": "a\x00b"}), 422)
    # Our own API keeps its envelope.
    ours = (await client.get("/api/no/such/route")).json()
    assert ours["success"] is False


async def test_ambiguous_fuzzy_name_is_scryfalls_ambiguous_error(client, paged_catalog):
    body = assert_error(await client.get("/scryfall/cards/named", params={"fuzzy": "paged card"}), 404, "not_found")
    assert body["type"] == "ambiguous"
    head = await client.head(f"/scryfall/cards/{paged_catalog[0]['id']}")
    assert head.status_code == 200 and head.content == b""
