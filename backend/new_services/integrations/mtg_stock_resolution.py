"""Which catalog printing an MTGStocks print is, and in which finish.

Resolution order (docs/mtg-stock.md): Scryfall id, TCGplayer id (the catalog's, then MTGJSON's
links), Cardmarket id, multiverse id, set code + collector number (from the print, or the number in
its name), set code + name. Each step's candidates are narrowed by what the print's name says:
its base name, English first, token / art-card layouts, and variant tags (Borderless, Extended Art,
Showcase, Foil Etched, ...); a plain name prefers the plain printing. One candidate left: resolved.
Several left at every step: `ambiguous` (the candidates are kept). None: `unresolved`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from backend.integrations.mtg_stock.parsing import PrintDetails

TOKEN_LAYOUTS = {"token", "double_faced_token", "emblem"}
# Variant tag -> what a printing with that treatment looks like in the catalog.
TAG_TESTS: dict[str, Callable[[dict], bool]] = {
    "borderless": lambda v: v["border_color"] == "borderless",
    "extended_art": lambda v: "extendedart" in (v["frame_effects"] or ()),
    "showcase": lambda v: "showcase" in (v["frame_effects"] or ()),
    "retro_frame": lambda v: v["frame"] in ("1993", "1997"),
    "full_art": lambda v: bool(v["full_art"]),
    "etched": lambda v: "etched" in (v["finishes"] or ()),
    "prerelease": lambda v: "prerelease" in (v["promo_types"] or ()),
    "promo_pack": lambda v: "promopack" in (v["promo_types"] or ()),
    "serialized": lambda v: "serialized" in (v["promo_types"] or ()),
    "bundle": lambda v: "bundle" in (v["promo_types"] or ()),
    "buy_a_box": lambda v: "buyabox" in (v["promo_types"] or ()),
}


def _plain(v: dict) -> bool:
    """No special treatment: what a print without variant tags is."""
    return not any(TAG_TESTS[t](v) for t in ("borderless", "extended_art", "showcase", "etched", "serialized"))


@dataclass
class Resolution:
    card_version_id: Any = None
    finish: str | None = None
    resolved_by: str | None = None
    reason: str | None = None             # unresolved | ambiguous (when card_version_id is None)
    detail: str | None = None
    candidates: list = field(default_factory=list)


def narrow(rows: list[dict], details: PrintDetails) -> list[dict]:
    """Keep the candidates the print's name and tags agree with; a filter that would leave nothing
    is skipped (the id that found them outranks a tag)."""
    def keep(test: Callable[[dict], bool]) -> None:
        nonlocal rows
        kept = [v for v in rows if test(v)]
        if kept:
            rows = kept

    base = details.base_name.lower()
    keep(lambda v: v["name"].lower() == base or v["name"].lower().split(" // ")[0] == base)
    keep(lambda v: v["lang"] == "en")
    codes = set_codes(details)
    if codes:
        keep(lambda v: v["set_code"] in codes)
    if details.is_token:
        keep(lambda v: v["layout"] in TOKEN_LAYOUTS)
    else:
        keep(lambda v: v["layout"] not in TOKEN_LAYOUTS)
    keep(lambda v: (v["layout"] == "art_series") == details.is_art_card)
    number = details.collector_number or details.name_number
    if number and len(rows) > 1:
        keep(lambda v: v["collector_number"].lstrip("0") == number.lstrip("0"))
    tagged = [t for t in details.tags if t in TAG_TESTS]
    for tag in tagged:
        keep(TAG_TESTS[tag])
    if not tagged and len(rows) > 1:
        keep(_plain)
    if details.finish != "nonfoil" and len(rows) > 1:
        keep(lambda v: details.finish in (v["finishes"] or ()))
    return rows


def set_codes(details: PrintDetails) -> list[str]:
    """Where the print may sit in Scryfall's sets: tokens in 't'+set, art cards in 'a'+set."""
    code = details.set_code
    if not code:
        return []
    codes = [code]
    if details.is_token:
        codes.append("t" + code)
    if details.is_art_card:
        codes.append("a" + code)
    return codes


async def resolve(repo, details: PrintDetails) -> Resolution:
    steps: list[tuple[str, Any]] = []
    if details.scryfall_id:
        steps.append(("scryfall_id", lambda: repo.by_scryfall_id(details.scryfall_id)))
    if details.tcg_id:
        steps.append(("tcgplayer", lambda: repo.by_tcgplayer_id(details.tcg_id)))
    if details.mkm_id:
        steps.append(("cardmarket", lambda: repo.by_cardmarket_id(details.mkm_id)))
    if details.multiverse_id:
        steps.append(("multiverse", lambda: repo.by_multiverse_id(details.multiverse_id)))
    codes = set_codes(details)
    number = details.collector_number or details.name_number
    if codes and number:
        steps.append(("set_number", lambda: repo.by_set_number(codes, number)))
    if codes:
        steps.append(("set_name", lambda: repo.by_set_name(codes, details.base_name)))

    ambiguous: list[dict] = []
    tried = []
    for name, fetch in steps:
        rows = narrow(await fetch(), details)
        tried.append(f"{name}:{len(rows)}")
        if len(rows) == 1:
            row = rows[0]
            finish = details.finish
            if name == "tcgplayer" and row["tcgplayer_etched_id"] == details.tcg_id:
                finish = "etched"
            return Resolution(row["card_version_id"], finish, name)
        if rows and not ambiguous:
            ambiguous = rows
    if ambiguous:
        return Resolution(reason="ambiguous", candidates=[v["card_version_id"] for v in ambiguous][:20],
                          detail=f"{len(ambiguous)} printings match ({', '.join(tried)})")
    what = ", ".join(tried) or "no scryfallId, ids, set or number to look up"
    return Resolution(reason="unresolved", detail=f"no printing in the catalog ({what})")
