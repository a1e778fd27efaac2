"""POST /collection/{id}/import and GET /collection/{id}/export: formats, resolution, reports, add/sync,
dry runs, all-or-nothing, bad input, round trips, and large files as background jobs."""
from __future__ import annotations


import pytest

from backend.new_services.user_collection.formats import FIELD_SUPPORT, FORMAT_NAMES
from tests.fixtures.collection import (
    BASE,
    BOLT_4ED,
    BOLT_FBB,
    COUNTERSPELL_ETCHED,
    GOYF_FUT,
    GOYF_MM2,
    LOTUS,
    PONDER,
    SOL_RING,
)


async def import_file(client, user, cid: str, content: bytes, expect: int = 200, filename: str = "file.csv",
                      **params) -> dict:
    response = await client.post(f"{BASE}/{cid}/import", params={k: str(v).lower() if isinstance(v, bool) else v
                                                                  for k, v in params.items()},
                                 files={"file": (filename, content)}, headers=user.headers)
    assert response.status_code == expect, response.text
    return response.json()


async def entries_of(client, user, cid: str) -> list[dict]:
    response = await client.get(f"{BASE}/{cid}/entries", params={"limit": 200}, headers=user.headers)
    assert response.status_code == 200
    return response.json()["data"]


def summary(entries: list[dict]) -> set[tuple]:
    return {(e["card_id"], e["finish"], e["condition"], e["language"], e["quantity"]) for e in entries}


DECK_LIST = b"""Deck
4 Lightning Bolt (4ED) 208
1x Sol Ring
1 Ponder (M12) 73 *F*

Sideboard
2 Tarmogoyf (MM2) 165
SB: 1 Black Lotus
"""


async def test_deck_list_import_reports_guesses(client, owner, new_collection):
    cid = (await new_collection(owner))["collection_id"]
    report = (await import_file(client, owner, cid, DECK_LIST, filename="deck.txt"))["data"]
    assert report["format"] == "text" and report["applied"] is True
    assert (report["rows"], report["resolved"], report["unresolved"]) == (5, 5, 0)
    assert report["resolved_by"] == {"set_number": 3, "name_guess": 2}
    assert [(g["line"], g["row"]["text"]) for g in report["guesses"]] == [(3, "1x Sol Ring"), (8, "SB: 1 Black Lotus")]
    assert (report["added"], report["changed"], report["removed"]) == (5, 0, 0)
    assert summary(await entries_of(client, owner, cid)) == {
        (BOLT_4ED, "nonfoil", "NM", "en", 4), (SOL_RING, "nonfoil", "NM", "en", 1),
        (PONDER, "foil", "NM", "en", 1), (GOYF_MM2, "nonfoil", "NM", "en", 2), (LOTUS, "nonfoil", "NM", "en", 1)}
    again = (await import_file(client, owner, cid, DECK_LIST, filename="deck.txt"))["data"]
    assert (again["added"], again["changed"]) == (0, 5)                 # add mode: copies added
    bolt = next(e for e in await entries_of(client, owner, cid) if e["card_id"] == BOLT_4ED)
    assert bolt["quantity"] == 8


async def test_unresolved_rows_fail_the_import_unless_skipped(client, owner, new_collection, add_entry):
    cid = (await new_collection(owner))["collection_id"]
    await add_entry(owner, cid, LOTUS)
    csv = (b"Count,Name,Edition,Collector Number,Foil\n"
           b"4,Lightning Bolt,4ed,208,\n"
           b"1,Not A Real Card,zzz,1,\n"
           b"1,Lightning Bolt,4ed,208,foil\n"
           b"2,Tarmogoyf,fut,153,foil\n")
    refused = await import_file(client, owner, cid, csv, expect=422)
    error = refused["error"]
    assert error["code"] == "import_has_problems" and "nothing was changed" in error["message"]
    problems = error["details"]["problems"]
    assert [(p["line"], p["column"]) for p in problems] == [(3, "name"), (4, "finish")]
    assert "no printing ZZZ #1" in problems[0]["reason"] and "no card named 'Not A Real Card'" in problems[0]["reason"]
    assert problems[0]["row"]["Name"] == "Not A Real Card"
    assert "has no foil finish; it comes as nonfoil" in problems[1]["reason"]
    assert summary(await entries_of(client, owner, cid)) == {(LOTUS, "nonfoil", "NM", "en", 1)}   # all or nothing
    done = (await import_file(client, owner, cid, csv, skip_unresolved=True))["data"]
    assert (done["resolved"], done["unresolved"], done["added"]) == (2, 2, 2)
    assert [p["line"] for p in done["problems"]] == [3, 4]
    assert summary(await entries_of(client, owner, cid)) == {
        (LOTUS, "nonfoil", "NM", "en", 1), (BOLT_4ED, "nonfoil", "NM", "en", 4), (GOYF_FUT, "foil", "NM", "en", 2)}


