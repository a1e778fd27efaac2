"""The card object a printing is served as (the Scryfall-compatible API): the source object as loaded,
completed with the fields today's card object requires when the source (an older bulk schema, or a
hand-written card) lacks them.

Cards in today's schema are kept as their bytes (compact lines as is); only an incomplete or
non-compact card is parsed, completed and re-encoded. Derived fields never replace a source field.
"""
from __future__ import annotations

from typing import Any

import orjson

API = "https://api.scryfall.com"
PRICE_KEYS = ("usd", "usd_foil", "usd_etched", "eur", "eur_foil", "tix")
# Fields every card object of today's schema carries: a compact line holding all of them is complete.
_REQUIRED_MARKERS = tuple(f'"{name}":'.encode() for name in (
    "object", "finishes", "image_status", "set_id", "set_type", "keywords", "prices", "booster", "textless",
    "variation", "uri", "rulings_uri", "prints_search_uri", "set_uri", "set_search_uri", "scryfall_set_uri",
    "highres_image", "games", "legalities", "color_identity", "multiverse_ids", "foil", "nonfoil",
    "story_spotlight", "related_uris", "oversized", "full_art", "promo", "reprint", "digital", "reserved",
    "border_color", "frame", "scryfall_uri", "lang", "released_at"))
_FALSE_FIELDS = ("reserved", "oversized", "promo", "reprint", "variation", "digital", "full_art", "textless",
                 "story_spotlight", "highres_image")


def document_text(raw: bytes | None, card: dict | None, *, set_id: str) -> str:
    """The stored text for one card: `raw` (its bytes in a bulk file) when complete and compact,
    else `card` (or `raw` parsed) completed and encoded compactly."""
    if raw is not None and b'": ' not in raw[:120] and all(m in raw for m in _REQUIRED_MARKERS):
        return raw.decode()
    if card is None:   # parsed here, so completed in place (no copy)
        return orjson.dumps(complete_card(orjson.loads(raw), set_id=set_id, copy=False)).decode()
    return orjson.dumps(complete_card(card, set_id=set_id)).decode()


def _has_images(card: dict) -> bool:
    if card.get("image_uris"):
        return True
    return any(isinstance(face, dict) and face.get("image_uris") for face in card.get("card_faces") or ())


def complete_card(card: dict[str, Any], *, set_id: str, copy: bool = True) -> dict[str, Any]:
    """`card` (a copy of it unless `copy` is false) with every required field of today's schema,
    derived from what it has."""
    out = dict(card) if copy else card
    card_id = str(out.get("id"))
    set_code = str(out.get("set") or "").lower()
    number = str(out.get("collector_number") or "")
    out.setdefault("object", "card")
    if "finishes" not in out:
        out["finishes"] = [f for f, present in (("nonfoil", out.get("nonfoil")), ("foil", out.get("foil")))
                           if present is True]
    finishes = out["finishes"] if isinstance(out["finishes"], list) else []
    out.setdefault("foil", "foil" in finishes)
    out.setdefault("nonfoil", "nonfoil" in finishes)
    for name in _FALSE_FIELDS:
        out.setdefault(name, False)
    if "image_status" not in out:
        out["image_status"] = ("highres_scan" if out.get("highres_image") else
                               "lowres" if _has_images(out) else "missing")
    prices = out.get("prices") if isinstance(out.get("prices"), dict) else {}
    out["prices"] = {**{key: None for key in PRICE_KEYS}, **prices}
    out.setdefault("set_id", set_id)
    out.setdefault("set_type", "unknown")
    out.setdefault("set_name", set_code.upper())
    out.setdefault("keywords", [])
    out.setdefault("games", [] if out.get("digital") else ["paper"])
    out.setdefault("legalities", {})
    out.setdefault("color_identity", [])
    out.setdefault("multiverse_ids", [])
    out.setdefault("lang", "en")
    if out.get("layout") != "reversible_card":   # a reversible card's mana value is on its faces
        out.setdefault("cmc", 0.0)
    out.setdefault("border_color", "black")
    out.setdefault("frame", "2015")
    if "frame_effects" not in out and out.get("frame_effect"):
        out["frame_effects"] = [out["frame_effect"]]
    # A booster is where a card is opened: the older schema does not say, so paper cards that are
    # not promos, oversized or digital are taken to be in boosters.
    out.setdefault("booster", not (out["promo"] or out["digital"] or out["oversized"]))
    out.setdefault("uri", f"{API}/cards/{card_id}")
    out.setdefault("scryfall_uri", f"https://scryfall.com/card/{set_code}/{number}")
    out.setdefault("rulings_uri", f"{API}/cards/{card_id}/rulings")
    oracle_id = out.get("oracle_id")
    out.setdefault("prints_search_uri", f"{API}/cards/search?order=released&q=oracleid%3A{oracle_id}&unique=prints")
    out.setdefault("set_uri", f"{API}/sets/{out['set_id']}")
    out.setdefault("set_search_uri", f"{API}/cards/search?order=set&q=e%3A{set_code}&unique=prints")
    out.setdefault("scryfall_set_uri", f"https://scryfall.com/sets/{set_code}")
    out.setdefault("related_uris", {})
    return out

