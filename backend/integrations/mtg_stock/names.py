"""MTGStocks print names carry the printing's variant in the name ("Sol Ring (Foil Etched)",
"Soldier Token", "Forest - Full Art"): split such a name into the card's own name and its tags.

Decorations are read from the end of the name, one at a time, in three forms: a bracketed group
"(Showcase)", a dash suffix " - Prerelease", and, for the few tags that never end a real card name,
a bare suffix " Promo Pack". A bracketed group may hold several tags joined by " - ".

Tag table (spellings are matched case-insensitively; "bare" marks the ones also read without brackets):

| tag                     | spellings                                          | implies            |
|-------------------------|----------------------------------------------------|--------------------|
| borderless              | Borderless                                         |                    |
| extended_art            | Extended Art                                       |                    |
| showcase                | Showcase                                           |                    |
| retro_frame             | Retro Frame, Retro                                 |                    |
| full_art                | Full Art                                           |                    |
| alternate_art           | Alternate Art, Alt Art, Alt. Art                   |                    |
| jp_alternate_art        | JP Alternate Art, Japanese Alternate Art           |                    |
| etched                  | Foil Etched (bare), Etched Foil (bare), Etched     | finish etched      |
| foil                    | Foil (never bare: "Foil" is a card)                | finish foil        |
| <kind>_foil             | "<Kind> Foil" for Surge, Galaxy, Textured, Gilded, | finish foil        |
|                         | Halo, Confetti, Step-and-Compleat                  |                    |
| oil_slick_foil          | Oil Slick Raised Foil, Oil Slick                   | finish foil        |
| serialized              | Serialized, Serial Numbered                        | finish foil        |
| prerelease              | Prerelease (bare), Prerelease Promo (bare)         |                    |
| promo_pack              | Promo Pack (bare)                                  |                    |
| bundle                  | Bundle, Bundle Promo                               |                    |
| buy_a_box               | Buy-a-Box, Buy a Box, Buy-a-Box Promo              |                    |
| release                 | Release, Release Promo, Release Event Promo        |                    |
| promo                   | Promo                                              |                    |
| display_commander       | Display Commander                                  |                    |
| oversized               | Oversized, Oversize                                |                    |
| art_card                | Art Card (bare), Art Series                        | is_art_card        |
| token                   | "<Name> Token"                                     | is_token, strip    |
| double_sided_token      | "<A> // <B> Double-Sided Token"                    | is_token, strip    |
| emblem                  | "Emblem - <Name>", "<Name> Emblem"                 | is_token           |

Besides the table: a bracketed number ("Island (264)", "Soldier Token (003)") is kept as
`name_number`, a collector-number hint for lands and tokens that often lack one; any other
decoration ("Plains (A)", "Hymn to Tourach (Wolf)", " - 1996 Bertrand Lestree") is kept verbatim in
`other_tags` and removed from the base name. The base name is what Scryfall calls the card: tokens
lose " Token" ("Soldier"), emblems read "<Name> Emblem". The few real card names that look
decorated ("B.F.M. (Big Furry Monster)", "Hazmat Suit (Used)", "Leering Emblem") are kept whole.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Finish = Literal["nonfoil", "foil", "etched"]


@dataclass(frozen=True)
class VariantTag:
    tag: str
    spellings: tuple[str, ...]
    finish: Finish | None = None
    bare: tuple[str, ...] = ()          # spellings also recognised as a plain suffix


VARIANT_TAGS: tuple[VariantTag, ...] = (
    VariantTag("borderless", ("Borderless",)),
    VariantTag("extended_art", ("Extended Art",)),
    VariantTag("showcase", ("Showcase",)),
    VariantTag("retro_frame", ("Retro Frame", "Retro")),
    VariantTag("full_art", ("Full Art",)),
    VariantTag("alternate_art", ("Alternate Art", "Alt Art", "Alt. Art")),
    VariantTag("jp_alternate_art", ("JP Alternate Art", "Japanese Alternate Art")),
    VariantTag("etched", ("Foil Etched", "Etched Foil", "Etched"), "etched", bare=("Foil Etched", "Etched Foil")),
    VariantTag("foil", ("Foil",), "foil"),
    *(VariantTag(f"{kind.lower().replace('-', '_')}_foil", (f"{kind} Foil",), "foil")
      for kind in ("Surge", "Galaxy", "Textured", "Gilded", "Halo", "Confetti", "Step-and-Compleat")),
    VariantTag("oil_slick_foil", ("Oil Slick Raised Foil", "Oil Slick"), "foil"),
    VariantTag("serialized", ("Serialized", "Serial Numbered"), "foil"),
    VariantTag("prerelease", ("Prerelease", "Prerelease Promo"), bare=("Prerelease", "Prerelease Promo")),
    VariantTag("promo_pack", ("Promo Pack",), bare=("Promo Pack",)),
    VariantTag("bundle", ("Bundle", "Bundle Promo")),
    VariantTag("buy_a_box", ("Buy-a-Box", "Buy a Box", "Buy-a-Box Promo")),
    VariantTag("release", ("Release", "Release Promo", "Release Event Promo")),
    VariantTag("promo", ("Promo",)),
    VariantTag("display_commander", ("Display Commander",)),
    VariantTag("oversized", ("Oversized", "Oversize")),
    VariantTag("art_card", ("Art Card", "Art Series"), bare=("Art Card",)),
)

_BY_SPELLING = {s.lower(): t for t in VARIANT_TAGS for s in t.spellings}
_TAG_FINISH = {t.tag: t.finish for t in VARIANT_TAGS}
# Longest first, so "Prerelease Promo" is taken whole rather than as "Promo".
_BARE = sorted(((s.lower(), t) for t in VARIANT_TAGS for s in t.bare), key=lambda p: -len(p[0]))
_NUMBER = re.compile(r"\d+[a-z]?")
# Real card names that look decorated (all of Scryfall's 26,482 names were checked; see the tests).
_REAL_NAMES = frozenset({
    "b.f.m. (big furry monster)", "b.f.m. (big furry monster, right side)", "b.o.b. (bevy of beebles)",
    "erase (not the urza's legacy one)", "hazmat suit (used)", "leering emblem",
})


@dataclass(frozen=True)
class ParsedName:
    base_name: str
    tags: tuple[str, ...]           # canonical tags from the table, in name order
    other_tags: tuple[str, ...]     # decorations not in the table, verbatim
    name_number: str | None
    finish: Finish | None           # implied by a tag; None when no tag says
    is_token: bool
    is_art_card: bool


def parse_print_name(name: str) -> ParsedName:
    rest = " ".join(name.split())
    tags: list[str] = []            # both lists are collected from the end backwards, reversed below
    others: list[str] = []
    number: str | None = None
    emblem = rest.lower().startswith("emblem - ")
    if emblem:
        rest = rest[len("emblem - "):]
    while (piece := _take_decoration(rest)) is not None:
        rest, text, bare_tag = piece
        if bare_tag is not None:
            tags.append(bare_tag)
        elif number is None and _NUMBER.fullmatch(text):
            number = text
        else:
            for known, part in reversed(_split_group(text)):
                (tags if known else others).append(part)
    lowered = rest.lower()
    if lowered.endswith(" double-sided token"):
        tags.insert(0, "double_sided_token")
        rest = rest[: -len(" double-sided token")]
    elif lowered.endswith(" token"):
        tags.insert(0, "token")
        rest = rest[: -len(" token")]
    elif lowered.endswith(" emblem") and lowered not in _REAL_NAMES:
        emblem = True
    if emblem:
        tags.insert(0, "emblem")
        if not rest.lower().endswith(" emblem"):
            rest = f"{rest} Emblem"       # Scryfall's name for it
    if not rest.strip():                   # nothing but decoration: keep the name as it is
        return ParsedName(" ".join(name.split()), (), (), None, None, False, False)
    tags.reverse()
    others.reverse()
    finishes = {_TAG_FINISH[t] for t in tags if _TAG_FINISH.get(t)}
    return ParsedName(
        base_name=rest.strip(),
        tags=tuple(dict.fromkeys(tags)),
        other_tags=tuple(others),
        name_number=number,
        finish="etched" if "etched" in finishes else ("foil" if "foil" in finishes else None),
        is_token=bool({"token", "double_sided_token", "emblem"} & set(tags)),
        is_art_card="art_card" in tags,
    )


def _take_decoration(rest: str) -> tuple[str, str, str | None] | None:
    """Cut one decoration off the end: (what remains, its text, the tag if it was a bare suffix)."""
    lowered = rest.lower()
    if lowered in _REAL_NAMES:
        return None
    if rest.endswith(")"):
        start = _matching_open(rest)
        if start > 0:
            return rest[:start].rstrip(), rest[start + 1:-1].strip(), None
    head, sep, tail = rest.rpartition(" - ")
    if sep and head.strip() and tail.strip() and "(" not in tail and ")" not in tail:
        return head.rstrip(), tail.strip(), None
    for spelling, tag in _BARE:
        if lowered.endswith(" " + spelling) and rest[: -len(spelling)].strip():
            return rest[: -len(spelling) - 1].rstrip(), spelling, tag.tag
    return None


def _matching_open(text: str) -> int:
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _split_group(text: str) -> list[tuple[bool, str]]:
    """One decoration as (known, tag or verbatim text) pairs, in order."""
    known = _BY_SPELLING.get(text.lower())
    if known is not None:
        return [(True, known.tag)]
    parts = [p.strip() for p in text.split(" - ")]
    return [(True, _BY_SPELLING[p.lower()].tag) if p.lower() in _BY_SPELLING else (False, p) for p in parts if p]
