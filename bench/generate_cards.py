"""Generate a large default_cards-format bulk file by varying real Scryfall cards.

Each pass over the source cards makes new printings: new ids, oracle ids (shared by the pass's
printings of one card, as in real data), collector numbers, names and prices. Written the way
Scryfall writes bulk files: a gzipped JSON array, one card per line. Memory stays flat.

    python bench/generate_cards.py --count 200000 --out /tmp/cards-200k.json.gz
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import sys
import uuid
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from backend.new_services.card_catalog.scryfall_loader import BulkFile  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "scryfall"
DEFAULT_SOURCES = [SHARED / "default-cards-2019.json.gz", SHARED / "cards-2022-2026.json.gz"]
NS = uuid.UUID("3c8f2d0e-8a4b-4f55-9a7e-1b2c3d4e5f60")


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


def generate(sources: list[Path], count: int, out: Path) -> int:
    written = 0
    with gzip.open(out, "wb", compresslevel=1) as f:
        f.write(b"[\n")
        for generation in itertools.count():
            seen: set[str] = set()   # a few ids occur in more than one source file: keep the first
            for source in sources:
                for card in BulkFile(source):
                    if card.get("id") in seen:
                        continue
                    seen.add(card.get("id"))
                    if written >= count:
                        f.write(b"\n]\n")
                        return written
                    f.write((b",\n" if written else b"") + orjson.dumps(vary(card, generation)))
                    written += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--source", type=Path, action="append", help="source bulk file(s); default: shared data")
    args = parser.parse_args()
    sources = args.source or [p for p in DEFAULT_SOURCES if p.is_file()]
    if not sources:
        sys.exit("no source bulk file: pass --source or provide ../shared/data/scryfall")
    written = generate(sources, args.count, args.out)
    print(f"wrote {written:,} printings to {args.out} ({args.out.stat().st_size / 1e6:.1f} MB gzipped)")


if __name__ == "__main__":
    main()
