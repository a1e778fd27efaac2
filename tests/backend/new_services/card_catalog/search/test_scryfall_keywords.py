"""Scryfall semantics over the fixture catalog: o: vs fo:, regular expressions, ++/@@, and every
keyword and is: value added for the whole search language."""
from __future__ import annotations

import uuid

import pytest

from backend.new_services.card_catalog.search.parser import QuerySyntaxError
from tests.backend.new_services.card_catalog.search.test_query_language import (
    BAT, BEARS, BIRDS, BORROWER, BUSHI, CLERIC, COUNTER, CUBE, DELVER, ELVES, EMRAKUL, ERAYO, FARMER, FIRE,
    GIANT, GOYF, HARVESTER, HOSTILE, JACE, JECHT, LB, LIBRARY, LOTUS, MAHA, MOON, PEST, PONDER, SOL,
    SQUIRE, STORM, TYRANT, WHO,
)


@pytest.fixture
def search(service_manager, catalog):
    async def run(q: str):
        items, total = await service_manager.execute_service("card_catalog.card.search", q=q, limit=200)
        assert total == len(items)
        return items
    return run


@pytest.fixture
def names(search):
    async def run(q: str) -> set[str]:
        return {item["name"] for item in await search(q)}
    return run


CASES = [
    # o: is the rules text without reminder text; fo: includes it.
    ('o:"discard this card"', set()),
    ('fo:"discard this card"', {PEST}),
    ('fulloracle:"copy it for each"', {STORM}),
    ('o:"copy it for each"', set()),
    ('o:"draw a card" t:sorcery', {PONDER}),       # Pest Control's "draw a card" is reminder text
    ('fo:"draw a card" t:sorcery', {PONDER, PEST}),
    ('o:"~ deals 3 damage"', {LB}),
    ('fo:"~ deals 3 damage"', {LB}),
    # regular expressions: case-insensitive, line by line, ~ for the name, \b and the shorthands
    ("name:/^light/", {LB}),
    ("name:/BOLT$/", {LB}),
    ("o:/^{T}:/", {ELVES, BIRDS, SOL, CLERIC}),
    (r"o:/~ deals \d damage/", {LB, FIRE, GIANT}),
    (r"name:/\bice\b/", {FIRE}),
    (r"o:/add \sm\sm\./", {SOL}),
    (r"o:/\spp/ t:creature", {BAT, MOON}),
    (r"o:/\smm/", {HARVESTER}),
    ("t:/^legendary planeswalker/", {JACE}),
    ("o:/(flying|trample), (trample|deathtouch)/", {MAHA, BAT}),
    ("ft:/sparkmage/", {LB}),
    ("fo:/\\(when you cast this spell, copy/", {STORM}),
    ("o:/\\(when you cast this spell, copy/", set()),
    # mana costs, devotion, produced mana, power + toughness
    ("m:{G}{G}", {TYRANT, FARMER}),
    ("m:2WW", set()),
    ("m:1WW t:creature", {SQUIRE}),
    ("mana={U}{U}", {COUNTER}),
    ("m>{U}{U}", {JACE, BORROWER}),
    ("m<{2}{U}{U} c:u", {COUNTER, PONDER, STORM, DELVER, ERAYO}),
    ("m:{X}", {WHO}),
    ("devotion:{g}{g}", {TYRANT, FARMER}),
    ("devotion>={b}{b} t:creature", {HARVESTER, MAHA, MOON}),
    ("pt>=10", {EMRAKUL, TYRANT, MAHA, JECHT, FARMER, MOON}),
    ("powtou=2", {BUSHI, DELVER, ERAYO, ELVES}),
    # games, sets a card passed through, print counts
    ("game:mtgo -game:paper", {COUNTER}),
    ("game:arena t:instant", {GIANT, BORROWER, STORM}),
    ("in:tpr", {COUNTER}),
    ("in:fr", {LB, BEARS}),                         # Sylvan Library has no English printing to show
    ("in:fr lang:any", {LB, BEARS, LIBRARY}),
    ("in:rare -r:rare t:instant", {COUNTER}),
    ("prints=3", {LB, COUNTER}),
    ("sets>=3", {LB, COUNTER}),
    ("papersets=2 t:instant", {COUNTER, FIRE}),
    ("illustrations=2", {LB, FIRE, GOYF}),
    ("artists>1", {FIRE}),
    ("is:unique t:instant", {STORM, BORROWER, GIANT, WHO}),
    # border, frame, stamp
    ("border:white", {LB, BEARS, COUNTER, BIRDS}),
    ("border:silver", {MOON, WHO}),
    ("frame:future", {GOYF}),
    ("frame:1993 t:artifact", {LOTUS}),
    ("stamp:triangle", {CUBE, JECHT}),
    ("stamp:heart", {MOON}),
    ("wm:wotc", {STORM}),
    ("has:watermark", {STORM}),
    ("is:old t:instant", {FIRE, COUNTER, STORM, LB}),
    ("is:new t:instant", {GIANT, BORROWER, FIRE, LB}),
    # is: values
    ("is:hybrid", set()),
    ("is:historic t:artifact", {LOTUS, SOL, CUBE}),
    ("is:party", {BORROWER, DELVER, HOSTILE, JECHT, BAT, CLERIC}),
    ("is:vanilla", {BEARS}),
    ("is:frenchvanilla", set()),
    ("is:funny", {MOON, WHO}),
    ("is:leveler", set()),
    ("is:brawler t:planeswalker", {JACE}),
    ('is:firstprint !"Lightning Bolt"', {LB}),
    ('is:firstprint !"Lightning Bolt" s:e01', set()),
    ('not:firstprint !"Lightning Bolt" s:e01', {LB}),
]


