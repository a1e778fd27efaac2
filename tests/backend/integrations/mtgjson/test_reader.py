"""The MTGJSON per-set reader: records, face merging, rulings, rejects and file errors on inline
files; counts on a few real files checked against a plain orjson reading of the same files."""
from __future__ import annotations

import datetime as dt
import gzip
import uuid
from collections import Counter

import orjson
import pytest

from backend.integrations.mtgjson import reader
from backend.integrations.mtgjson.reader import (MtgjsonCardIds, MtgjsonFace, MtgjsonFileError,
                                                 MtgjsonReadStats, MtgjsonReject, MtgjsonRuling, MtgjsonSet,
                                                 iter_set_files, read_set_directory, read_set_file)

SF1, SF2, SF3 = "0000579f-7b35-4ed3-b44c-db2a538066fe", "00006596-1166-4a79-8443-ca9f82e6db4e", \
    "0000a54c-a511-4925-92dc-01b937f9afad"
ORACLE = "44623693-51d6-49ad-8cd7-140505caf02f"


def card(scryfall_id: str | None = SF1, **fields) -> dict:
    identifiers = fields.pop("identifiers", {})
    if scryfall_id is not None:
        identifiers = {"scryfallId": scryfall_id, "scryfallOracleId": ORACLE, **identifiers}
    return {"uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{scryfall_id}{fields}")), "name": "Shock",
            "number": "1", "setCode": "TST", "finishes": ["nonfoil", "foil"], "identifiers": identifiers,
            "rulings": [], **fields}


def write_set(folder, cards=(), tokens=(), name="TST.json.gz", **set_fields):
    data = {"code": "TST", "name": "Test Set", "type": "expansion", "releaseDate": "2022-04-29",
            "baseSetSize": 2, "totalSetSize": 3, "isOnlineOnly": False, "isFoilOnly": False,
            "keyruneCode": "TST", "cards": list(cards), "tokens": list(tokens), **set_fields}
    raw = orjson.dumps({"meta": {"version": "5.2.0"}, "data": data})
    path = folder / name
    path.write_bytes(gzip.compress(raw) if name.endswith(".gz") else raw)
    return path


def by_type(records) -> dict[type, list]:
    grouped: dict[type, list] = {}
    for record in records:
        grouped.setdefault(type(record), []).append(record)
    return grouped


def test_set_record_fields(tmp_path):
    path = write_set(tmp_path, block="Kamigawa", parentCode="NEO", tcgplayerGroupId=2965, mcmId="3908",
                     mcmName="Neon Dynasty", isNonFoilOnly=True, mtgoCode="TST")
    [record] = [r for r in read_set_file(path) if isinstance(r, MtgjsonSet)]
    assert record == MtgjsonSet("tst", "Test Set", "expansion", dt.date(2022, 4, 29), "Kamigawa", "neo", 2, 3,
                                False, False, True, False, 2965, 3908, "Neon Dynasty", "TST", "TST")


def test_card_identifiers_become_integers_and_invalid_ones_are_counted(tmp_path):
    ids = {"tcgplayerProductId": "262654", "mcmId": "622104", "mcmMetaId": "abc", "cardKingdomId": "-5",
           "cardKingdomFoilId": "0", "multiverseId": "548380", "mtgoId": 12.5, "mtgArenaId": "79565",
           "tcgplayerEtchedProductId": "1" * 19, "scryfallIllustrationId": "not-a-uuid"}
    stats = MtgjsonReadStats()
    records = by_type(read_set_file(write_set(tmp_path, [card(identifiers=ids, setCode="NEO")]), stats=stats))
    [ids_row] = records[MtgjsonCardIds]
    assert ids_row.scryfall_id == uuid.UUID(SF1) and ids_row.oracle_id == uuid.UUID(ORACLE)
    assert (ids_row.set_code, ids_row.number, ids_row.name, ids_row.is_token) == ("neo", "1", "Shock", False)
    assert (ids_row.tcgplayer_product_id, ids_row.mcm_id, ids_row.multiverse_id, ids_row.arena_id) == \
        (262654, 622104, 548380, 79565)
    assert (ids_row.mcm_meta_id, ids_row.card_kingdom_id, ids_row.card_kingdom_foil_id, ids_row.mtgo_id,
            ids_row.tcgplayer_etched_product_id, ids_row.illustration_id) == (None,) * 6
    assert ids_row.finishes == ("nonfoil", "foil") and ids_row.language is None
    assert stats.invalid_values == Counter({"mcmMetaId": 1, "cardKingdomId": 1, "cardKingdomFoilId": 1,
                                            "mtgoId": 1, "tcgplayerEtchedProductId": 1,
                                            "scryfallIllustrationId": 1})


