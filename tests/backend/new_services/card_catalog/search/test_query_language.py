"""Every keyword of the query language against the fixture catalog (real Postgres, real loader)."""
from __future__ import annotations

import re

import pytest

from backend.new_services.card_catalog.search.parser import QuerySyntaxError

LB, FIRE, GOYF, BEARS, LOTUS = "Lightning Bolt", "Fire // Ice", "Tarmogoyf", "Grizzly Bears", "Black Lotus"
ELVES, COUNTER, JACE, GIANT = "Llanowar Elves", "Counterspell", "Jace, the Mind Sculptor", "Bonecrusher Giant // Stomp"
BORROWER, SEIZE, BIRDS, SOL = "Brazen Borrower // Petty Theft", "Thoughtseize", "Birds of Paradise", "Sol Ring"
EMRAKUL, PONDER, DELVER = "Emrakul, the Aeons Torn", "Ponder", "Delver of Secrets // Insectile Aberration"
SQUIRE, BUSHI = "Faithful Squire // Kaiso, Memory of Loyalty", "Bushi Tenderfoot // Kenzo the Hardhearted"
BOOM, MOON, CUBE = "Boom // Bust", "Nightmare Moon // Princess Luna", "Doubling Cube // Doubling Cube"
ERAYO, WHO, CLERIC = "Erayo, Soratami Ascendant // Erayo's Essence", "Who // What // When // Where // Why", \
    "Skyclave Cleric // Skyclave Basilica"
HOSTILE, TYRANT, PEST, FARMER = "Hostile Investigator", "Vaultborn Tyrant", "Pest Control", "Bristlebud Farmer"
HARVESTER, MAHA, BAT = "Harvester of Misery", "Maha, Its Feathers Night", "Moonstone Harbinger"
JECHT, STORM, LIBRARY = "Jecht, Reluctant Guardian // Braska's Final Aeon", "Flusterstorm", "Sylvan Library"


@pytest.fixture
def search(service_manager, catalog):
    async def run(q: str, **kwargs):
        items, total = await service_manager.execute_service("card_catalog.card.search", q=q, limit=200, **kwargs)
        assert total == len(items)
        return items
    return run


@pytest.fixture
def names(search):
    async def run(q: str) -> set[str]:
        return {item["name"] for item in await search(q)}
    return run


