"""Scryfall's card symbols (the /symbology list), as data: every symbol that appears in mana costs and
rules text, with its English text, mana value and colours. Written from Scryfall's published symbol
list; the SVG URIs follow Scryfall's naming (braces and slashes dropped)."""
from __future__ import annotations

from typing import Any

COLORS = {"W": "white", "U": "blue", "B": "black", "R": "red", "G": "green"}
_NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                 "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
_SVG_NAMES = {"{½}": "HALF", "{∞}": "INFINITY", "{1000000}": "1000000"}
_GUILDS = ["W/U", "W/B", "U/B", "U/R", "B/R", "B/G", "R/W", "R/G", "G/W", "G/U"]


def _svg(symbol: str) -> str:
    name = _SVG_NAMES.get(symbol) or symbol.strip("{}").replace("/", "")
    return f"https://svgs.scryfall.io/card-symbols/{name}.svg"


def _symbol(symbol: str, english: str, *, mana_value: float = 0.0, colors: tuple[str, ...] = (),
            mana: bool = True, in_costs: bool = True, hybrid: bool = False, phyrexian: bool = False,
            funny: bool = False, loose: str | None = None, alternates: list[str] | None = None) -> dict[str, Any]:
    return {
        "object": "card_symbol", "symbol": symbol, "svg_uri": _svg(symbol), "loose_variant": loose,
        "english": english, "transposable": False, "represents_mana": mana, "appears_in_mana_costs": in_costs,
        "mana_value": mana_value, "cmc": mana_value, "funny": funny, "colors": list(colors), "hybrid": hybrid,
        "phyrexian": phyrexian, "gatherer_alternates": alternates,
    }


def _build() -> list[dict[str, Any]]:
    symbols = [
        _symbol("{T}", "tap this permanent", mana=False, in_costs=False, alternates=["ocT", "oT"]),
        _symbol("{Q}", "untap this permanent", mana=False, in_costs=False),
        _symbol("{E}", "an energy counter", mana=False, in_costs=False),
        _symbol("{P}", "a pawprint", mana=False, in_costs=False),
        _symbol("{PW}", "planeswalker", mana=False, in_costs=False, funny=True),
        _symbol("{CHAOS}", "chaos", mana=False, in_costs=False),
        _symbol("{A}", "an acorn counter", mana=False, in_costs=False, funny=True),
        _symbol("{TK}", "a ticket counter", mana=False, in_costs=False, funny=True),
        _symbol("{X}", "X generic mana", loose="X", alternates=["oX"]),
        _symbol("{Y}", "Y generic mana", loose="Y"),
        _symbol("{Z}", "Z generic mana", loose="Z"),
        _symbol("{0}", "zero mana", loose="0", alternates=["o0"]),
        _symbol("{½}", "one-half generic mana", mana_value=0.5, loose="½", funny=True),
    ]
    for n in range(1, 21):
        symbols.append(_symbol(f"{{{n}}}", f"{_NUMBER_WORDS[n]} generic mana", mana_value=float(n), loose=str(n),
                               alternates=[f"o{n}"]))
    symbols += [
        _symbol("{100}", "one hundred generic mana", mana_value=100.0, loose="100", funny=True),
        _symbol("{1000000}", "one million generic mana", mana_value=1_000_000.0, loose="1000000", funny=True),
        _symbol("{∞}", "infinite generic mana", mana_value=0.0, loose="∞", funny=True),
    ]
    for pair in _GUILDS:
        a, b = pair.split("/")
        symbols.append(_symbol(f"{{{pair}}}", f"one {COLORS[a]} or {COLORS[b]} mana", mana_value=1.0,
                               colors=tuple(c for c in "WUBRG" if c in (a, b)), hybrid=True))
    for pair in _GUILDS:
        a, b = pair.split("/")
        symbols.append(_symbol(f"{{{pair}/P}}", f"one {COLORS[a]} mana, one {COLORS[b]} mana, or 2 life",
                               mana_value=1.0, colors=tuple(c for c in "WUBRG" if c in (a, b)), hybrid=True,
                               phyrexian=True))
    for c in "WUBRG":
        symbols.append(_symbol(f"{{C/{c}}}", f"one colorless mana or one {COLORS[c]} mana", mana_value=1.0,
                               colors=(c,), hybrid=True))
    for c in "WUBRG":
        symbols.append(_symbol(f"{{2/{c}}}", f"two generic mana or one {COLORS[c]} mana", mana_value=2.0,
                               colors=(c,), hybrid=True))
    symbols.append(_symbol("{H}", "one colored mana or 2 life", mana_value=1.0, phyrexian=True, funny=True))
    for c in "WUBRG":
        symbols.append(_symbol(f"{{{c}/P}}", f"one {COLORS[c]} mana or two life", mana_value=1.0, colors=(c,),
                               phyrexian=True))
    symbols.append(_symbol("{C/P}", "one colorless mana or two life", mana_value=1.0, phyrexian=True))
    symbols += [
        _symbol("{HW}", "one-half white mana", mana_value=0.5, colors=("W",), funny=True),
        _symbol("{HR}", "one-half red mana", mana_value=0.5, colors=("R",), funny=True),
    ]
    for c in "WUBRG":
        symbols.append(_symbol(f"{{{c}}}", f"one {COLORS[c]} mana", mana_value=1.0, colors=(c,), loose=c,
                               alternates=[f"o{c}"]))
    symbols += [
        _symbol("{C}", "one colorless mana", mana_value=1.0, loose="C"),
        _symbol("{S}", "one snow mana", mana_value=1.0, loose="S"),
        _symbol("{L}", "one legendary mana", mana_value=1.0, funny=True),
        _symbol("{D}", "one domain mana", mana_value=1.0, funny=True),
    ]
    return symbols


CARD_SYMBOLS: list[dict[str, Any]] = _build()
BY_SYMBOL: dict[str, dict[str, Any]] = {s["symbol"]: s for s in CARD_SYMBOLS}
