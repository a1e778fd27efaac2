"""Scryfall Celery tasks: the chain, the beat entry, and redelivery safety (tasks run in-process)."""
from __future__ import annotations

import json

import pytest

import celery_app.worker_runtime as worker_runtime
from backend.new_services.integrations.scryfall_service import PIPELINE_TASKS
from celery_app.celery_main_app import celery_app
from celery_app.celeryconfig import beat_schedule
from celery_app.tasks import scryfall_tasks
from tests.fixtures.scryfall import sample_cards, set_scryfall_settings


@pytest.fixture
def runtime(settings):
    """The worker runtime of this process, on the test database (as a worker child would build it)."""
    runtime = worker_runtime.WorkerRuntime(settings)
    worker_runtime._runtime = runtime
    yield runtime
    worker_runtime.shutdown_runtime()


def test_beat_entry_is_daily_and_expires(settings):
    entry = beat_schedule(settings)["scryfall-daily-ingest"]
    assert entry["task"] == "automana.scryfall.scheduled_run"
    assert entry["options"]["expires"] > 0
    assert entry["schedule"].hour == {10} and entry["schedule"].minute == {15}


def test_beat_entry_follows_settings(settings):
    set_scryfall_settings(settings, schedule_hour=3)
    assert beat_schedule(settings)["scryfall-daily-ingest"]["schedule"].hour == {3}
    set_scryfall_settings(settings, schedule_enabled=False)
    assert "scryfall-daily-ingest" not in beat_schedule(settings)


def test_tasks_are_registered_with_explicit_names_and_acks_late():
    for name in ("fetch_metadata", "download_bulk", "load_bulk", "scheduled_run"):
        task = celery_app.tasks[f"automana.scryfall.{name}"]
        assert task.acks_late is True
    # The chain the service queues names exactly these tasks, in pipeline order.
    assert PIPELINE_TASKS == ("automana.scryfall.fetch_metadata", "automana.scryfall.download_bulk",
                              "automana.scryfall.load_bulk")


def test_chain_steps_run_a_pending_run_and_redelivery_is_harmless(runtime, fake_scryfall, db):
    with db.cursor() as cur:
        cur.execute("""INSERT INTO ops.ingestion_runs (pipeline, run_key, status, params)
                       VALUES ('scryfall_bulk', 'k', 'pending', '{"bulk_type": "default_cards"}') RETURNING id""")
        run_id = cur.fetchone()[0]
    assert scryfall_tasks.fetch_metadata.apply(args=(run_id,)).get()["sets_inserted"] == 2
    # A redelivered step that already succeeded does nothing.
    assert scryfall_tasks.fetch_metadata.apply(args=(run_id,)).get()["skipped_step"] is True
    assert scryfall_tasks.download_bulk.apply(args=(run_id,)).get()["bytes"] > 0
    loaded = scryfall_tasks.load_bulk.apply(args=(run_id,)).get()
    assert loaded["status"] == "succeeded" and loaded["inserted"] == len(sample_cards())
    again = scryfall_tasks.load_bulk.apply(args=(run_id,)).get()
    assert again == {"run_id": run_id, "status": "succeeded", "skipped_step": True,
                     "reason": f"run {run_id} is already succeeded"}
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM ops.resources WHERE run_id = %s", (run_id,))
        assert cur.fetchone()[0] == 3
        cur.execute("SELECT status FROM ops.ingestion_runs WHERE id = %s", (run_id,))
        assert cur.fetchone()[0] == "succeeded"


def test_scheduled_run_enqueues_once_and_refuses_while_active(runtime, redis_client, db):
    first = scryfall_tasks.scheduled_run.apply(kwargs={"bulk_type": "default_cards"}).get()
    assert first["status"] == "pending" and first["task_id"]
    second = scryfall_tasks.scheduled_run.apply(kwargs={"bulk_type": "default_cards"}).get()
    assert second["status"] == "refused" and second["details"] == {"run_id": first["run_id"]}
    messages = [json.loads(m) for m in redis_client.lrange("celery", 0, -1)]
    assert [m["headers"]["task"] for m in messages] == ["automana.scryfall.fetch_metadata"]
    with db.cursor() as cur:
        cur.execute("SELECT status, triggered_by FROM ops.ingestion_runs")
        assert cur.fetchall() == [("pending", "beat")]
