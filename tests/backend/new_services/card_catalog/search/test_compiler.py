"""The compiler: parameters instead of values in SQL, display options, value validation."""
from __future__ import annotations

import pytest

from backend.new_services.card_catalog.search.compiler import compile_query, normalize_name
from backend.new_services.card_catalog.search.parser import QuerySyntaxError


def test_values_travel_as_parameters_never_in_sql_text():
    nasty = "x'; DROP TABLE card_catalog.sets; --"
    compiled = compile_query(f'o:"{nasty}" a:"{nasty}" s:abc')
    assert "drop table" not in compiled.where.lower()
    assert any("drop table" in str(p).lower() for p in compiled.params)


def test_parameters_are_numbered_from_first_param():
    compiled = compile_query("t:elf mv=2", first_param=3)
    assert "$3::text" in compiled.where and "$4::numeric" in compiled.where
    assert compiled.params[0] == "%elf%"


def test_defaults_hide_extras_and_non_english():
    compiled = compile_query("t:elf")
    assert "NOT o.is_extra" in compiled.where and "v.lang = 'en'" in compiled.where
    assert "NOT o.is_extra" not in compile_query("t:elf include:extras").where
    assert "NOT o.is_extra" not in compile_query("t:token").where
    assert "v.lang = 'en'" not in compile_query("lang:any").where


def test_display_options():
    options = compile_query("t:elf unique:prints order:usd direction:desc").options
    assert (options.unique, options.order, options.descending) == ("prints", "usd", True)
    assert compile_query("order:released").options.descending is True
    assert compile_query("order:name").options.descending is False


@pytest.mark.parametrize("query, fragment", [
    ("unique:foo", "unique: expects"),
    ("order:power2", "order: expects"),
    ("-unique:prints", "cannot be negated"),
    ("t:elf or order:name", "cannot be negated or used inside 'or'"),
    ("c:xyz", "not a colour"),
    ("c>m", "multicolour"),
    ("mv>abc", "expects a number"),
    ("usd>1e12", "finite number"),
    ("mv:even2", "expects a number"),
    ("pow<=nan", "finite number"),
    ("r:legendary", "rarity expects"),
    ("cn>12a", "whole number"),
    ("lang:klingon", "unknown language"),
    ("f:notaformat", "unknown format"),
    ("is:shiny", "unknown is: value"),
    ("not:shiny", "unknown not: value"),
    ("year>=95", "four-digit"),
    ("date>=2015-13-45", "YYYY-MM-DD or a set code"),
    ("oracleid:123", "UUID"),
    ("include:tokens", "include: expects"),
])
def test_invalid_values_are_400_with_the_term(query, fragment):
    with pytest.raises(QuerySyntaxError) as caught:
        compile_query(query)
    assert fragment in caught.value.message
    assert caught.value.details["term"] in query


def test_normalize_name_matches_the_sql_function_rules():
    assert normalize_name("Lim-Dûl's Vault") == "lim duls vault"
    assert normalize_name("  Fire // Ice ") == "fire ice"
    assert normalize_name("Æther Vial") == "æther vial"


def test_oracle_only_queries_take_the_preferred_printing_path():
    assert compile_query("t:elf c:g mv<=3 pow>=2 is:dfc").oracle_where is not None
    for printing_level in ("t:elf r:rare", "t:elf s:lea", "t:elf is:foil", "t:elf usd>1", "t:elf lang:fr",
                           "t:elf unique:prints", "t:elf year>2000", "-(t:elf or a:rush)"):
        assert compile_query(printing_level).oracle_where is None, printing_level
