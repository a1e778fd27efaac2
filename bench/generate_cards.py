"""Generate a large default_cards-format bulk file by varying real Scryfall cards.

Each pass over the source cards makes new printings: new ids, oracle ids (shared by the pass's
printings of one card, as in real data), collector numbers, names and prices. Written the way
Scryfall writes bulk files: a gzipped JSON array, one card per line. Memory stays flat.

Without source files (no ../shared/data, or --synthetic) the passes vary a built-in set of
synthetic seed cards in the modern schema instead (for smoke runs and CI: no real data needed).

    python bench/generate_cards.py --count 200000 --out /tmp/cards-200k.json.gz
    python bench/generate_cards.py --count 500 --out /tmp/cards-500.json.gz --synthetic
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import random
import sys
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from backend.new_services.card_catalog.catalog_load.bulk_file import BulkFile  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "scryfall"
DEFAULT_SOURCES = [SHARED / "default-cards-2019.json.gz", SHARED / "cards-2022-2026.json.gz"]
NS = uuid.UUID("3c8f2d0e-8a4b-4f55-9a7e-1b2c3d4e5f60")
SYNTHETIC_SEEDS = 60


def _vary_price(value, factor: float):
    if not isinstance(value, str):
        return value
    try:
        return f"{float(value) * factor:.2f}"
    except ValueError:
        return value


def vary(card: dict, generation: int) -> dict:
    if generation == 0:
        return card
    card = dict(card)
    tag = f"g{generation}"
    card["id"] = str(uuid.uuid5(NS, f"{tag}:{card.get('id')}"))
    if card.get("oracle_id"):
        card["oracle_id"] = str(uuid.uuid5(NS, f"{tag}:{card['oracle_id']}"))
    if card.get("card_faces"):
        faces = []
        for face in card["card_faces"]:
            face = dict(face)
            if face.get("oracle_id"):
                face["oracle_id"] = str(uuid.uuid5(NS, f"{tag}:{face['oracle_id']}"))
            if face.get("name"):
                face["name"] = f"{face['name']} {tag}"
            faces.append(face)
        card["card_faces"] = faces
    card["name"] = f"{card.get('name')} {tag}"
    card["collector_number"] = f"{card.get('collector_number')}{tag}"
    for key in ("multiverse_ids",):
        if card.get(key):
            card[key] = [m + 10_000_000 * generation for m in card[key]]
    for key in ("mtgo_id", "mtgo_foil_id", "arena_id", "tcgplayer_id", "tcgplayer_etched_id", "cardmarket_id"):
        if isinstance(card.get(key), int):
            card[key] = card[key] + 10_000_000 * generation
    factor = 1 + (generation % 9) / 10
    if isinstance(card.get("prices"), dict):
        card["prices"] = {k: _vary_price(v, factor) for k, v in card["prices"].items()}
    return card


# -- synthetic seed cards (modern schema) ----------------------------------------------------------

_NAME_A = ("Lightning", "Ancient", "Silent", "Verdant", "Ashen", "Gilded", "Storm", "Hollow", "Radiant", "Feral")
_NAME_B = ("Drake", "Oracle", "Sentinel", "Bloom", "Revenant", "Golem", "Charm", "Pact", "Wanderer", "Tyrant")
_SUBTYPES = ("Elf Druid", "Human Wizard", "Dragon", "Zombie", "Goblin Warrior", "Angel", "Beast", "Golem")
_TEXTS = ("When this creature enters, draw a card.", "Flying", "Trample\nWhenever this creature attacks, "
          "you gain 2 life.", "{T}: Add {G}.", "Deathtouch", "Haste\nAt the beginning of your upkeep, "
          "draw a card, then discard a card.")
_SETS = (("syn", "Synthetic Core", "core", "2023-06-09"), ("sxp", "Synthetic Expansion", "expansion", "2024-02-09"),
         ("smh", "Synthetic Horizons", "draft_innovation", "2025-06-13"))
_FORMATS = ("standard", "pioneer", "modern", "legacy", "vintage", "commander", "pauper")


def _seed_card(n: int, rng: random.Random) -> dict:
    card_id = str(uuid.uuid5(NS, f"synthetic-card:{n}"))
    oracle_id = str(uuid.uuid5(NS, f"synthetic-oracle:{n}"))
    color = rng.choice("WUBRG")
    cmc = rng.randint(0, 7)
    name = f"{_NAME_A[n % 10]} {_NAME_B[(n // 10) % 10]}"
    set_code, set_name, set_type, released = _SETS[n % len(_SETS)]
    legal = {fmt: rng.choice(("legal", "legal", "not_legal")) for fmt in _FORMATS}
    card = {
        "object": "card", "id": card_id, "oracle_id": oracle_id, "multiverse_ids": [500_000 + n],
        "tcgplayer_id": 900_000 + n, "cardmarket_id": 700_000 + n, "name": name, "lang": "en",
        "released_at": released, "uri": f"https://api.scryfall.com/cards/{card_id}",
        "scryfall_uri": f"https://scryfall.com/card/{set_code}/{n}", "layout": "normal",
        "image_status": "highres_scan",
        "image_uris": {"small": f"https://cards.scryfall.io/small/front/{card_id}.jpg",
                       "normal": f"https://cards.scryfall.io/normal/front/{card_id}.jpg"},
        "mana_cost": (f"{{{cmc - 1}}}" if cmc > 1 else "") + (f"{{{color}}}" if cmc else ""), "cmc": float(cmc),
        "colors": [color] if cmc else [], "color_identity": [color], "keywords": [],
        "legalities": legal, "games": ["paper", "mtgo"], "reserved": False, "finishes": ["nonfoil", "foil"],
        "oversized": False, "promo": False, "reprint": n % 4 == 0, "variation": False,
        "set_id": str(uuid.uuid5(NS, f"synthetic-set:{set_code}")), "set": set_code, "set_name": set_name,
        "set_type": set_type, "collector_number": str(n + 1), "digital": False,
        "rarity": rng.choice(("common", "common", "uncommon", "rare", "mythic")),
        "artist": f"Synthetic Artist {n % 7}", "artist_ids": [str(uuid.uuid5(NS, f"artist:{n % 7}"))],
        "illustration_id": str(uuid.uuid5(NS, f"synthetic-art:{n}")), "border_color": "black",
        "frame": "2015", "full_art": False, "textless": False, "booster": True,
        "edhrec_rank": 1000 + n,
        "prices": {"usd": f"{rng.uniform(0.05, 40):.2f}", "usd_foil": f"{rng.uniform(0.1, 80):.2f}",
                   "usd_etched": None, "eur": f"{rng.uniform(0.05, 35):.2f}", "eur_foil": None, "tix": "0.03"},
    }
    kind = n % 6
    if kind in (0, 1, 2):
        card["type_line"] = f"Creature — {rng.choice(_SUBTYPES)}"
        card["oracle_text"] = rng.choice(_TEXTS)
        card["power"], card["toughness"] = str(rng.randint(0, 8)), str(rng.randint(1, 8))
    elif kind == 3:
        card["type_line"] = "Instant"
        card["oracle_text"] = f"{name} deals {cmc + 1} damage to any target. Draw a card."
    elif kind == 4:
        card["type_line"] = "Legendary Planeswalker — Synth"
        card["oracle_text"] = "+1: Draw a card.\n−3: Destroy target creature."
        card["loyalty"] = str(rng.randint(2, 6))
    else:   # a transforming double-faced card: the faces carry their own text
        card["layout"] = "transform"
        card["type_line"] = "Creature — Human Werewolf // Creature — Werewolf"
        del card["image_uris"]
        card["card_faces"] = [
            {"object": "card_face", "name": f"{name} Day", "mana_cost": card["mana_cost"],
             "type_line": "Creature — Human Werewolf", "oracle_text": "At the beginning of each upkeep, "
             "if no spells were cast last turn, transform this creature.", "colors": card["colors"],
             "power": "2", "toughness": "3", "artist": card["artist"],
             "image_uris": {"normal": f"https://cards.scryfall.io/normal/front/{card_id}.jpg"}},
            {"object": "card_face", "name": f"{name} Night", "mana_cost": "",
             "type_line": "Creature — Werewolf", "oracle_text": "Trample", "colors": card["colors"],
             "power": "5", "toughness": "5", "artist": card["artist"],
             "image_uris": {"normal": f"https://cards.scryfall.io/normal/back/{card_id}.jpg"}},
        ]
        card["name"] = f"{name} Day // {name} Night"
    return card


def synthetic_cards(count: int = SYNTHETIC_SEEDS) -> list[dict]:
    """Deterministic synthetic card objects (Scryfall's modern schema): the seeds when no real file is at hand."""
    rng = random.Random(20261130)
    return [_seed_card(n, rng) for n in range(count)]


def _source_cards(sources: list[Path] | None) -> Iterator[dict]:
    if not sources:
        yield from synthetic_cards()
        return
    for source in sources:
        yield from BulkFile(source)


def generate(sources: list[Path] | None, count: int, out: Path) -> int:
    """Write `count` printings to `out` (gzipped JSON array, one card per line), varying the source
    cards pass after pass; no sources (None or []) means the synthetic seed cards."""
    written = 0
    with gzip.open(out, "wb", compresslevel=1) as f:
        f.write(b"[\n")
        for generation in itertools.count():
            seen: set[str] = set()   # a few ids occur in more than one source file: keep the first
            for card in _source_cards(sources):
                if card.get("id") in seen:
                    continue
                seen.add(card.get("id"))
                if written >= count:
                    f.write(b"\n]\n")
                    return written
                f.write((b",\n" if written else b"") + orjson.dumps(vary(card, generation)))
                written += 1
            if not seen and written == 0:
                f.write(b"\n]\n")
                return 0     # empty sources: nothing to vary


def default_sources(synthetic: bool = False) -> list[Path]:
    """The shared real files that exist (none when `synthetic` or when ../shared/data is absent)."""
    return [] if synthetic else [p for p in DEFAULT_SOURCES if p.is_file()]


def write_sample(out: Path, count: int, *, synthetic: bool = False, sources: Iterable[Path] | None = None) -> int:
    """A bulk file of `count` printings for smoke runs: varied real cards when the shared data is
    there (unless `synthetic`), else synthetic ones."""
    chosen = list(sources) if sources is not None else default_sources(synthetic)
    return generate(chosen, count, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--source", type=Path, action="append", help="source bulk file(s); default: shared data")
    parser.add_argument("--synthetic", action="store_true",
                        help="vary built-in synthetic cards (the default when no shared data is present)")
    args = parser.parse_args()
    sources = args.source or default_sources(args.synthetic)
    if not sources:
        print("no source bulk file (../shared/data/scryfall absent or --synthetic): varying synthetic cards",
              file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    written = generate(sources, args.count, args.out)
    print(f"wrote {written:,} printings to {args.out} ({args.out.stat().st_size / 1e6:.1f} MB gzipped)")


if __name__ == "__main__":
    main()
