"""Name closeness and tie-breaking, without a database."""
from __future__ import annotations

import datetime as dt

from backend.new_services.card_catalog.name_matching import (
    Candidate, allowed_edits, closest, distance, exact_normalised, popularity,
)


def card(name, rank=None, released=None):
    return Candidate(name, name, False, rank, dt.date.fromisoformat(released) if released else None)


def test_a_transposition_is_one_edit():
    assert distance("lightning blot", "Lightning Bolt") == 1
    assert distance("lightning blot", "Lightning Blow") == 1
    assert distance("bolt lightning", "Lightning Bolt") == 0


def test_faces_count_on_their_own():
    assert distance("stomp", "Bonecrusher Giant // Stomp") == 0
    assert exact_normalised("ice", "Fire // Ice")
    assert exact_normalised("fire ice", "Fire // Ice")
    assert not exact_normalised("fire", "Fireball")


def test_equally_close_names_go_to_the_more_played_card():
    bolt, blow = card("Lightning Bolt", 650, "2024-01-01"), card("Lightning Blow", None, "1996-06-10")
    best, d = closest("lightning blot", [blow, bolt])
    assert d == 1 and best == [bolt, blow]


def test_ties_without_ranks_go_to_the_most_recent_printing():
    old, new = card("Aaa", None, "1995-01-01"), card("Aab", None, "2020-01-01")
    assert sorted([old, new], key=popularity) == [new, old]


def test_too_far_is_no_match():
    assert allowed_edits("bolt") == 1 and allowed_edits("tarmogoyph") == 2
    assert closest("bolt", [card("Boil")]) == ([], None)
