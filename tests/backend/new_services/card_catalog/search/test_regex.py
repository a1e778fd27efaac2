"""Scryfall regex flavour -> Postgres ARE, and mana symbols -> the multiset encoding."""
from __future__ import annotations

import pytest

from backend.new_services.card_catalog.search.mana import ManaRefused, multiset, parse_symbols
from backend.new_services.card_catalog.search.regex import RegexRefused, to_postgres


def test_flags_word_boundaries_and_slashes():
    assert to_postgres(r"\bizzet\b") == r"(?in)\yizzet\y"
    assert to_postgres(r"a\/b") == "(?in)a/b"
    assert to_postgres("^{T}:") == "(?in)^{T}:"


def test_shorthands_longest_first():
    assert "{" in to_postgres(r"\sm") and r"\+" in to_postgres(r"\spp")
    assert to_postgres(r"\smm").startswith("(?in)-")
    assert to_postgres(r"\sd") == r"(?in)\sd"     # a plain \s followed by d


@pytest.mark.parametrize("pattern", [r"(a)\1", "a\\", "a\x00"])
def test_refused(pattern):
    with pytest.raises(RegexRefused):
        to_postgres(pattern)


def test_mana_shorthand_and_braces_agree():
    assert parse_symbols("2WW") == parse_symbols("{2}{W}{W}") == ["{2}", "{W}", "{W}"]
    assert parse_symbols("{u/w}") == ["{W/U}"]            # stored order
    assert parse_symbols("{r/p}") == ["{R/P}"]
    assert multiset(["{3}", "{G}", "{G}"]) == ["{1}#1", "{1}#2", "{1}#3", "{G}#1", "{G}#2"]
    with pytest.raises(ManaRefused):
        parse_symbols("{Q}")