async def test_every_keyword(names):
    # One catalog for all cases (a database per case would make this the slowest module).
    wrong = {q: (got, expected) for q, expected in CASES if (got := await names(q)) != expected}
    assert wrong == {}


async def test_o_and_fo_differ_exactly_on_reminder_text(names):
    # Every card matched by o: is matched by fo: (the rules text is part of the full text).
    for word in ("draw a card", "flying", "damage", "counter", "discard"):
        assert await names(f'o:"{word}"') <= await names(f'fo:"{word}"')


async def test_unique_prefixes(search):
    bolts = await search('!"Lightning Bolt"')
    prints = await search('++!"Lightning Bolt"')
    art = await search('@@!"Lightning Bolt"')
    assert len(bolts) == 1
    assert sorted(i["set"] for i in prints) == ["4ed", "e01"]
    assert sorted(i["set"] for i in art) == ["4ed", "e01"]
    assert {i["id"] for i in prints} == {i["id"] for i in await search('!"Lightning Bolt" unique:prints')}
    everywhere = await search('++!"Lightning Bolt" lang:any')
    assert sorted(i["set"] for i in everywhere) == ["4ed", "e01", "fbb"]
    assert len(await search('@@!"Lightning Bolt" lang:any')) == 2   # fbb shares 4ed's illustration


async def test_new_values(search):
    async def sets(q):
        return sorted(i["set"] for i in await search(q))
    # 4ed is the fixture's oldest Bolt (and a reprint): new at common here; e01 is the first uncommon.
    assert await sets('!"Lightning Bolt" new:rarity unique:prints') == ["4ed", "e01"]
    assert await sets('!"Lightning Bolt" new:art unique:prints') == ["4ed", "e01"]
    assert await sets('!"Lightning Bolt" new:language unique:prints lang:any') == ["4ed", "fbb"]
    assert await sets('!counterspell new:artist unique:prints') == ["6ed", "sld"]
    assert await sets('!counterspell -new:artist unique:prints') == ["tpr"]


