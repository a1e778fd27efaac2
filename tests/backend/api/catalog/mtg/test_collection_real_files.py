"""Importing the real exports in ../shared/data/csv against a catalog of the real printings they name
(taken from the Scryfall files in ../shared/data/scryfall); skipped when the data is absent."""
from __future__ import annotations

import gzip
from collections import Counter

import ijson
import pytest

from backend.new_services.user_collection.formats import ImportRow, read_collection
from tests.fixtures.collection import BASE

pytestmark = pytest.mark.real_data

FORMATS = {
    "archidekt-3.csv": "archidekt", "manabox-10.csv": "manabox", "moxfield-export-1834.csv": "moxfield",
    "sample-archidekt.csv": "archidekt", "sample-helvault.csv": "helvault", "sample-moxfield.csv": "moxfield",
    "sample-mtggoldfish.csv": "mtggoldfish", "tcgplayer-15.csv": "tcgplayer",
}
SCRYFALL_FILES = ("default-cards-2019.json.gz", "cards-2022-2026.json.gz")


def file_rows(shared_data, name: str) -> list[ImportRow]:
    with open(shared_data / "csv" / name, "rb") as stream:
        return [row for row in read_collection(stream) if isinstance(row, ImportRow)]


@pytest.fixture(scope="session")
def real_printings(shared_data) -> list[dict]:
    """The printings of the Scryfall files whose name (or a face's) or id a CSV names."""
    names, ids = set(), set()
    for name in FORMATS:
        for row in file_rows(shared_data, name):
            names.add((row.name or "").lower())
            ids.add(str(row.scryfall_id))
    chosen = []
    for file in SCRYFALL_FILES:
        with gzip.open(shared_data / "scryfall" / file, "rb") as stream:
            for card in ijson.items(stream, "item", use_float=True):
                faces = {face.get("name", "").lower() for face in card.get("card_faces") or []}
                if card["id"] in ids or card["name"].lower() in names or faces & names:
                    chosen.append(card)
    return chosen


async def test_real_exports_import(client, service_manager, make_user, shared_data, real_printings):
    counts = await service_manager.execute_service("card_catalog.catalog_load.load_cards", cards=real_printings)
    assert counts.inserted > 100
    owner = await make_user()
    printings = {(card["set"], card["collector_number"]) for card in real_printings}
    for name, expected_format in FORMATS.items():
        created = await client.post(f"{BASE}/", json={"name": name}, headers=owner.headers)
        cid = created.json()["data"]["collection_id"]
        content = (shared_data / "csv" / name).read_bytes()
        preview = await client.post(f"{BASE}/{cid}/import", params={"dry_run": "true"},
                                    files={"file": (name, content)}, headers=owner.headers)
        assert preview.status_code == 200, preview.text
        assert (await client.get(f"{BASE}/{cid}", headers=owner.headers)).json()["data"]["entry_count"] == 0
        response = await client.post(f"{BASE}/{cid}/import", params={"skip_unresolved": "true"},
                                     files={"file": (name, content)}, headers=owner.headers)
        assert response.status_code == 200, response.text
        report = response.json()["data"]
        rows = file_rows(shared_data, name)
        assert report["format"] == expected_format and report["rows"] == len(rows)
        assert report["resolved"] + report["unresolved"] == len(rows) and report["resolved"] > 0, (name, report)
        problem_lines = {p["line"] for p in report["problems"]}
        assert len(problem_lines) == report["unresolved"]
        assert all(p["reason"] and p["row"] for p in report["problems"])
        # What was written is exactly the resolved rows' copies.
        imported = sum(row.quantity for row in rows if row.line not in problem_lines)
        collection = (await client.get(f"{BASE}/{cid}", headers=owner.headers)).json()["data"]
        assert collection["card_count"] == imported, name
        if expected_format == "moxfield":
            # Every row whose set code and collector number name a loaded printing is matched by them.
            by_number = sum(1 for row in rows if (row.set_code, row.collector_number) in printings)
            assert report["resolved_by"].get("set_number", 0) == by_number
        if expected_format in ("manabox", "helvault", "mtggoldfish"):
            loaded_ids = {card["id"] for card in real_printings}
            with_id = sum(1 for row in rows if str(row.scryfall_id) in loaded_ids)
            assert report["resolved_by"].get("scryfall_id", 0) == with_id > 0
        if expected_format == "tcgplayer":
            assert Counter(report["resolved_by"]) and report["unresolved"] < len(rows)
