"""/scryfall/symbology, parse-mana and /scryfall/catalog/{name}."""
from __future__ import annotations

from tests.backend.api.scryfall_compat.test_cards import BASE, assert_error

CATALOGS = ("card-names", "artist-names", "word-bank", "supertypes", "card-types", "artifact-types",
            "battle-types", "creature-types", "enchantment-types", "land-types", "planeswalker-types",
            "spell-types", "powers", "toughnesses", "loyalties", "watermarks", "keyword-abilities",
            "keyword-actions", "ability-words", "flavor-words")


async def test_symbology_lists_every_symbol(client):
    body = (await client.get("/scryfall/symbology")).json()
    symbols = {s["symbol"]: s for s in body["data"]}
    assert body["object"] == "list" and len(symbols) == len(body["data"]) > 80
    assert symbols["{W}"]["colors"] == ["W"] and symbols["{W}"]["mana_value"] == 1.0
    assert symbols["{T}"]["represents_mana"] is False
    assert symbols["{G/U/P}"]["phyrexian"] and symbols["{G/U/P}"]["hybrid"]
    assert all(s["object"] == "card_symbol" and s["svg_uri"].startswith("https://") for s in body["data"])


async def test_parse_mana(client):
    cost = (await client.get("/scryfall/symbology/parse-mana", params={"cost": "2WW"})).json()
    assert cost == {"object": "mana_cost", "cost": "{2}{W}{W}", "cmc": 4.0, "colors": ["W"], "colorless": False,
                    "monocolored": True, "multicolored": False}
    multi = (await client.get("/scryfall/symbology/parse-mana", params={"cost": "{X}{R/P}{2/G}"})).json()
    assert multi["cmc"] == 3.0 and multi["colors"] == ["R", "G"] and multi["multicolored"]
    error = assert_error(await client.get("/scryfall/symbology/parse-mana", params={"cost": "TFF"}), 422)
    assert "could not be understood" in error["details"]


async def test_every_catalog(client, catalog):
    for name in CATALOGS:
        body = (await client.get(f"/scryfall/catalog/{name}")).json()
        assert body["object"] == "catalog" and body["uri"] == f"{BASE}/catalog/{name}", name
        assert body["total_values"] == len(body["data"]), name
    names = (await client.get("/scryfall/catalog/card-names")).json()["data"]
    assert "Lightning Bolt" in names and "Fire // Ice" in names and "Goblin" not in names   # no tokens
    creatures = (await client.get("/scryfall/catalog/creature-types")).json()["data"]
    assert {"Lhurgoyf", "Elf", "Time Lord", "Assembly-Worker"} <= set(creatures)
    assert "Jace" in (await client.get("/scryfall/catalog/planeswalker-types")).json()["data"]
    assert {"Flying", "Reach"} <= set((await client.get("/scryfall/catalog/keyword-abilities")).json()["data"])
    assert "Scry" in (await client.get("/scryfall/catalog/keyword-actions")).json()["data"]
    assert "Landfall" in (await client.get("/scryfall/catalog/ability-words")).json()["data"]
    powers = (await client.get("/scryfall/catalog/powers")).json()["data"]
    assert "*" in powers and "3" in powers                                     # Tarmogoyf, Grizzly Bears...
    assert "Christopher Rush" in (await client.get("/scryfall/catalog/artist-names")).json()["data"]
    assert_error(await client.get("/scryfall/catalog/no-such-catalog"), 422)


async def test_catalogs_follow_the_catalog(client, service_manager, catalog):
    from tests.fixtures.scryfall import modern_card
    before = (await client.get("/scryfall/catalog/card-names")).json()["data"]
    assert "Brand New Card" not in before
    await service_manager.execute_service("card_catalog.catalog_load.load_cards", cards=[
        modern_card(990, set_code="new", name="Brand New Card", watermark="phyrexian")])
    assert "Brand New Card" in (await client.get("/scryfall/catalog/card-names")).json()["data"]
    assert "phyrexian" in (await client.get("/scryfall/catalog/watermarks")).json()["data"]
