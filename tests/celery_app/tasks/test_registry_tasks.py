"""The generic task runs a registry key in a real worker through a real Redis broker."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from backend.request_handling.errors import BadRequestError, UnknownServiceError


def test_run_service_through_worker(celery_worker, celery_client, db):
    with db.cursor() as cur:
        old = datetime.now(timezone.utc) - timedelta(days=40)
        cur.execute(
            "INSERT INTO ops.log_records (created_at, level, logger, message, service_type) VALUES "
            "(%s, 'WARNING', 't', 'old', 'api'), (now(), 'WARNING', 't', 'new', 'api')", (old,)
        )
    result = celery_client.send_task("automana.registry.run_service", args=["ops.log.prune", {"keep_days": 30}])
    assert result.get(timeout=60) == 1
    with db.cursor() as cur:
        cur.execute("SELECT message FROM ops.log_records WHERE logger = 't'")
        assert [r[0] for r in cur.fetchall()] == ["new"]


def test_unknown_key_fails_the_task(celery_worker, celery_client):
    result = celery_client.send_task("automana.registry.run_service", args=["no.such.key", {}])
    with pytest.raises(UnknownServiceError, match="no.such.key"):
        result.get(timeout=60)


def test_worker_errors_are_stored_with_task_id_and_name(celery_worker, celery_client, db):
    result = celery_client.send_task("automana.registry.run_service", args=["ops.log.prune", {"keep_days": 0}])
    # The service's domain error comes back to the client as itself.
    with pytest.raises(BadRequestError, match="keep_days must be at least 1"):
        result.get(timeout=60)
    # The worker's log writer is asynchronous: wait for the row (the deadline is only a safety net).
    deadline = time.monotonic() + 60
    while not (rows := _log_rows_of_task(db, result.id)):
        if time.monotonic() > deadline:
            pytest.fail(f"no log record of failed task {result.id} was stored within 60 s:\n"
                        f"{celery_worker.log_file.read_text()[-4000:]}")
        time.sleep(0.1)
    assert len(rows) == 1
    task_name, service_type, level, message = rows[0]
    assert (task_name, service_type, level) == ("automana.registry.run_service", "worker", "ERROR")
    assert "keep_days must be at least 1" in message


def _log_rows_of_task(db, task_id: str) -> list[tuple]:
    with db.cursor() as cur:
        cur.execute("SELECT task_name, service_type, level, message FROM ops.log_records WHERE task_id = %s",
                    (task_id,))
        return cur.fetchall()
