"""Syntax tree of a search query: terms combined with and / or / not."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Term:
    """One search term. `keyword` is the canonical keyword ("name" for bare words, "exact" for `!`)."""

    keyword: str
    operator: str          # one of : = != < <= > >=
    value: str
    position: int          # offset of the term in the query text (0-based)
    text: str              # the term as written, for error messages
    written_keyword: str = ""  # the alias the user typed (t, type, ...)
    regex: bool = False        # the value was written /between slashes/: a regular expression


@dataclass(frozen=True)
class And:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    child: "Node"
    position: int


Node = Union[Term, And, Or, Not]