CASES = [
    # name words, phrases and exact names
    ("lightning", {LB}),
    ('"mind sculptor"', {JACE}),
    ("jace mind", {JACE}),
    ('!"Lightning Bolt"', {LB}),
    ("!fire", {FIRE}),
    ("!lightning", set()),
    # types, rules text, keywords
    ("t:planeswalker", {JACE}),
    ("type:sorcery", {SEIZE, PONDER, BOOM, PEST}),
    ('o:"~ deals 3 damage"', {LB}),
    ("kw:flying", {DELVER, SQUIRE, ERAYO, MAHA, BAT, MOON}),
    ("keyword:TRAMPLE", {TYRANT, FARMER, MAHA}),
    # colours
    ("c:g t:creature", {GOYF, BEARS, ELVES, BIRDS, TYRANT, FARMER}),
    ("c=wb", {PEST}),
    ("c:m", {FIRE, PEST, WHO}),
    ("color:c", {LOTUS, SOL, EMRAKUL, CUBE}),
    ("c>=ur", {FIRE, WHO}),
    ("c>ur", {WHO}),
    ("c<=w", {LOTUS, SOL, EMRAKUL, CUBE, SQUIRE, BUSHI, CLERIC}),
    ("c<w", {LOTUS, SOL, EMRAKUL, CUBE}),
    ("c!=r t:instant", {FIRE, COUNTER, STORM, WHO, BORROWER}),  # adventures are instants too
    ("c=2", {FIRE, PEST}),
    ("c>=3", {WHO}),
    ("c:izzet", {FIRE, WHO}),
    ("id=u", {COUNTER, JACE, BORROWER, PONDER, DELVER, ERAYO, STORM}),
    ("id>=wb", {PEST, WHO}),
    ("id:orzhov t:sorcery", {PEST, SEIZE}),
    ("identity<=esper c>=b", {SEIZE, PEST, MOON, HOSTILE, HARVESTER, MAHA, BAT, JECHT}),
    # mana value, power, toughness, loyalty
    ("mv=15", {EMRAKUL}),
    ("cmc>=13", {EMRAKUL, WHO}),
    ("mv:even t:creature c:g", {GOYF, BEARS, FARMER}),
    ("mv:odd t:creature c:g", {ELVES, BIRDS, TYRANT}),
    ("mv=0 t:artifact", {LOTUS}),
    ("mv!=1 t:instant", {FIRE, COUNTER, WHO, GIANT, BORROWER}),
    ("pow>=6", {EMRAKUL, TYRANT, MAHA, MOON, JECHT}),
    ("pow>tou", {GIANT, BORROWER, DELVER, HARVESTER, HOSTILE, JECHT, MAHA}),
    ("tou<pow", {GIANT, BORROWER, DELVER, HARVESTER, HOSTILE, JECHT, MAHA}),
    ("pow=0", {BIRDS, GOYF}),
    ("tou=1 c:g", {ELVES, BIRDS, GOYF}),
    ("loy=3", {JACE}),
    ("loyalty>3", set()),
    # rarity, set, collector number, set type
    ("r:mythic t:planeswalker", {JACE}),
    ("r<uncommon t:instant", {LB, FIRE, COUNTER}),
    ("s:eld", {GIANT, BORROWER}),
    ("e:4ed", {LB, BEARS}),
    ("cn:208", {LB}),
    ("s:big cn>15", {TYRANT, PEST, FARMER}),
    ("set:big number<=10", {HOSTILE, HARVESTER}),
    ("st:box", {COUNTER, CUBE}),
    # language
    ("lang:fr", {LB, BEARS, LIBRARY}),
    ("lang:french", {LB, BEARS, LIBRARY}),
    ("sylvan", set()),
    ("sylvan lang:any", {LIBRARY}),
    # formats
    ("f:modern t:instant", {LB, STORM}),
    ("banned:modern", {PONDER}),
    # is: / not:
    ("is:commander", {EMRAKUL, MAHA, JECHT, MOON, ERAYO}),
    ("is:reserved", {LOTUS}),
    ("is:etched", {COUNTER}),
    ("not:nonfoil", {MOON, STORM, COUNTER}),
    ("is:foil s:4ed", set()),
    ("is:foil s:eld", {GIANT, BORROWER}),
    ("is:promo", {MOON, STORM, COUNTER}),
    ("is:digital", {COUNTER}),
    ("is:reprint t:creature c:g", {GOYF, BEARS, ELVES, BIRDS}),
    ("is:dfc", {DELVER, CUBE, JECHT, MOON, CLERIC}),
    ("is:split", {FIRE, BOOM, WHO}),
    ("is:transform", {DELVER, JECHT, MOON}),
    ("is:mdfc", {CLERIC}),
    ("is:full", {CUBE, WHO}),
    ("is:spell c:c", {LOTUS, SOL, EMRAKUL, CUBE}),
    ("c:u -is:permanent", {COUNTER, PONDER, FIRE, STORM, WHO}),
    ("is:permanent t:instant", {GIANT, BORROWER}),  # creature front face
    ("is:vanilla", {BEARS}),
    # prices
    ("usd>=10", {BORROWER, HARVESTER, MAHA, CUBE, MOON}),  # foil-only: its foil price
    ("tix=0.05", {COUNTER}),
    # artist, flavour, dates
    ("a:rush", {LB, LOTUS}),
    ('ft:"hand-written etched"', {COUNTER}),
    ("year=1995", {LB, BEARS}),
    ("year<=1994", {LOTUS}),
    ("date>=2024-08-01", {MAHA, BAT, JECHT}),
    ("date>2024-08-02", {JECHT}),
    ("date<=lea", {LOTUS}),
    # extras
    ("goblin", set()),
    ("goblin include:extras", {"Goblin"}),
    ("t:token", {"Goblin"}),
    # boolean structure
    ("t:instant -c:r", {COUNTER, STORM, BORROWER}),
    ("(t:planeswalker or t:artifact) -is:reserved", {JACE, SOL, CUBE}),
    ("t:planeswalker or s:eld or !ponder", {JACE, GIANT, BORROWER, PONDER}),
    ("-(-t:planeswalker)", {JACE}),
]