async def test_prefer_and_cheapest(search):
    async def one(q):
        (item,) = await search(q)
        return item["set"]
    assert await one('!"Lightning Bolt"') == "e01"
    assert await one('!"Lightning Bolt" prefer:oldest') == "4ed"
    assert await one('!"Lightning Bolt" prefer:newest') == "e01"
    assert await one("!counterspell prefer:oldest") == "6ed"
    assert await one("!counterspell prefer:promo") == "sld"
    priced = await search("usd>0 unique:prints")
    cheapest = await search("cheapest:usd")
    assert {i["oracle_id"] for i in cheapest} == {i["oracle_id"] for i in priced}


ORDER_KEYS = ["color", "edhrec", "artist", "review", "spoiled", "penny", "released", "set", "rarity", "usd", "eur",
              "tix", "cmc", "power", "toughness", "name"]


async def test_every_order_key_in_both_directions(search):
    for order in ORDER_KEYS:
        ascending = [i["id"] for i in await search(f"t:creature order:{order} direction:asc")]
        descending = [i["id"] for i in await search(f"t:creature order:{order} direction:desc")]
        assert sorted(ascending) == sorted(descending) and len(ascending) > 5, order
    by_edhrec = await search("t:creature order:edhrec")
    ranks = {"Birds of Paradise": 64, "Llanowar Elves": 102}
    assert [i["name"] for i in by_edhrec if i["name"] in ranks] == ["Birds of Paradise", "Llanowar Elves"]


async def test_order_color_puts_white_first_and_colourless_last(search):
    items = await search("t:creature order:color")
    colors = [tuple(i["colors"] or ()) for i in items]
    assert colors[0] == ("W",) and colors[-1] == ()


async def test_display_and_includes_are_accepted(names):
    assert await names("t:planeswalker display:checklist") == {JACE}
    assert await names("sylvan include:multilingual") == {LIBRARY}
    assert await names("t:planeswalker include:variations") == {JACE}


REFUSALS = [
    ("o:/[/", "regular expression"),
    ("o:/(a)\\1/", "backreferences"),
    ("o:/" + "a" * 201 + "/", "longer than 200"),
    ("o:/unterminated", "unterminated regular expression"),
    ("a:/rush/", "does not take a /regular expression/"),
    ("art:squirrel", "Tagger"),
    ("function:removal", "Tagger"),
    ("otag:ramp", "Tagger"),
    ("cube:vintage", "cube lists"),
    ("m:{Q}", "not a mana symbol"),
    ("devotion:{G}{U}", "devotion expects"),
    ("is:notaflag", "unknown is: value"),
    ("new:everything", "new expects"),
    ("frame:2099", "frame expects"),
    ("game:gameboy", "game expects"),
    ("prefer:cheapest", "prefer: expects"),
    ("(prefer:oldest or t:elf)", "cannot be negated"),
    ("prints>x", "whole number"),
]


async def test_refusals_name_the_problem(service_manager):
    for q, fragment in REFUSALS:
        with pytest.raises(QuerySyntaxError) as caught:
            await service_manager.execute_service("card_catalog.card.search", q=q)
        assert fragment in str(caught.value), q


