"""The /scryfall bulk data task and its beat entry (task run in-process on the worker runtime)."""
from __future__ import annotations

import pytest

import celery_app.worker_runtime as worker_runtime
from celery_app.celery_main_app import celery_app
from celery_app.celeryconfig import beat_schedule
from celery_app.tasks import scryfall_compat_tasks


@pytest.fixture
def runtime(settings, tmp_path):
    settings.scryfall_bulk_dir = tmp_path / "bulk"
    runtime = worker_runtime.WorkerRuntime(settings)
    worker_runtime._runtime = runtime
    yield runtime
    worker_runtime.shutdown_runtime()


def test_beat_entry_is_daily_and_expires(settings):
    entry = beat_schedule(settings)["scryfall-compat-bulk-data"]
    assert entry["task"] == "automana.scryfall_compat.generate_bulk_data"
    assert entry["options"]["expires"] > 0 and entry["schedule"].hour == {5}
    assert celery_app.tasks["automana.scryfall_compat.generate_bulk_data"].acks_late is True


def test_task_generates_the_files_and_a_rerun_replaces_them(runtime, settings):
    first = scryfall_compat_tasks.generate_bulk_data.apply(kwargs={"types": ["oracle_cards", "rulings"]}).get()
    assert set(first) == {"oracle_cards", "rulings"} and first["rulings"]["objects"] == 0
    again = scryfall_compat_tasks.generate_bulk_data.apply(kwargs={"types": ["rulings"]}).get()
    assert again["rulings"]["file"] != first["rulings"]["file"]
    assert (settings.scryfall_bulk_dir / (again["rulings"]["file"] + ".gz")).is_file()