async def test_every_keyword(names):
    # One database for all cases (loading the catalog per case would dominate the suite's time);
    # every mismatch is reported, not just the first.
    mismatches = {}
    for query, expected in CASES:
        got = await names(query)
        if got != expected:
            mismatches[query] = {"missing": sorted(expected - got), "unexpected": sorted(got - expected)}
    assert mismatches == {}


# What a search with no query shows: one row per English card that is not an extra object
# (tokens, emblems, planes, art cards): read off tests/fixtures/catalog_cards.json by hand.
EVERY_CARD = {LB, FIRE, GOYF, BEARS, LOTUS, ELVES, COUNTER, JACE, GIANT, BORROWER, SEIZE, BIRDS, SOL, EMRAKUL,
              PONDER, SQUIRE, BUSHI, DELVER, BOOM, MOON, CUBE, ERAYO, WHO, CLERIC, HOSTILE, TYRANT, PEST, FARMER,
              HARVESTER, MAHA, BAT, JECHT, STORM}
# Highest power over the faces above 3 (Giant 4, Moon 6 // 4, Jecht 4 // 7, ...).
POWER_ABOVE_3 = {GIANT, EMRAKUL, MOON, JECHT, HOSTILE, TYRANT, FARMER, HARVESTER, MAHA}
# Creatures with no face above power 3 (Tarmogoyf's * counts as 0, Delver 1 // 3, Borrower 3).
SMALL_CREATURES = {GOYF, BEARS, ELVES, BORROWER, BIRDS, SQUIRE, BUSHI, DELVER, ERAYO, CLERIC, BAT}
# No power at all: instants, sorceries, artifacts, the planeswalker.
POWERLESS = {LB, FIRE, COUNTER, JACE, SEIZE, LOTUS, SOL, PONDER, BOOM, CUBE, WHO, PEST, STORM}
RED = {LB, FIRE, GIANT, BOOM, WHO}


NEGATIONS = [
    ("pow>3", POWER_ABOVE_3),
    # Cards without a power are not "above 3": the negation keeps them (NULL is not false).
    ("-pow>3", POWERLESS | SMALL_CREATURES),
    ("t:creature -pow>3", SMALL_CREATURES),
    ("-t:creature -pow>3", POWERLESS),
    ("t:creature -(-pow>3)", POWER_ABOVE_3),
    ("-pow<=3", POWER_ABOVE_3 | POWERLESS),
    ("-c:r", EVERY_CARD - RED),
    ("-c:r -pow>3", (POWERLESS | SMALL_CREATURES) - RED),
    # Printing-level: Lightning Bolt keeps an English printing outside 4ED, Grizzly Bears does not.
    ("-e:4ed", EVERY_CARD - {BEARS}),
]


async def test_fixed_negations(names):
    mismatches = {}
    for query, expected in NEGATIONS:
        got = await names(query)
        if got != expected:
            mismatches[query] = {"missing": sorted(expected - got), "unexpected": sorted(got - expected)}
    assert mismatches == {}


async def test_a_query_and_its_negation_partition_the_catalog(names, search):
    shown = await search("")
    assert sorted(i["name"] for i in shown) == sorted(EVERY_CARD)  # each card once
    for query in ("pow>3", "pow<=3", "c:r", "t:creature", "t:creature pow>3", "c:r or pow>3"):
        matched, negated = await names(query), await names(f"-({query})")
        assert matched & negated == set(), query
        assert matched | negated == EVERY_CARD, query


async def test_printing_level_negation_partitions_every_printing(service_manager, catalog):
    async def ids(q: str) -> set[str]:
        items, total = await service_manager.execute_service(
            "card_catalog.card.search", q=f"{q} unique:prints lang:any include:extras", limit=200)
        assert total == len(items)
        return {str(i["id"]) for i in items}

    in_4ed = {card_id for card_id, card in catalog.items() if card["set"] == "4ed"}
    assert len(in_4ed) == 2
    assert await ids("e:4ed") == in_4ed
    assert await ids("-e:4ed") == set(catalog) - in_4ed


