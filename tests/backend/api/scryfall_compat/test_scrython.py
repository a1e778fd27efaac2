"""scrython (PyPI), unmodified, against a live AutoMana: its requests to api.scryfall.com are sent to
the test server by an installed URL opener; its own models decode every answer."""
from __future__ import annotations

import urllib.request

import pytest

from tests.backend.api.scryfall_compat.conftest import PAGED_COUNT, PAGED_SET
from tests.backend.api.scryfall_compat.test_sets_rulings import GOYF, mtgjson_card, mtgjson_file

scrython = pytest.importorskip("scrython")
NO_WAIT = {"rate_limit": False}   # scrython sleeps to respect Scryfall's limits; AutoMana has none to respect


class ToTestServer(urllib.request.BaseHandler):
    """Rewrites https://api.scryfall.com/... to the test server's /scryfall/... before it is opened."""

    handler_order = 100

    def __init__(self, base_url: str):
        self.base_url = base_url

    def https_request(self, request: urllib.request.Request) -> urllib.request.Request:
        if request.host == "api.scryfall.com":
            request.full_url = self.base_url + "/scryfall" + request.selector
        return request


@pytest.fixture
def scryfall_at_test_server(live_server):
    urllib.request.install_opener(urllib.request.build_opener(ToTestServer(live_server)))
    yield live_server
    urllib.request.install_opener(None)


async def test_scrython_cards(scryfall_at_test_server, paged_catalog, catalog):
    search = scrython.cards.Search(q=f"e:{PAGED_SET}", order="name", **NO_WAIT)
    assert search.total_cards == PAGED_COUNT and search.has_more and len(search.data) == 175
    names = [card.name for card in search.iter_all(**NO_WAIT)]
    assert len(names) == len(set(names)) == PAGED_COUNT
    exact = scrython.cards.Named(exact="Lightning Bolt", **NO_WAIT)
    assert exact.name == "Lightning Bolt" and exact.set == "e01" and exact.card_id == exact.scryfall_data.id
    assert exact.uri.startswith(scryfall_at_test_server + "/scryfall/cards/")
    assert scrython.cards.Named(fuzzy="tarmogoyff", **NO_WAIT).name == "Tarmogoyf"
    assert "Lightning Bolt" in scrython.cards.Autocomplete(q="lightn", **NO_WAIT).data
    assert scrython.cards.Random(q="t:goyf", **NO_WAIT).name == "Tarmogoyf"
    collection = scrython.cards.Collection(data={"identifiers": [
        {"name": "Black Lotus"}, {"set": "4ed", "collector_number": "208"}, {"name": "Nope"}]}, **NO_WAIT)
    assert [card.name for card in collection.data] == ["Black Lotus", "Lightning Bolt"]
    assert scrython.cards.ByCodeNumber(code="fbb", number="162", lang="fr", **NO_WAIT).lang == "fr"
    assert scrython.cards.ById(id=GOYF, **NO_WAIT).name == "Tarmogoyf"
    assert scrython.cards.ByMultiverseId(id=2291, **NO_WAIT).name == "Lightning Bolt"
    with pytest.raises(scrython.base.ScryfallError) as error:
        scrython.cards.Named(exact="No Such Card", **NO_WAIT)
    assert error.value._status == 404 and error.value._code == "not_found"


async def test_scrython_rulings_sets_symbology_catalogs_bulk_data(scryfall_at_test_server, service_manager, catalog,
                                                                   settings, tmp_path):
    mtgjson_file(tmp_path, "fut", [mtgjson_card(GOYF, None, "Tarmogoyf")])
    await service_manager.execute_service("scryfall_compat.mtgjson.load", directory=str(tmp_path))
    settings.scryfall_bulk_dir = tmp_path / "bulk"
    await service_manager.execute_service("scryfall_compat.bulk_data.generate", types=["oracle_cards", "rulings"])
    rulings = scrython.rulings.ById(id=GOYF, **NO_WAIT)
    assert [r.published_at for r in rulings.data] == ["2007-05-01", "2021-03-19"]
    assert len(scrython.rulings.ByCodeNumber(code="fut", number="153", **NO_WAIT).data) == 2
    sets = scrython.sets.All(**NO_WAIT)
    assert "4ed" in {s.code for s in sets.data}
    fourth = scrython.sets.ByCode(code="4ed", **NO_WAIT)
    assert fourth.name and fourth.card_count >= 2
    assert "{W}" in {s.symbol for s in scrython.symbology.All(**NO_WAIT).data}
    mana = scrython.symbology.ParseMana(cost="2WW", **NO_WAIT)
    assert mana.cost == "{2}{W}{W}" and mana.cmc == 4.0
    assert "Lightning Bolt" in scrython.catalogs.CardNames(**NO_WAIT).data
    assert "Elf" in scrython.catalogs.CreatureTypes(**NO_WAIT).data
    entries = scrython.bulk_data.All(**NO_WAIT)
    assert {e.type for e in entries.data} == {"oracle_cards", "rulings"}
    oracle = scrython.bulk_data.ByType(type="oracle_cards", **NO_WAIT)
    cards = oracle.download()
    assert {c["name"] for c in cards} >= {"Lightning Bolt", "Tarmogoyf"}
    assert scrython.bulk_data.ById(id=oracle.id, **NO_WAIT).download_uri == oracle.download_uri
