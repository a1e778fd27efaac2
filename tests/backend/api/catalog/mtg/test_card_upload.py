"""POST /card-reference/upload-file: streamed to disk, a pending run, loaded by a real Celery worker."""
from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from asgi_lifespan import LifespanManager

import backend.api.catalog.mtg.card_reference as card_reference
from backend.main import create_app

BASE = "/api/catalog/mtg/card-reference"


@pytest.fixture
def settings(settings, tmp_path):
    return settings.model_copy(update={"data_dir": tmp_path})


async def wait_for_run(client, admin_headers, run_id: int) -> dict:
    for _ in range(300):
        response = await client.get(f"{BASE}/upload-file/{run_id}", headers=admin_headers)
        assert response.status_code == 200, response.text
        run = response.json()["data"]
        if run["status"] in ("succeeded", "failed", "skipped"):
            return run
        await asyncio.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish: {run}")


async def test_upload_loads_cards_through_the_worker(client, admin_headers, celery_worker, fixture_cards, settings):
    payload = json.dumps(fixture_cards[:10]).encode()
    response = await client.post(f"{BASE}/upload-file", files={"file": ("cards.json", payload, "application/json")},
                                 headers=admin_headers)
    assert response.status_code == 202, response.text
    accepted = response.json()["data"]
    assert accepted["status"] == "pending" and accepted["size_bytes"] == len(payload)
    assert accepted["status_url"] == f"{BASE}/upload-file/{accepted['run_id']}"
    run = await wait_for_run(client, admin_headers, accepted["run_id"])
    assert run["status"] == "succeeded", run
    assert run["counts"]["inserted"] == 10 and run["counts"]["rejected"] == 0
    assert [step["name"] for step in run["steps"]] == ["load_cards"]
    card = (await client.get(f"{BASE}/{fixture_cards[0]['id']}")).json()["data"]
    assert card["name"] == fixture_cards[0]["name"]
    assert list((settings.data_dir / "uploads").iterdir()) == []  # the upload is removed once loaded


async def test_upload_of_a_broken_file_fails_the_run(client, admin_headers, celery_worker, fixture_cards):
    payload = b'[{"id": "not-a-uuid", "name": "x"}, ' + json.dumps(fixture_cards[0]).encode() + b", {oops"
    response = await client.post(f"{BASE}/upload-file", content=payload,
                                 headers={**admin_headers, "content-type": "application/json"})
    assert response.status_code == 202
    run = await wait_for_run(client, admin_headers, response.json()["data"]["run_id"])
    assert run["status"] == "failed" and run["error"]


async def test_upload_refusals(client, admin_headers, monkeypatch, settings):
    text = await client.post(f"{BASE}/upload-file", content=b"[]", headers={**admin_headers, "content-type": "text/csv"})
    assert text.status_code == 415 and text.json()["error"]["code"] == "unsupported_media_type"
    empty = await client.post(f"{BASE}/upload-file", files={"file": ("cards.json", b"")}, headers=admin_headers)
    assert empty.status_code == 400
    monkeypatch.setattr(card_reference, "MAX_UPLOAD_BYTES", 1000)
    too_big = await client.post(f"{BASE}/upload-file", files={"file": ("cards.json", b"[" + b" " * 5000 + b"]")},
                                headers=admin_headers)
    assert too_big.status_code == 413
    assert list((settings.data_dir / "uploads").iterdir()) == []  # partial files are removed
    missing = await client.get(f"{BASE}/upload-file/999999", headers=admin_headers)
    assert missing.status_code == 404


async def test_upload_without_a_broker_fails_cleanly(admin_headers, db, settings):
    unreachable = settings.model_copy(update={"celery_broker_url": "redis://127.0.0.1:1/0"})
    application = create_app(unreachable)
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.post(f"{BASE}/upload-file", content=b"[]",
                                       headers={**admin_headers, "content-type": "application/json"})
    assert response.status_code == 503 and response.json()["error"]["code"] == "service_unavailable"
    with db.cursor() as cur:
        cur.execute("SELECT status, error FROM ops.ingestion_runs WHERE pipeline = 'catalog_upload'")
        assert cur.fetchall() == [("failed", "could not queue the load")]
    assert list((settings.data_dir / "uploads").iterdir()) == []


async def test_orphan_uploads_are_removed_at_start_up_and_their_runs_failed(settings, db):
    """A file a killed server left half-written is gone at the next start; a file a waiting run
    still needs is kept; a pending run whose file vanished is failed."""
    import os
    import time

    uploads = settings.upload_dir
    uploads.mkdir(parents=True)
    orphan, needed, fresh = uploads / "upload-orphan.json", uploads / "upload-needed.json", uploads / "upload-new.json"
    for path in (orphan, needed, fresh):
        path.write_bytes(b"[")
    old = time.time() - 2 * 3600
    for path in (orphan, needed):
        os.utime(path, (old, old))
    with db.cursor() as cur:
        cur.execute("""INSERT INTO ops.ingestion_runs (pipeline, run_key, status, triggered_by, params)
                       VALUES ('catalog_upload', 'a', 'pending', 'admin', %s::jsonb),
                              ('catalog_upload', 'b', 'pending', 'admin', %s::jsonb) RETURNING id""",
                    (json.dumps({"path": str(needed)}), json.dumps({"path": str(uploads / "upload-vanished.json")})))
        kept_run, vanished_run = (row[0] for row in cur.fetchall())
    async with LifespanManager(create_app(settings)):
        pass
    assert sorted(p.name for p in uploads.iterdir()) == ["upload-needed.json", "upload-new.json"]
    with db.cursor() as cur:
        cur.execute("SELECT id, status, error FROM ops.ingestion_runs ORDER BY id")
        assert cur.fetchall() == [(kept_run, "pending", None), (vanished_run, "failed", "the uploaded file is gone")]


async def test_upload_quotas(client, admin_user, settings, db):
    with db.cursor() as cur:
        cur.execute("""INSERT INTO ops.ingestion_runs (pipeline, run_key, status, triggered_by, params)
                       VALUES ('catalog_upload', 'busy', 'running', %s, '{}'::jsonb) RETURNING id""",
                    (admin_user.username,))
        busy = cur.fetchone()[0]
    settings.uploads_in_progress_per_user = 1
    response = await client.post(f"{BASE}/upload-file", content=b"[]",
                                 headers={**admin_user.headers, "content-type": "application/json"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "upload_quota"
    assert response.json()["error"]["details"] == {"run_ids": [busy]}
    settings.uploads_in_progress_per_user = 2
    settings.upload_quota_bytes = 1024 * 1024
    big = await client.post(f"{BASE}/upload-file", content=b"[" + b" " * (2 * 1024 * 1024) + b"]",
                            headers={**admin_user.headers, "content-type": "application/json"})
    assert big.status_code == 409 and big.json()["error"]["details"]["quota_bytes"] == 1024 * 1024
    assert not settings.upload_dir.exists() or [p for p in settings.upload_dir.iterdir() if p.is_file()] == []
