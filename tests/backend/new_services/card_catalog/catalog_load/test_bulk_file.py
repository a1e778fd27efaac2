"""Reading bulk files: gzipped or plain arrays, JSON Lines, list objects; progress in bytes."""
from __future__ import annotations

import orjson
import pytest

from backend.new_services.card_catalog.catalog_load.bulk_file import BulkFile
from tests.fixtures.scryfall import sample_cards, write_bulk


@pytest.mark.parametrize(("gz", "one_per_line"), [(True, True), (False, True), (True, False), (False, False)])
def test_bulk_file_layouts(tmp_path, gz, one_per_line):
    cards = sample_cards(12)
    path = write_bulk(tmp_path / "cards.json", cards, gz=gz, one_per_line=one_per_line)
    bulk = BulkFile(path)
    assert [c["id"] for c in bulk] == [c["id"] for c in cards]
    assert bulk.bytes_read == bulk.size_bytes


def test_bulk_file_list_object(tmp_path):
    path = tmp_path / "page.json"
    path.write_bytes(orjson.dumps({"object": "list", "has_more": False, "data": sample_cards(5)}))
    assert len(list(BulkFile(path))) == 5


def test_bulk_file_json_lines(tmp_path):
    cards = sample_cards(7)
    path = tmp_path / "cards.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(c) for c in cards) + b"\n")
    assert [c["id"] for c in BulkFile(path)] == [c["id"] for c in cards]


def test_bulk_file_real_json_lines_sample(shared_data):
    cards = list(BulkFile(shared_data / "scryfall" / "samples" / "oracle-cards-29.jsonl"))
    assert len(cards) == 29 and all(c["object"] == "card" for c in cards)
