"""Symbology of the Scryfall-compatible API: the card symbols, and parsing a mana cost."""
from __future__ import annotations

import re

import orjson

from backend.new_services.scryfall_compat.objects import list_of
from backend.new_services.scryfall_compat.symbols import BY_SYMBOL, CARD_SYMBOLS
from backend.new_services.service_manager import service
from backend.request_handling.errors import UnprocessableError

MAX_COST_LENGTH = 200
# A loose cost: "2WW", "RUG", "X2G", "W/U"... (a number, a hybrid pair, or one letter at a time)
_LOOSE_TOKEN = re.compile(r"\d+|[WUBRGC2]/[WUBRGP]|[WUBRGCSXYZ]|\s+|.", re.IGNORECASE)
_COLOR_ORDER = "WUBRG"


@service("scryfall_compat.symbology.list")
async def list_symbols() -> str:
    return list_of(CARD_SYMBOLS)


def _tokens(cost: str) -> list[str]:
    """The cost as symbols like {2}: braced ones as written, loose text one symbol at a time."""
    symbols: list[str] = []
    position = 0
    for match in re.finditer(r"\{([^{}]*)\}", cost):
        _loose_tokens(cost[position:match.start()], symbols)
        symbols.append("{" + match.group(1).upper() + "}")
        position = match.end()
    _loose_tokens(cost[position:], symbols)
    return symbols


def _loose_tokens(text: str, symbols: list[str]) -> None:
    symbols.extend("{" + token.upper() + "}" for token in _LOOSE_TOKEN.findall(text) if not token.isspace())


def _is_number(symbol: str) -> bool:
    digits = symbol.strip("{}")
    return digits.isdigit() and len(digits) <= 9


@service("scryfall_compat.symbology.parse_mana")
async def parse_mana(*, cost: str) -> str:
    if len(cost) > MAX_COST_LENGTH:
        raise UnprocessableError(f"The mana cost is longer than {MAX_COST_LENGTH} characters.")
    symbols = _tokens(cost)
    unknown = [s for s in symbols if not _is_number(s)
               and (s not in BY_SYMBOL or not BY_SYMBOL[s]["appears_in_mana_costs"])]
    if unknown or not symbols:
        fragments = ", ".join("\u201c" + f.strip("{}") + "\u201d" for f in unknown) or "\u201c\u201d"
        raise UnprocessableError(f"The string fragment(s) {fragments} could not be understood as part of mana cost.")
    # Generic parts first (X, then numbers), then the rest in the order given: Scryfall's normal form.
    generic = [s for s in symbols if s.strip("{}") in ("X", "Y", "Z")]
    numbers = [s for s in symbols if _is_number(s)]
    if len(numbers) > 1:
        numbers = ["{" + str(sum(int(n.strip("{}")) for n in numbers)) + "}"]
    rest = [s for s in symbols if s not in generic and not _is_number(s)]
    ordered = generic + numbers + rest
    colors = sorted({c for s in ordered for c in BY_SYMBOL.get(s, {"colors": []})["colors"]}, key=_COLOR_ORDER.index)
    mana_value = sum(BY_SYMBOL[s]["mana_value"] if s in BY_SYMBOL else float(s.strip("{}")) for s in ordered)
    return orjson.dumps({
        "object": "mana_cost", "cost": "".join(ordered), "cmc": float(mana_value), "colors": colors,
        "colorless": not colors, "monocolored": len(colors) == 1, "multicolored": len(colors) > 1,
    }).decode()
