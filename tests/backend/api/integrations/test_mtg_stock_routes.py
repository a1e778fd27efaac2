"""/api/integrations/mtg_stock: admin only; POST starts a job (queued to the broker, a run in ops),
GET /load reads its status; bad selections and folders outside the import folder are refused."""
from __future__ import annotations

import shutil

import orjson
import pytest


@pytest.fixture
def settings(settings, tmp_path):
    return settings.model_copy(update={"data_dir": tmp_path})


def _queued(redis_client) -> list[tuple[str, list]]:
    messages = [orjson.loads(m) for m in redis_client.lrange("celery", 0, -1)]
    return [(m["headers"]["task"], orjson.loads(__import__("base64").b64decode(m["body"]))[0]) for m in messages]


async def test_load_starts_a_job_and_status_reads_it(client, admin_headers, user_headers, redis_client):
    anonymous = await client.post("/api/integrations/mtg_stock/load", json={"range_start": 1, "range_end": 450})
    assert anonymous.status_code == 401
    refused = await client.post("/api/integrations/mtg_stock/load", headers=user_headers,
                                json={"range_start": 1, "range_end": 450})
    assert refused.status_code == 403
    started = await client.post("/api/integrations/mtg_stock/load", headers=admin_headers,
                                json={"range_start": 1, "range_end": 450})
    assert started.status_code == 202
    data = started.json()["data"]
    assert data["prints"] == 450 and data["chunks"] == 3 and data["status"] == "pending"
    queued = _queued(redis_client)
    assert [(name, args) for name, args in queued] == [("automana.mtg_stock.load_chunk", [data["run_id"], 0])]
    status = await client.get(data["status_url"], headers=admin_headers)
    assert status.status_code == 200
    body = status.json()["data"]
    assert (body["run_id"], body["status"], body["range_start"], body["range_end"], body["chunks"]) == (
        data["run_id"], "pending", 1, 450, 3)
    # The same range again while it is pending: 409.
    again = await client.post("/api/integrations/mtg_stock/load", headers=admin_headers,
                              json={"range_start": 1, "range_end": 450})
    assert again.status_code == 409
    ids = await client.post("/api/integrations/mtg_stock/load_ids", headers=admin_headers,
                            json={"print_ids": [5, 3, 5]})
    assert ids.status_code == 202 and ids.json()["data"]["prints"] == 2


BAD_SELECTIONS = [{}, {"range_start": 5}, {"range_start": 9, "range_end": 3}, {"print_ids": []}, {"print_ids": [0]},
                  {"print_ids": [1], "range_start": 1, "range_end": 2}, {"range_start": 1, "range_end": 10_000_000},
                  {"print_ids": [1], "extra": True}]


async def test_bad_selections_are_refused(client, admin_headers):
    for body in BAD_SELECTIONS:
        response = await client.post("/api/integrations/mtg_stock/load", headers=admin_headers, json=body)
        assert response.status_code in (400, 422), (body, response.text)


async def test_status_of_an_unknown_run_is_404(client, admin_headers):
    assert (await client.get("/api/integrations/mtg_stock/load", params={"run_id": 999},
                             headers=admin_headers)).status_code == 404


async def test_stage_loads_saved_answers_from_the_import_folder(client, admin_headers, settings, service_manager,
                                                               shared_data, db, redis_client):
    folder = settings.data_dir / "mtg_stock" / "saved"
    folder.mkdir(parents=True)
    for file in (shared_data / "mtgstocks" / "prints").glob("prints_*.json"):
        shutil.copy(file, folder / file.name)
    outside = await client.post("/api/integrations/mtg_stock/stage", headers=admin_headers,
                                json={"folder": "../../etc"})
    assert outside.status_code == 400
    missing = await client.post("/api/integrations/mtg_stock/stage", headers=admin_headers, json={"folder": "nope"})
    assert missing.status_code == 404
    started = await client.post("/api/integrations/mtg_stock/stage", headers=admin_headers, json={"folder": "saved"})
    assert started.status_code == 202
    run_id = started.json()["data"]["run_id"]
    assert _queued(redis_client) == [("automana.mtg_stock.stage_folder", [run_id])]
    result = await service_manager.execute_service("integrations.mtg_stock.stage_folder", run_id=run_id)
    assert result["status"] == "succeeded" and result["files"] == 2
    status = (await client.get("/api/integrations/mtg_stock/load", params={"run_id": run_id},
                               headers=admin_headers)).json()["data"]
    assert status["status"] == "succeeded"
    with db.cursor() as cur:
        cur.execute("SELECT print_id, reason FROM pricing.mtgstock_rejects ORDER BY print_id")
        # Neither printing is in the test catalog: both staged, both waiting for a catalog load.
        assert cur.fetchall() == [(18211, "unresolved"), (61953, "unresolved")]
