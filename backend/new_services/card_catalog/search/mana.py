"""Mana costs as the query language writes them (`{2}{G}{G}`, `2GG`, `{G/U}`, `{R/P}`) parsed into
the multiset encoding of card_catalog.mana_symbols(): upper-case symbols numbered by occurrence,
generic mana as that many `{1}`s."""
from __future__ import annotations

import re
from collections import Counter

_TOKEN = re.compile(r"\{([^{}]{1,12})\}|([0-9]+)|([A-Za-z])")
_SYMBOL_BODY = re.compile(r"^(?:[0-9]+|[WUBRGCXYZS]|[WUBRGC2]/[WUBRGP]|[WUBRG]/[WUBRG]/P|H[WUBRG]|½|∞)$")
# Hybrid symbols are stored in one order ({W/U}, not {U/W}): the colour pairs as printed.
_HYBRID_PAIRS = {"W/U", "U/B", "B/R", "R/G", "G/W", "W/B", "U/R", "B/G", "R/W", "G/U"}
MAX_GENERIC = 100


class ManaRefused(ValueError):
    """A mana cost that cannot be read; the message says which part."""


def parse_symbols(value: str) -> list[str]:
    """`2WW` / `{2}{W}{W}` -> ['{2}', '{W}', '{W}'] (canonical symbols, in order)."""
    symbols: list[str] = []
    position = 0
    text = value.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ManaRefused(f"cannot read {text[position:]!r} as mana symbols")
        braced, number, letter = match.groups()
        body = (braced or number or letter).upper()
        if not _SYMBOL_BODY.match(body):
            raise ManaRefused(f"{{{body}}} is not a mana symbol")
        parts = body.split("/")
        if len(parts) >= 2 and f"{parts[0]}/{parts[1]}" not in _HYBRID_PAIRS and parts[1] in "WUBRG" \
                and parts[0] in "WUBRG" and f"{parts[1]}/{parts[0]}" in _HYBRID_PAIRS:
            parts[0], parts[1] = parts[1], parts[0]
        symbols.append("{" + "/".join(parts) + "}")
        position = match.end()
    if not symbols:
        raise ManaRefused("no mana symbols given")
    return symbols


def multiset(symbols: list[str]) -> list[str]:
    """The card_catalog.mana_symbols() encoding of a list of symbols."""
    expanded: list[str] = []
    for symbol in symbols:
        body = symbol[1:-1]
        if body.isdigit():
            expanded += ["{1}"] * min(int(body), MAX_GENERIC)
        else:
            expanded.append(symbol)
    seen: Counter[str] = Counter()
    encoded = []
    for symbol in expanded:
        seen[symbol] += 1
        encoded.append(f"{symbol}#{seen[symbol]}")
    return encoded
