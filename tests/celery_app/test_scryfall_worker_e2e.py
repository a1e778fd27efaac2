"""A real Celery worker process runs the Scryfall chain enqueued by the trigger (Redis broker,
fake Scryfall, real Postgres)."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures.scryfall import sample_cards, scryfall_environment

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(database_url, redis_url, redis_client, fake_scryfall, scryfall_env, settings, tmp_path):
    env = {**os.environ, **scryfall_environment(settings), "ENV": "test", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           "CELERY_BROKER_URL": redis_url, "CELERY_RESULT_BACKEND": redis_url, "LOG_TO_DATABASE": "false",
           "JWT_SECRET_KEY": "w" * 40, "PGP_SECRET_KEY": "p" * 40, "PYTHONPATH": str(PROJECT_ROOT),
           "DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen([sys.executable, "-m", "backend.cli", "worker", "--concurrency", "1",
                             "--loglevel", "WARNING"], env=env, cwd=PROJECT_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    yield proc
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


async def test_triggered_run_is_carried_out_by_a_worker(worker, ingest_manager, db):
    triggered = await ingest_manager.execute_service("integrations.scryfall.trigger_run", triggered_by="test")
    run_id = triggered["run_id"]
    deadline = time.monotonic() + 120
    status = None
    while time.monotonic() < deadline and worker.poll() is None:
        with db.cursor() as cur:
            cur.execute("SELECT status FROM ops.ingestion_runs WHERE id = %s", (run_id,))
            status = cur.fetchone()[0]
        if status in ("succeeded", "failed", "skipped"):
            break
        await asyncio.sleep(0.3)
    assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
    assert status == "succeeded"
    with db.cursor() as cur:
        cur.execute("SELECT name, status FROM ops.ingestion_steps WHERE run_id = %s ORDER BY id", (run_id,))
        assert cur.fetchall() == [("fetch_metadata", "succeeded"), ("download", "succeeded"),
                                  ("load_cards", "succeeded")]
        cur.execute("SELECT count(*) FROM card_catalog.card_versions")
        assert cur.fetchone()[0] == len(sample_cards())