async def test_bad_regex_is_a_400_over_http(client, catalog):
    response = await client.get("/api/catalog/mtg/card-reference/", params={"q": "name:/(/"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_query"
    assert "regular expression" in response.json()["error"]["message"]


LANDS = {
    "Volcanic Island": ("Land — Island Mountain", "({T}: Add {U} or {R}.)", "dual"),
    "Steam Vents": ("Land — Island Mountain", "({T}: Add {U} or {R}.)\nAs Steam Vents enters, you may pay 2 life. "
                    "If you don't, it enters tapped.", "shockland"),
    "Scalding Tarn": ("Land", "{T}, Pay 1 life, Sacrifice Scalding Tarn: Search your library for an Island or "
                      "Mountain card, put it onto the battlefield, then shuffle.", "fetchland"),
    "Sulfur Falls": ("Land", "Sulfur Falls enters tapped unless you control an Island or a Mountain.\n"
                     "{T}: Add {U} or {R}.", "checkland"),
    "Spirebluff Canal": ("Land", "Spirebluff Canal enters tapped unless you control two or fewer other lands.\n"
                         "{T}: Add {U} or {R}.", "fastland"),
    "Shivan Reef": ("Land", "{T}: Add {C}.\n{T}: Add {U} or {R}. Shivan Reef deals 1 damage to you.", "painland"),
    "Izzet Boilerworks": ("Land", "Izzet Boilerworks enters tapped.\nWhen Izzet Boilerworks enters, return a land "
                          "you control to its owner's hand.\n{T}: Add {C}{R}.", "karoo"),
    "Swiftwater Cliffs": ("Land", "Swiftwater Cliffs enters tapped.\nWhen Swiftwater Cliffs enters, you gain 1 life."
                          "\n{T}: Add {U} or {R}.", "gainland"),
    "Temple of Epiphany": ("Land", "Temple of Epiphany enters tapped.\nWhen Temple of Epiphany enters, scry 1.\n"
                           "{T}: Add {U} or {R}.", "scryland"),
    "Celestial Colonnade": ("Land", "Celestial Colonnade enters tapped.\n{T}: Add {W} or {U}.\n{3}{W}{U}: Until end "
                            "of turn, Celestial Colonnade becomes a 4/4 white and blue Elemental creature with "
                            "flying and vigilance. It's still a land.", "creatureland"),
}
PRODUCES = {"Shivan Reef": ["C", "U", "R"], "Izzet Boilerworks": ["C", "R"], "Celestial Colonnade": ["W", "U"]}


@pytest.fixture
async def lands(service_manager, catalog):
    """A test set with one land of each cycle's wording, and print-level fields the fixture lacks."""
    cards = []
    for number, (name, (type_line, text, _)) in enumerate(LANDS.items(), start=1):
        cards.append({
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, name)), "oracle_id": str(uuid.uuid5(uuid.NAMESPACE_DNS, name)),
            "name": name, "layout": "normal", "rarity": "rare", "collector_number": str(number), "set": "tlnd",
            "set_name": "Test lands", "lang": "en", "type_line": type_line, "oracle_text": text,
            "released_at": "2020-01-01", "cmc": 0, "colors": [], "color_identity": ["U", "R"],
            "produced_mana": PRODUCES.get(name, ["U", "R"]), "booster": number <= 3, "highres_image": number == 1,
            "story_spotlight": number == 2, "watermark": "izzet" if number == 4 else None,
            "preview": {"source": "Scryfall", "previewed_at": "2019-12-01"} if number == 5 else None,
            "penny_rank": 100 - number,
        })
    counts = await service_manager.execute_service("card_catalog.catalog_load.load_cards", cards=cards)
    assert counts.rejected == 0


async def test_land_nicknames(names, lands):
    for name, (_, _, nickname) in LANDS.items():
        assert await names(f"is:{nickname} s:tlnd") == {name}, nickname


PRINT_LEVEL_CASES = [
    ("produces:c s:tlnd", {"Shivan Reef", "Izzet Boilerworks"}),
    ("produces=cr s:tlnd", {"Izzet Boilerworks"}),
    ("produces>=ur produces!=ur s:tlnd", {"Shivan Reef"}),
    ("produces:w", {"Celestial Colonnade", CLERIC}),
    ("is:booster s:tlnd", {"Volcanic Island", "Steam Vents", "Scalding Tarn"}),
    ("is:hires s:tlnd", {"Volcanic Island"}),
    ("is:spotlight", {"Steam Vents", MAHA}),
    ("wm:izzet", {"Sulfur Falls"}),
    ("is:scryfallpreview", {"Spirebluff Canal"}),
]


async def test_print_level_fields(names, lands):
    wrong = {q: (got, expected) for q, expected in PRINT_LEVEL_CASES if (got := await names(q)) != expected}
    assert wrong == {}


async def test_order_spoiled_and_penny(search, lands):
    spoiled = [i["name"] for i in await search("s:tlnd order:spoiled direction:asc")]
    assert spoiled[0] == "Spirebluff Canal"   # previewed before the set's release
    penny = [i["name"] for i in await search("s:tlnd order:penny")]
    assert penny[0] == "Celestial Colonnade"  # the lowest penny rank