def test_language_finishes_fallback_and_tokens(tmp_path):
    path = write_set(tmp_path, [card(language="Japanese", finishes=None, hasFoil=True, hasNonFoil=False)],
                     tokens=[card(SF2, setCode="TTST", name="Goblin")])
    records = by_type(read_set_file(path))
    first, token = records[MtgjsonCardIds]
    assert (first.language, first.finishes) == ("ja", ("foil",))
    assert (token.is_token, token.set_code, token.name) == (True, "ttst", "Goblin")


def test_faces_of_one_card_are_merged_into_one_printing(tmp_path):
    front = card(side="a", name="Fire // Ice", identifiers={"multiverseId": "27165", "mtgjsonV4Id": SF3,
                                                             "scryfallIllustrationId": SF2})
    back = card(side="b", name="Fire // Ice", identifiers={"multiverseId": "27166", "cardKingdomId": "123"})
    stats = MtgjsonReadStats()
    records = by_type(read_set_file(write_set(tmp_path, [front, back]), stats=stats))
    [printing] = records[MtgjsonCardIds]
    assert (printing.multiverse_id, printing.card_kingdom_id, printing.illustration_id) == \
        (27165, 123, uuid.UUID(SF2))
    assert printing.mtgjson_uuid == uuid.UUID(front["uuid"])
    assert records[MtgjsonFace] == [MtgjsonFace(uuid.UUID(front["uuid"]), uuid.UUID(SF3), uuid.UUID(SF1), "a"),
                                    MtgjsonFace(uuid.UUID(back["uuid"]), None, uuid.UUID(SF1), "b")]
    assert (stats.printings, stats.faces) == (1, 2)


@pytest.mark.parametrize("entry, reason", [
    (card(None), "missing_scryfall_id"),
    ({"uuid": "x", "name": "No identifiers"}, "missing_scryfall_id"),
    (card("not-a-uuid"), "invalid_scryfall_id"),
    (card(12345), "invalid_scryfall_id"),
    ("a string, not a card", "not_an_object"),
])
def test_a_card_without_a_valid_scryfall_id_is_rejected_not_raised(tmp_path, entry, reason):
    stats = MtgjsonReadStats()
    records = by_type(read_set_file(write_set(tmp_path, [entry, card(SF2)]), stats=stats))
    [reject] = records[MtgjsonReject]
    assert (reject.file, reject.set_code, reject.reason) == ("TST.json.gz", "tst", reason)
    assert [r.scryfall_id for r in records[MtgjsonCardIds]] == [uuid.UUID(SF2)]
    assert stats.rejects == Counter({reason: 1})


def test_rulings_are_deduplicated_per_oracle_card(tmp_path):
    rulings = [{"date": "2004-10-04", "text": "It deals 2 damage."}, {"date": "2020-01-24", "text": "Again."}]
    bad = [{"date": "someday", "text": "Bad date."}, {"date": "2021-04-16", "text": ""}]
    write_set(tmp_path, [card(SF1, rulings=rulings), card(SF2, rulings=rulings + bad)], name="A.json.gz")
    write_set(tmp_path, [card(SF3, rulings=rulings)], name="B.json", code="TSB")
    stats = MtgjsonReadStats()
    found = [r for r in read_set_directory(tmp_path, stats=stats) if isinstance(r, MtgjsonRuling)]
    assert found == [MtgjsonRuling(uuid.UUID(SF1), uuid.UUID(ORACLE), dt.date(2004, 10, 4), "It deals 2 damage.",
                                   "wotc"),
                     MtgjsonRuling(uuid.UUID(SF1), uuid.UUID(ORACLE), dt.date(2020, 1, 24), "Again.", "wotc")]
    assert (stats.rulings, stats.duplicate_rulings, stats.invalid_values["rulings"]) == (2, 4, 2)
    per_file = [r for r in read_set_directory(tmp_path, dedupe_rulings=False) if isinstance(r, MtgjsonRuling)]
    assert len(per_file) == 4      # each file once, the second printing's copies dropped within A