@pytest.mark.parametrize(("content", "status", "line", "column", "words"), [
    (b"Count,Name,Edition\n4,Lightning Bolt,4ed\n1,\"Broken,4ed\n", 400, 3, None, "never closed"),
    (b"Count,Name,Edition\n4,Lightning Bolt,4ed\n1,Caf\xe9,4ed\n", 400, 3, None, "not valid UTF-8"),
    (b"Foo,Bar,Baz\n1,2,3\n", 400, 1, None, "matches no collection format"),
    (b"Count,Name,Edition\n4,Lightning Bolt,4ed\n-2,Sol Ring,c18\n", 422, 3, "Count", "negative"),
    (b"Count,Name,Edition\n100001,Lightning Bolt,4ed\n", 422, 2, "Count", "more than"),
    (b"Count,Name,Edition,Condition\n4,Lightning Bolt,4ed,Mangled\n", 422, 2, "Condition", "unknown condition"),
    (b"Count,Name,Edition,Purchase Price\n4,Lightning Bolt,4ed,cheap\n", 422, 2, "Purchase Price", "not a number"),
])
async def test_bad_input_names_line_and_column_and_writes_nothing(client, owner, new_collection, content, status,
                                                                   line, column, words):
    cid = (await new_collection(owner))["collection_id"]
    answer = await import_file(client, owner, cid, content, expect=status)
    error = answer["error"]
    if status == 400:
        assert error["details"]["line"] == line and words in error["message"]
    else:
        problem = error["details"]["problems"][0]
        assert (problem["line"], problem["column"]) == (line, column) and words in problem["reason"]
    assert await entries_of(client, owner, cid) == []


async def test_sync_and_dry_run(client, owner, new_collection, add_entry):
    cid = (await new_collection(owner))["collection_id"]
    await add_entry(owner, cid, BOLT_4ED, quantity=2)
    await add_entry(owner, cid, SOL_RING)
    await add_entry(owner, cid, GOYF_FUT, condition="LP")
    before = summary(await entries_of(client, owner, cid))
    csv = (b"Count,Name,Edition,Collector Number,Condition\n"
           b"3,Lightning Bolt,4ed,208,Near Mint\n"
           b"1,Sol Ring,c18,222,Near Mint\n"
           b"1,Ponder,m12,73,Near Mint\n")
    preview = (await import_file(client, owner, cid, csv, mode="sync", dry_run=True))["data"]
    assert preview["applied"] is False and preview["dry_run"] is True
    assert (preview["added"], preview["changed"], preview["removed"], preview["unchanged"]) == (1, 1, 1, 1)
    actions = {(c["action"], c["name"], c["quantity_before"], c["quantity_after"]) for c in preview["changes"]}
    assert actions == {("change", "Lightning Bolt", 2, 3), ("add", "Ponder", 0, 1), ("remove", "Tarmogoyf", 1, 0)}
    assert summary(await entries_of(client, owner, cid)) == before      # the dry run wrote nothing
    applied = (await import_file(client, owner, cid, csv, mode="sync"))["data"]
    assert applied["applied"] is True
    assert summary(await entries_of(client, owner, cid)) == {
        (BOLT_4ED, "nonfoil", "NM", "en", 3), (SOL_RING, "nonfoil", "NM", "en", 1), (PONDER, "nonfoil", "NM", "en", 1)}
    # A deck list synced back keeps the grade of the only entry of a printing.
    await client.put(f"{BASE}/{cid}/entries/{(await entries_of(client, owner, cid))[0]['entry_id']}",
                     json={"condition": "LP"}, headers=owner.headers)
    listed = b"3 Lightning Bolt (4ED) 208\n1 Sol Ring (C18) 222\n1 Ponder (M12) 73\n"
    same = (await import_file(client, owner, cid, listed, filename="deck.txt", mode="sync"))["data"]
    assert (same["added"], same["changed"], same["removed"], same["unchanged"]) == (0, 0, 0, 3)


async def test_dry_run_with_problems_previews_them(client, owner, new_collection):
    cid = (await new_collection(owner))["collection_id"]
    preview = (await import_file(client, owner, cid, b"4 Lightning Bolt\n1 Nonexistent Card\n", filename="d.txt",
                                 dry_run=True))["data"]
    assert preview["unresolved"] == 1 and preview["problems"][0]["line"] == 2 and preview["added"] == 1
    assert await entries_of(client, owner, cid) == []


ROUND_TRIP_ENTRIES = [
    {"card_id": BOLT_4ED, "quantity": 4, "condition": "LP", "purchase_price": "1.25", "tags": ["burn"],
     "acquired_at": "2024-05-01"},
    {"card_id": BOLT_4ED, "quantity": 1, "language": "ja"},
    {"card_id": BOLT_FBB, "quantity": 2, "condition": "MP"},
    {"card_id": GOYF_FUT, "finish": "foil", "condition": "HP", "purchase_price": "80"},
    {"card_id": GOYF_MM2, "quantity": 3, "tags": ["modern", "green"]},
    {"card_id": SOL_RING, "condition": "DMG"},
    {"card_id": COUNTERSPELL_ETCHED, "finish": "etched"},
]
COMPARED = {"condition": "condition", "language": "language", "purchase_price": "purchase_price",
            "tags": "tags", "acquired_at": "acquired_at"}


