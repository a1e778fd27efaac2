"""Scryfall's catalogs (/catalog/{name}) computed from our catalog, and completed from the
Comprehensive Rules (comprehensive_rules.json) where the cards alone cannot give the whole list:
types, keyword abilities and actions, ability words. Computed lists are cached in Redis under the
catalog's version, so they are recomputed only after the catalog changed."""
from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from redis.exceptions import RedisError

from backend.new_services.scryfall_compat.objects import api_uri, catalog_text
from backend.new_services.service_manager import service
from backend.repositories.scryfall_compat.scryfall_catalog_repository import ScryfallCatalogRepository
from backend.request_handling.errors import NotFoundError

RULES_FILE = Path(__file__).with_name("comprehensive_rules.json")
CACHE_SECONDS = 3600
# Catalog name -> the card type whose subtypes it lists.
SUBTYPE_CATALOGS = {
    "artifact-types": "Artifact", "battle-types": "Battle", "creature-types": "Creature",
    "enchantment-types": "Enchantment", "land-types": "Land", "planeswalker-types": "Planeswalker",
    "spell-types": "Instant",
}
STAT_CATALOGS = {"powers": "power", "toughnesses": "toughness", "loyalties": "loyalty"}
CATALOGS = frozenset({"card-names", "artist-names", "word-bank", "supertypes", "card-types", "powers",
                      "toughnesses", "loyalties", "watermarks", "keyword-abilities", "keyword-actions",
                      "ability-words", "flavor-words", *SUBTYPE_CATALOGS})


@cache
def rules() -> dict[str, list[str]]:
    return json.loads(RULES_FILE.read_text(encoding="utf-8"))


def _sorted(values) -> list[str]:
    return sorted(set(values), key=lambda v: (v.casefold(), v))


def _subtypes(type_lines: list[str]) -> dict[str, set[str]]:
    """Card type -> subtypes seen after the dash ("Artifact Creature — Golem" gives Golem to both)."""
    found: dict[str, set[str]] = {}
    for line in type_lines:
        for face in line.split(" // "):
            left, dash, right = face.partition(" — ")
            if not dash:
                continue
            types = left.split()
            subtypes = right.split()
            if "Planeswalker" in types or "Creature" in types:
                subtypes = [right.strip()] if "Planeswalker" in types else subtypes
            for card_type in types:
                found.setdefault("Instant" if card_type == "Sorcery" else card_type, set()).update(subtypes)
    # Multi-word creature types (Time Lord) are kept whole when the rules list them.
    return found


async def _compute(repo: ScryfallCatalogRepository, name: str) -> list[str]:
    cr = rules()
    if name == "card-names":
        return _sorted(await repo.card_names())
    if name == "artist-names":
        return _sorted(a.strip() for artists in await repo.artist_names() for a in re.split(r" & | and ", artists))
    if name == "word-bank":
        return _sorted(w for n in await repo.card_names() for w in re.split(r"[\s/]+", n) if w)
    if name in STAT_CATALOGS:
        return _sorted(await repo.stat_values(STAT_CATALOGS[name]))
    if name == "watermarks":
        return _sorted(await repo.watermarks())
    if name in ("supertypes", "card-types"):
        return _sorted(cr[name])
    if name in SUBTYPE_CATALOGS:
        seen = _subtypes(await repo.type_lines()).get(SUBTYPE_CATALOGS[name], set())
        if name == "creature-types":
            seen = {s for s in seen if s in cr[name] or " " not in s}
        if name == "planeswalker-types":
            seen = {s.split()[0] for s in seen if s}
        return _sorted([*cr[name], *seen])
    keywords = set(await repo.keywords())
    actions = {k.casefold() for k in cr["keyword-actions"]}
    words = {k.casefold() for k in cr["ability-words"]}
    if name == "keyword-actions":
        return _sorted([*cr[name], *(k for k in keywords if k.casefold() in actions)])
    if name == "ability-words":
        return _sorted([*cr[name], *(k for k in keywords if k.casefold() in words)])
    if name == "keyword-abilities":
        return _sorted([*cr[name], *(k for k in keywords if k.casefold() not in actions | words)])
    # flavor-words: "Words — " at the start of a line that is neither an ability word nor a keyword.
    known = words | {k.casefold() for k in cr["keyword-abilities"]} | {k.casefold() for k in keywords}
    return _sorted(w for w in await repo.flavor_word_candidates()
                   if w.casefold() not in known and not w.casefold().startswith(("choose", "when", "as ")))


@service("scryfall_compat.catalog.get", repositories=["scryfall_catalog"], scope="autocommit")
async def get_catalog(*, scryfall_catalog_repository: ScryfallCatalogRepository, redis, name: str) -> str:
    if name not in CATALOGS:
        raise NotFoundError(f"No catalog named {name!r}.", details={"name": name})
    key = None
    if redis is not None:
        key = f"automana:scryfall:catalog:{name}:{await scryfall_catalog_repository.version()}"
        try:
            cached = await redis.get(key)
        except RedisError:   # the cache is an optimisation: without Redis the catalog is computed
            cached = key = None
        if cached is not None:
            return cached.decode()
    text = catalog_text(api_uri(f"/catalog/{name}"), await _compute(scryfall_catalog_repository, name))
    if key is not None:
        try:
            await redis.set(key, text.encode(), ex=CACHE_SECONDS)
        except RedisError:
            pass
    return text