async def test_restricted_matches_the_data(names, fixture_cards):
    expected = {c["name"] for c in fixture_cards if c["legalities"].get("vintage") == "restricted"
                and c["lang"] == "en" and c["layout"] not in ("token", "planar", "emblem", "art_series")}
    assert expected and await names("restricted:vintage") == expected
    assert await names("f:vintage") >= expected  # restricted cards are legal


def _english_cards(fixture_cards):
    extras = {"token", "double_faced_token", "emblem", "art_series", "vanguard", "planar", "scheme"}
    return [c for c in fixture_cards if c["lang"] == "en" and c["layout"] not in extras]


async def test_eur_matches_the_data(names, fixture_cards):
    def eur(card):
        prices = card.get("prices") or {}
        value = prices.get("eur") or prices.get("eur_foil")
        return float(value) if value else None

    expected = {c["name"] for c in _english_cards(fixture_cards) if (eur(c) or 0) >= 1}
    assert expected and await names("eur>=1") == expected
    assert await names("eur<1 eur>=1") == set()


async def test_full_text_finds_inflections(names, fixture_cards):
    def text(card):
        return " ".join([card.get("oracle_text") or ""] + [f.get("oracle_text") or "" for f in card.get("card_faces") or []])

    expected = {c["name"] for c in _english_cards(fixture_cards) if re.search(r"\bdestroy", text(c), re.I)}
    assert len(expected) >= 2 and await names("text:destroys") == expected


async def test_unique_cards_picks_the_most_recent_paper_printing(search):
    items = await search("counterspell")
    assert [(i["name"], i["set"]) for i in items] == [(COUNTER, "sld")]
    # Terms match printings first: the representative is the newest *matching* printing.
    assert [i["set"] for i in await search("counterspell is:digital")] == ["tpr"]
    assert [i["set"] for i in await search("lightning r:common")] == ["4ed"]


async def test_unique_prints_and_art(search):
    assert sorted(i["set"] for i in await search("lightning unique:prints")) == ["4ed", "e01"]
    assert sorted(i["set"] for i in await search("lightning unique:prints lang:any")) == ["4ed", "e01", "fbb"]
    by_art = await search("lightning unique:art lang:any")
    assert 2 <= len(by_art) <= 3


async def test_order_and_direction(search):
    cmcs = [i["cmc"] for i in await search("c:g t:creature order:cmc")]
    assert cmcs == sorted(cmcs) and cmcs[0] == 1
    prices = [next(p for p in (i["prices"]["usd"], i["prices"]["usd_foil"], i["prices"]["usd_etched"]) if p)
              for i in await search("usd>0 order:usd direction:desc")]
    assert prices == sorted(prices, reverse=True)
    released = [i["released_at"] for i in await search("c:g t:creature order:released")]
    assert released == sorted(released, reverse=True)
    assert [i["name"] for i in await search("c:g t:creature order:power dir:desc")][:1] == [TYRANT]
    names_asc = [i["name"] for i in await search("t:creature c:b")]
    assert names_asc == sorted(names_asc)


async def test_pagination_total_count_is_of_all_matches(service_manager, catalog):
    page, total = await service_manager.execute_service(
        "card_catalog.card.search", q="t:creature c:g", limit=2, offset=2)
    assert total == 6 and [i["name"] for i in page] == [BEARS, ELVES]
    beyond, total = await service_manager.execute_service(
        "card_catalog.card.search", q="t:creature c:g", limit=2, offset=50)
    assert beyond == [] and total == 6


async def test_simple_filters_combine_with_q(service_manager, catalog):
    items, _ = await service_manager.execute_service(
        "card_catalog.card.search", q="t:creature", filters={"color": "g", "rarity": "rare"}, limit=50)
    assert {i["name"] for i in items} == {GOYF, BIRDS}
    with pytest.raises(QuerySyntaxError) as caught:
        await service_manager.execute_service("card_catalog.card.search", filters={"rarity": "legendary"})
    assert caught.value.details["term"] == "rarity=legendary"


async def test_results_carry_what_a_result_list_needs(search):
    [delver] = await search("delver")
    assert delver["image_uris"] is not None  # taken from the front face of a transform card
    assert delver["mana_cost"] == "{U}" and delver["type_line"].startswith("Creature")
    assert set(delver["prices"]) == {"usd", "usd_foil", "usd_etched", "eur", "eur_foil", "tix"}