def comparable(entry: dict, fields: frozenset) -> tuple:
    key = [entry["card_id"], entry["finish"], entry["quantity"]]
    for field, column in COMPARED.items():
        if field in fields:
            value = entry[column]
            key.append(tuple(sorted(value)) if isinstance(value, list) else value)
    return tuple(key)


@pytest.mark.parametrize("format_name", FORMAT_NAMES)
async def test_round_trip(client, owner, new_collection, format_name):
    source = (await new_collection(owner, name="Source"))["collection_id"]
    target = (await new_collection(owner, name="Target"))["collection_id"]
    # An etched-only printing comes back etched even from formats that write "foil" for it.
    items = list(ROUND_TRIP_ENTRIES)
    if "language" not in FIELD_SUPPORT[format_name]:
        items = [item for item in items if "language" not in item]   # its identity would be lost
    response = await client.post(f"{BASE}/{source}/entries/bulk", json={"add": items}, headers=owner.headers)
    assert response.status_code == 200, response.text
    exported = await client.get(f"{BASE}/{source}/export", params={"format": format_name}, headers=owner.headers)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/plain" if format_name == "text" else "text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    report = (await import_file(client, owner, target, exported.content,
                                format="auto" if format_name != "text" else "text"))["data"]
    assert report["format"] == format_name and report["unresolved"] == 0 and report["guesses"] == [], report
    fields = FIELD_SUPPORT[format_name]
    assert ({comparable(e, fields) for e in await entries_of(client, owner, target)}
            == {comparable(e, fields) for e in await entries_of(client, owner, source)})


async def test_export_streams_many_pages(client, owner, new_collection, monkeypatch):
    import backend.new_services.user_collection.export_service as export_service

    monkeypatch.setattr(export_service, "EXPORT_PAGE_ROWS", 2)
    cid = (await new_collection(owner))["collection_id"]
    items = [{"card_id": card} for card in (BOLT_4ED, BOLT_FBB, GOYF_FUT, GOYF_MM2, SOL_RING)]
    await client.post(f"{BASE}/{cid}/entries/bulk", json={"add": items}, headers=owner.headers)
    exported = await client.get(f"{BASE}/{cid}/export", params={"format": "manabox"}, headers=owner.headers)
    lines = exported.text.splitlines()
    assert lines[0].startswith("Name,Set code,Set name") and len(lines) == 6
    assert [line.split(",")[0] for line in lines[1:]] == ["Lightning Bolt", "Lightning Bolt", "Sol Ring",
                                                        "Tarmogoyf", "Tarmogoyf"]
    unknown = await client.get(f"{BASE}/{cid}/export", params={"format": "excel"}, headers=owner.headers)
    assert unknown.status_code == 422


async def test_import_refusals(client, owner, new_collection):
    cid = (await new_collection(owner))["collection_id"]
    raw = await client.post(f"{BASE}/{cid}/import", content=b"4 Lightning Bolt\n",
                            headers={**owner.headers, "content-type": "text/plain"})
    assert raw.status_code == 200 and raw.json()["data"]["added"] == 1
    pdf = await client.post(f"{BASE}/{cid}/import", content=b"%PDF", headers={**owner.headers,
                                                                           "content-type": "application/pdf"})
    assert pdf.status_code == 415
    empty = await client.post(f"{BASE}/{cid}/import", files={"file": ("a.csv", b"")}, headers=owner.headers)
    assert empty.status_code == 400
    blank = await client.post(f"{BASE}/{cid}/import", files={"file": ("a.csv", b"\n\n")}, headers=owner.headers)
    assert blank.status_code == 400 and blank.json()["error"]["code"] == "invalid_collection_file"
    wrong = await client.post(f"{BASE}/{cid}/import", params={"format": "manabox"},
                              files={"file": ("a.csv", b"Count,Name\n1,Sol Ring\n")}, headers=owner.headers)
    assert wrong.status_code == 400 and "not a ManaBox CSV" in wrong.json()["error"]["message"]


async def test_an_import_past_the_upload_quota_is_refused_before_it_is_stored(client, owner, new_collection, settings):
    cid = (await new_collection(owner))["collection_id"]
    settings.upload_quota_bytes = 1024 * 1024
    big = b"4 Lightning Bolt\n" * 70_000   # ~1.1 MiB, declared in Content-Length
    refused = await client.post(f"{BASE}/{cid}/import", content=big,
                                headers={**owner.headers, "content-type": "text/plain"})
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "upload_quota" and error["details"]["quota_bytes"] == 1024 * 1024
    folder = settings.collection_import_dir
    assert not folder.exists() or [p for p in folder.iterdir() if p.is_file()] == []
    assert await entries_of(client, owner, cid) == []