def test_iter_set_files_is_sorted_and_filtered(tmp_path):
    for name in ("b.json.gz", "a.json", "c.txt", "d.json.bz2", "Meta.json"):
        (tmp_path / name).write_bytes(b"{}")
    (tmp_path / "folder.json").mkdir()
    assert [p.name for p in iter_set_files(tmp_path)] == ["Meta.json", "a.json", "b.json.gz"]
    with pytest.raises(MtgjsonFileError, match="not a directory"):
        iter_set_files(tmp_path / "missing")


@pytest.mark.parametrize("content, message", [
    (gzip.compress(b'{"data": {"code": "X", "cards": ['), "invalid JSON"),
    (gzip.compress(b'{"data": {"code": "X"}}')[:-12], "cannot read"),
    (b"not gzip at all", "cannot read"),
    (gzip.compress(b'{"meta": {}}'), "no 'data' object"),
    (gzip.compress(b'[1, 2]'), "no 'data' object"),
    (gzip.compress(b'{"data": {"name": "No code"}}'), "no code"),
    (gzip.compress(b'{"data": {"code": "X", "cards": {"a": 1}}}'), "'cards' is not a list"),
])
def test_a_malformed_file_raises_one_error_naming_it(tmp_path, content, message):
    path = tmp_path / "BAD.json.gz"
    path.write_bytes(content)
    with pytest.raises(MtgjsonFileError, match=message) as error:
        list(read_set_file(path))
    assert error.value.path == path and "BAD.json.gz" in str(error.value)


def test_a_file_over_the_size_cap_is_refused(tmp_path, monkeypatch):
    path = write_set(tmp_path, [card()])
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", 100)
    with pytest.raises(MtgjsonFileError, match="not a per-set file"):
        list(read_set_file(path))


@pytest.mark.real_data
def test_real_files_match_a_plain_reading(shared_data):
    folder = shared_data / "mtgjson" / "sets-2022-04"
    names = ["10E.json.gz", "APC.json.gz", "STX.json.gz", "SLD.json.gz"]   # tokens, split, MDFCs, no oracle id
    stats = MtgjsonReadStats()
    seen: set[int] = set()
    records = by_type(r for name in names for r in read_set_file(folder / name, stats=stats, seen_rulings=seen))

    entries = []
    for name in names:
        data = orjson.loads(gzip.decompress((folder / name).read_bytes()))["data"]
        entries += [(e, kind == "tokens") for kind in ("cards", "tokens") for e in data[kind]]
    rulings = {(e["identifiers"].get("scryfallOracleId") or e["identifiers"]["scryfallId"], r["date"], r["text"])
               for e, _ in entries for r in e.get("rulings", []) if r["text"].strip()}
    by_scryfall = {}
    for entry, is_token in entries:
        by_scryfall.setdefault(entry["identifiers"]["scryfallId"], (entry, is_token))

    assert [s.code for s in records[MtgjsonSet]] == ["10e", "apc", "stx", "sld"]
    assert MtgjsonReject not in records
    assert len(records[MtgjsonFace]) == len(entries) == stats.faces
    assert len(records[MtgjsonCardIds]) == len(by_scryfall) < len(entries)
    assert len(records[MtgjsonRuling]) == len(rulings)
    for row in records[MtgjsonCardIds]:
        entry, is_token = by_scryfall[str(row.scryfall_id)]
        tcgplayer = entry["identifiers"].get("tcgplayerProductId")
        assert row.tcgplayer_product_id == (int(tcgplayer) if tcgplayer else None)
        assert (row.name, row.number, row.is_token) == (entry["name"], entry["number"], is_token)
        assert row.set_code == entry["setCode"].lower() and row.finishes == tuple(entry["finishes"])
    assert sum(row.oracle_id is None for row in records[MtgjsonCardIds]) == 5   # SLD's textless faces
    assert set(stats.invalid_values) <= {"rulings"}     # STX has a ruling with empty text
