"""The query parser: structure of the tree and errors that name the term and its position."""
from __future__ import annotations

import pytest

from backend.new_services.card_catalog.search.ast import And, Not, Or, Term
from backend.new_services.card_catalog.search.parser import QuerySyntaxError, parse_query


def test_implicit_and_of_keyword_terms_and_bare_words():
    tree = parse_query("t:creature c>=uw lightning")
    assert isinstance(tree, And)
    assert [(t.keyword, t.operator, t.value) for t in tree.children] == [
        ("type", ":", "creature"), ("color", ">=", "uw"), ("name", ":", "lightning")]


def test_or_binds_looser_than_and():
    tree = parse_query("a b or c")
    assert isinstance(tree, Or)
    assert isinstance(tree.children[0], And)
    assert tree.children[1] == Term("name", ":", "c", 7, "c")


def test_parentheses_negation_and_exact_names():
    tree = parse_query('-(t:goblin or t:elf) !"Lightning Bolt"')
    assert isinstance(tree, And)
    negated, exact = tree.children
    assert isinstance(negated, Not) and isinstance(negated.child, Or)
    assert exact.keyword == "exact" and exact.value == "Lightning Bolt"


def test_quoted_values_and_aliases():
    tree = parse_query('o:"draw a card" cmc=3 e:lea')
    assert [(t.keyword, t.value, t.written_keyword) for t in tree.children] == [
        ("oracle", "draw a card", "o"), ("mv", "3", "cmc"), ("set", "lea", "e")]


def test_keyword_is_case_insensitive_and_explicit_and_is_accepted():
    tree = parse_query("T:Goblin AND R>=rare")
    assert [(t.keyword, t.operator) for t in tree.children] == [("type", ":"), ("rarity", ">=")]


def test_empty_query_matches_everything():
    assert parse_query("   ") == And(())


@pytest.mark.parametrize("query, term, position, reason", [
    ("t:goblin foo:bar", "foo:bar", 9, "unknown keyword"),
    ("t:", "t:", 0, "needs a value"),
    ("c:r (t:elf", "(", 4, "never closed"),
    ("t:elf)", ")", 5, "without a matching"),
    ("or t:elf", "or", 0, "needs a term before"),
    ("t:elf or", "or", 6, "needs a term after"),
    ("t:elf -", "-", 6, "must be followed"),
    ('o:"draw', 'o:"draw', 0, "unterminated quote"),
    ("()", "()", 0, "empty parentheses"),
    ("t>goblin", "t>goblin", 0, "does not accept the operator"),
    ("!", "!", 0, "card name"),
    ("and t:elf", "and", 0, "needs a term before"),
])
def test_errors_name_term_and_position(query, term, position, reason):
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(query)
    error = caught.value
    assert error.status_code == 400 and error.code == "invalid_query"
    assert error.details["term"] == term
    assert error.details["position"] == position
    assert reason in error.details["reason"]


def test_overlong_and_deeply_nested_queries_are_refused():
    with pytest.raises(QuerySyntaxError):
        parse_query("a " * 600)
    with pytest.raises(QuerySyntaxError):
        parse_query("(" * 40 + "a" + ")" * 40)
