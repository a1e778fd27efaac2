"""Large collection imports run as background jobs: a run id, its status route, a real worker, and a job
that is safe to run twice."""
from __future__ import annotations

import asyncio

import pytest

from tests.fixtures.collection import BASE, BOLT_4ED, SOL_RING

BIG_LIST = b"// a deck list larger than the inline limit\n" + b"1 Lightning Bolt (4ED) 208\n" * 60 + b"2 Sol Ring\n"


@pytest.fixture
def settings(settings, tmp_path):
    return settings.model_copy(update={"data_dir": tmp_path, "collection_inline_import_bytes": 1024})


async def start_import(client, user, cid: str, content: bytes, **params) -> dict:
    response = await client.post(f"{BASE}/{cid}/import", params=params, files={"file": ("deck.txt", content)},
                                 headers=user.headers)
    assert response.status_code == 202, response.text
    accepted = response.json()["data"]
    assert accepted["status"] == "pending" and accepted["size_bytes"] == len(content)
    assert accepted["status_url"] == f"{BASE}/{cid}/imports/{accepted['run_id']}"
    return accepted


async def wait_for(client, user, url: str) -> dict:
    for _ in range(300):
        status = (await client.get(url, headers=user.headers)).json()["data"]
        if status["status"] in ("succeeded", "failed"):
            return status
        await asyncio.sleep(0.2)
    raise AssertionError(f"the import did not finish: {status}")


async def test_large_import_runs_in_the_worker(client, owner, new_collection, celery_worker, settings):
    cid = (await new_collection(owner))["collection_id"]
    accepted = await start_import(client, owner, cid, BIG_LIST)
    status = await wait_for(client, owner, accepted["status_url"])
    assert status["status"] == "succeeded", status
    report = status["report"]
    assert (report["rows"], report["resolved"], report["added"], report["applied"]) == (61, 61, 2, True)
    assert report["guesses"][0]["line"] == 62
    entries = (await client.get(f"{BASE}/{cid}/entries", headers=owner.headers)).json()["data"]
    assert {(e["card_id"], e["quantity"]) for e in entries} == {(BOLT_4ED, 60), (SOL_RING, 2)}
    assert list(settings.collection_import_dir.iterdir()) == []      # the file is removed once imported


async def test_job_is_safe_to_run_twice_and_owner_only(client, owner, other_user, new_collection, service_manager,
                                                      db):
    cid = (await new_collection(owner))["collection_id"]
    accepted = await start_import(client, owner, cid, BIG_LIST)
    first = await service_manager.execute_service("user_collection.import.run", run_id=accepted["run_id"])
    again = await service_manager.execute_service("user_collection.import.run", run_id=accepted["run_id"])
    assert first["status"] == again["status"] == "succeeded"
    # The job left the new contents' value and value series computed, for the owner's first reads.
    with db.cursor() as cur:
        cur.execute("SELECT s.contents_version = c.contents_version, h.contents_version = c.contents_version"
                    " FROM user_collection.collections c"
                    " JOIN user_collection.value_summary s USING (collection_id)"
                    " JOIN user_collection.value_history_state h USING (collection_id)"
                    " WHERE c.collection_id = %s", (cid,))
        assert cur.fetchone() == (True, True)
    entries = (await client.get(f"{BASE}/{cid}/entries", headers=owner.headers)).json()["data"]
    assert {(e["card_id"], e["quantity"]) for e in entries} == {(BOLT_4ED, 60), (SOL_RING, 2)}   # not doubled
    status = (await client.get(accepted["status_url"], headers=owner.headers)).json()["data"]
    assert status["progress"] == {"stage": "done"} and status["report"]["added"] == 2
    assert (await client.get(accepted["status_url"], headers=other_user.headers)).status_code == 404
    other = (await new_collection(owner, name="Other"))["collection_id"]
    assert (await client.get(f"{BASE}/{other}/imports/{accepted['run_id']}", headers=owner.headers)).status_code == 404


async def test_a_failing_job_reports_its_problems_and_changes_nothing(client, owner, new_collection,
                                                                      service_manager):
    cid = (await new_collection(owner))["collection_id"]
    accepted = await start_import(client, owner, cid, BIG_LIST + b"3 No Such Card Anywhere\n")
    result = await service_manager.execute_service("user_collection.import.run", run_id=accepted["run_id"])
    assert result["status"] == "failed"
    status = (await client.get(accepted["status_url"], headers=owner.headers)).json()["data"]
    assert status["status"] == "failed" and "nothing was changed" in status["error"]
    assert status["error_details"]["problems"][0]["line"] == 63
    assert (await client.get(f"{BASE}/{cid}/entries", headers=owner.headers)).json()["data"] == []
