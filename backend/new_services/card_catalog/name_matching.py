"""Which card a typed name means: closeness of a typed name to a card name, and the order among
equally close cards. Pure functions over candidates the repository found (trigram and prefix
matches), so the rules are testable without a database.

Closeness is the optimal-string-alignment distance (a transposition, `blot` for `bolt`, is one
edit) over the normalised names (case, accents and punctuation ignored), taken over the whole
name, each face of a multi-face card, and the words of each sorted (so word order is forgiven).
Among equally close names the more-played card wins: EDHREC rank, then the most recent printing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from backend.new_services.card_catalog.search.compiler import normalize_name


@dataclass(frozen=True)
class Candidate:
    oracle_id: object
    name: str
    is_extra: bool
    edhrec_rank: int | None
    latest_release: dt.date | None


def name_forms(name: str) -> list[str]:
    """The normalised whole name and each face name."""
    faces = [part for part in name.split(" // ")]
    forms = [normalize_name(name)] + ([normalize_name(face) for face in faces] if len(faces) > 1 else [])
    return [form for form in forms if form]


def _sorted_words(text: str) -> str:
    return " ".join(sorted(text.split()))


def distance(typed: str, name: str) -> int:
    """Fewest edits from the typed (normalised) text to the name, any face, any word order."""
    typed_sorted = _sorted_words(typed)
    best = None
    for form in name_forms(name):
        for a, b in ((typed, form), (typed_sorted, _sorted_words(form))):
            d = OSA.distance(a, b)
            best = d if best is None else min(best, d)
    return best if best is not None else len(typed)


def exact_normalised(typed: str, name: str) -> bool:
    return typed in name_forms(name) or _sorted_words(typed) in {_sorted_words(f) for f in name_forms(name)}


def allowed_edits(typed: str) -> int:
    """How many edits still count as a typo of the same name: one per four letters, at least one."""
    return max(1, len(typed.replace(" ", "")) // 4)


def popularity(candidate: Candidate) -> tuple:
    """Sort key: more played first (lower EDHREC rank), then the most recently printed, then name."""
    rank = candidate.edhrec_rank if candidate.edhrec_rank is not None else 10**9
    released = candidate.latest_release.toordinal() if candidate.latest_release else 0
    return (rank, -released, candidate.name)


def closest(typed: str, candidates: list[Candidate]) -> tuple[list[Candidate], int | None]:
    """The candidates at the smallest distance within the allowed edits (most played first)."""
    scored = [(distance(typed, c.name), c) for c in candidates]
    within = [(d, c) for d, c in scored if d <= allowed_edits(typed)]
    if not within:
        return [], None
    best = min(d for d, _ in within)
    return sorted((c for d, c in within if d == best), key=popularity), best
