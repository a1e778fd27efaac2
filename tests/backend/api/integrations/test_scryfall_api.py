"""/api/integrations/scryfall/runs: admin only; trigger enqueues the Celery chain; list and detail."""
from __future__ import annotations

import json

import pytest

from tests.fixtures.scryfall import write_bulk, sample_cards

RUNS = "/api/integrations/scryfall/runs"


@pytest.mark.parametrize(("method", "path"), [("post", RUNS), ("get", RUNS), ("get", f"{RUNS}/1")])
async def test_routes_require_admin(client, method, path):
    response = await getattr(client, method)(path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    wrong = await getattr(client, method)(path, headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 401


async def test_trigger_enqueues_the_pipeline_chain(client, admin_headers, redis_client, db):
    response = await client.post(RUNS, json={"bulk_type": "default_cards"}, headers=admin_headers)
    assert response.status_code == 202
    data = response.json()["data"]
    assert data["status"] == "pending" and data["task_id"]
    with db.cursor() as cur:
        cur.execute("SELECT status, triggered_by, params->>'bulk_type' FROM ops.ingestion_runs WHERE id = %s",
                    (data["run_id"],))
        status, triggered_by, bulk_type = cur.fetchone()
    assert (status, bulk_type) == ("pending", "default_cards")
    assert triggered_by.startswith("api:")   # the admin who asked
    messages = [json.loads(m) for m in redis_client.lrange("celery", 0, -1)]
    assert [m["headers"]["task"] for m in messages] == ["automana.scryfall.fetch_metadata"]
    assert messages[0]["headers"]["argsrepr"] == f"({data['run_id']},)"

    again = await client.post(RUNS, headers=admin_headers)
    assert again.status_code == 409
    assert again.json()["error"]["details"] == {"run_id": data["run_id"]}


async def test_trigger_validates_the_body(client, admin_headers):
    response = await client.post(RUNS, json={"bulk_type": "everything"}, headers=admin_headers)
    assert response.status_code == 422
    unknown = await client.post(RUNS, json={"surprise": 1}, headers=admin_headers)
    assert unknown.status_code == 422


async def test_list_and_read_runs(client, admin_headers, service_manager, tmp_path, scryfall_env):
    path = write_bulk(tmp_path / "cards.json.gz", sample_cards(6))
    for _ in range(3):
        await service_manager.execute_service("integrations.scryfall.load_file", path=str(path), triggered_by="test")
    page = await client.get(RUNS, params={"limit": 2}, headers=admin_headers)
    assert page.status_code == 200
    body = page.json()
    assert body["pagination"] == {"limit": 2, "offset": 0, "total_count": 3, "has_next": True, "has_previous": False}
    assert [r["id"] for r in body["data"]] == [3, 2]
    assert body["data"][1]["counts"]["unchanged"] == 6
    filtered = await client.get(RUNS, params={"status": "failed"}, headers=admin_headers)
    assert filtered.json()["pagination"]["total_count"] == 0

    detail = await client.get(f"{RUNS}/1", headers=admin_headers)
    assert detail.status_code == 200
    run = detail.json()["data"]
    assert run["status"] == "succeeded" and run["counts"]["inserted"] == 6
    assert [s["name"] for s in run["steps"]] == ["load_cards"]
    assert run["steps"][0]["counts"]["inserted"] == 6
    assert run["resources"][0]["sha256"]

    missing = await client.get(f"{RUNS}/999", headers=admin_headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["details"] == {"run_id": 999}
    bad = await client.get(f"{RUNS}/abc", headers=admin_headers)
    assert bad.status_code == 422
