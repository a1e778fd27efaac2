"""Print names split into the card's name and its variant tags (the table in names.py)."""
from __future__ import annotations

import orjson
import pytest

from backend.integrations.mtg_stock.names import VARIANT_TAGS, parse_print_name


@pytest.mark.parametrize(("name", "base_name", "tags"), [
    ("Ravages of War", "Ravages of War", ()),
    ("Oko, Thief of Crowns (Borderless)", "Oko, Thief of Crowns", ("borderless",)),
    ("Rankle, Master of Pranks (Extended Art)", "Rankle, Master of Pranks", ("extended_art",)),
    ("Flaxen Intruder (Showcase)", "Flaxen Intruder", ("showcase",)),
    ("Lightning Bolt (Retro Frame)", "Lightning Bolt", ("retro_frame",)),
    ("Forest - Full Art", "Forest", ("full_art",)),
    ("Ravages of War (Borderless) (Surge Foil)", "Ravages of War", ("borderless", "surge_foil")),
    ("Ravages of War (Borderless - Surge Foil)", "Ravages of War", ("borderless", "surge_foil")),
    ("Sheoldred, the Apocalypse - Prerelease", "Sheoldred, the Apocalypse", ("prerelease",)),
    ("Sheoldred, the Apocalypse Prerelease", "Sheoldred, the Apocalypse", ("prerelease",)),
    ("Sheoldred, the Apocalypse (Prerelease Promo)", "Sheoldred, the Apocalypse", ("prerelease",)),
    ("Llanowar Elves Promo Pack", "Llanowar Elves", ("promo_pack",)),
    ("Fire // Ice (Showcase)", "Fire // Ice", ("showcase",)),
    ("Elesh Norn (Extended Art) (Serialized)", "Elesh Norn", ("extended_art", "serialized")),
])
def test_variant_tags_are_read_and_removed(name, base_name, tags):
    parsed = parse_print_name(name)
    assert (parsed.base_name, parsed.tags, parsed.other_tags) == (base_name, tags, ())


@pytest.mark.parametrize(("name", "finish"), [
    ("Sol Ring (Foil Etched)", "etched"),
    ("Sol Ring Foil Etched", "etched"),
    ("Sol Ring - Etched Foil", "etched"),
    ("Sol Ring (Etched)", "etched"),
    ("Sol Ring (Foil)", "foil"),
    ("Ravages of War (Borderless) (Surge Foil)", "foil"),
    ("Sol Ring (Borderless)", None),                  # says nothing about the finish
    ("Sol Ring", None),
])
def test_finish_implied_by_tags(name, finish):
    assert parse_print_name(name).finish == finish


def test_tokens_and_emblems_take_scryfalls_names():
    soldier = parse_print_name("Soldier Token")
    assert (soldier.base_name, soldier.tags, soldier.is_token) == ("Soldier", ("token",), True)
    numbered = parse_print_name("Soldier Token (003)")
    assert (numbered.base_name, numbered.name_number) == ("Soldier", "003")
    double = parse_print_name("Knight // Thopter Double-sided Token (Game Night)")
    assert (double.base_name, double.tags, double.other_tags) == ("Knight // Thopter", ("double_sided_token",),
                                                                  ("Game Night",))
    for emblem in ("Emblem - Dack Fayden", "Dack Fayden Emblem"):
        parsed = parse_print_name(emblem)
        assert (parsed.base_name, parsed.tags, parsed.is_token) == ("Dack Fayden Emblem", ("emblem",), True)


def test_art_cards():
    for name in ("Elspeth, Sun's Champion (Art Card)", "Elspeth, Sun's Champion Art Card",
                 "Elspeth, Sun's Champion (Art Series)"):
        parsed = parse_print_name(name)
        assert (parsed.base_name, parsed.is_art_card, parsed.is_token) == ("Elspeth, Sun's Champion", True, False)


def test_numbers_and_unknown_decorations_leave_the_base_name():
    island = parse_print_name("Island (264)")
    assert (island.base_name, island.name_number, island.tags) == ("Island", "264", ())
    wc = parse_print_name("Armageddon - 1996 Bertrand Lestree (4ED)")
    assert (wc.base_name, wc.other_tags) == ("Armageddon", ("1996 Bertrand Lestree", "4ED"))
    hymn = parse_print_name("Hymn to Tourach (Wolf)")
    assert (hymn.base_name, hymn.other_tags) == ("Hymn to Tourach", ("Wolf",))


@pytest.mark.parametrize("name", ["Foil", "Etched Champion", "Promo Pack Goblin", "Showcase of Wonders",
                                  "B.F.M. (Big Furry Monster)", "Hazmat Suit (Used)",
                                  "Leering Emblem", "Lim-Dûl the Necromancer"])
def test_real_card_names_are_left_whole(name):
    parsed = parse_print_name(name)
    assert (parsed.base_name, parsed.tags, parsed.other_tags) == (name, (), ())


def test_brackets_after_a_bracketed_card_name_are_still_read():
    parsed = parse_print_name("B.F.M. (Big Furry Monster) (Left)")
    assert (parsed.base_name, parsed.other_tags) == ("B.F.M. (Big Furry Monster)", ("Left",))


def test_spacing_and_case_do_not_matter():
    parsed = parse_print_name("  Oko,  Thief of Crowns   (BORDERLESS) ")
    assert (parsed.base_name, parsed.tags) == ("Oko, Thief of Crowns", ("borderless",))


def test_every_spelling_in_the_table_is_recognised():
    for tag in VARIANT_TAGS:
        for spelling in tag.spellings:
            assert parse_print_name(f"Test Card ({spelling})").tags == (tag.tag,), spelling
        for spelling in tag.bare:
            assert parse_print_name(f"Test Card {spelling}").tags == (tag.tag,), spelling


@pytest.mark.real_data
def test_no_real_card_name_is_taken_for_a_decorated_one(shared_data):
    catalog = orjson.loads((shared_data / "scryfall" / "api" / "catalog-card-names.json").read_bytes())
    names = catalog["data"] if isinstance(catalog, dict) else catalog
    assert len(names) > 20_000
    misread = [n for n in names if (parse_print_name(n).base_name, parse_print_name(n).tags) != (n, ())]
    assert misread == []
