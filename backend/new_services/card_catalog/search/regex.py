"""Scryfall's regular-expression flavour translated to a Postgres ARE (`~` operator).

Scryfall expressions are case-insensitive and multi-line (`^`/`$` match at each line of the text),
accept `\\b` for a word boundary and the shorthands `\\sm` (mana symbol), `\\ss` (any card symbol),
`\\spt` (X/X), `\\spp` (+X/+X) and `\\smm` (-X/-X); `~` stands for the card's name (the compiler
replaces the name by `~` in the searched text, so `~` stays a literal here). Backreferences are
not supported there and are refused here, which also keeps the expressions cheap to run.
"""
from __future__ import annotations

_NUMBER = r"(?:[0-9]+|x|\*)"
_MANA_SYMBOL = r"\{(?:[0-9]+|[wubrgcxyzs]|[wubrgc2]/[wubrgp]|[wubrg]/[wubrg]/p|h[wubrg]|½|∞)\}"
SHORTHANDS = {
    "smm": rf"-{_NUMBER}/-{_NUMBER}",
    "spp": rf"\+{_NUMBER}/\+{_NUMBER}",
    "spt": rf"[-+]?{_NUMBER}/[-+]?{_NUMBER}",
    "sm": _MANA_SYMBOL,
    "ss": r"\{[^}\n]+\}",
}
# Longest first: `\smm` is not `\sm` followed by "m".
_SHORTHAND_ORDER = sorted(SHORTHANDS, key=len, reverse=True)
# (?i) case-insensitive, (?n) newline-sensitive: `^`, `$` and `.` work line by line.
FLAGS = "(?in)"


class RegexRefused(ValueError):
    """An expression this engine will not run; the message says why."""


def to_postgres(pattern: str) -> str:
    """Translate a Scryfall expression (as written between the slashes) to a Postgres ARE."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\x00":
            raise RegexRefused("regular expression contains a NUL character")
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        if i + 1 >= n:
            raise RegexRefused("regular expression ends with a lone backslash")
        rest = pattern[i + 1:]
        shorthand = next((name for name in _SHORTHAND_ORDER if rest.startswith(name)), None)
        if shorthand is not None:
            out.append(SHORTHANDS[shorthand])
            i += 1 + len(shorthand)
            continue
        nxt = pattern[i + 1]
        if nxt.isdigit() and nxt != "0":
            raise RegexRefused("backreferences (\\1, \\2, ...) are not supported")
        if nxt == "b":
            out.append(r"\y")            # word boundary (\b is backspace in Postgres)
        elif nxt == "B":
            out.append(r"\Y")
        elif nxt == "/":
            out.append("/")
        else:
            out.append("\\" + nxt)
        i += 2
    return FLAGS + "".join(out)
