"""The generic task runs a registry key in a real worker through a real Redis broker."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone


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
    try:
        result.get(timeout=60)
    except Exception as exc:  # the worker's UnknownServiceError, re-raised by the client
        assert "no.such.key" in str(exc)
    else:
        raise AssertionError("an unknown key must fail")


def test_worker_errors_are_stored_with_task_id_and_name(celery_worker, celery_client, db):
    import time

    result = celery_client.send_task("automana.registry.run_service", args=["ops.log.prune", {"keep_days": 0}])
    try:
        result.get(timeout=60)
    except Exception as exc:
        assert "keep_days" in str(exc)
    rows = []
    for _ in range(100):  # the worker's log writer is asynchronous: poll until the row lands
        with db.cursor() as cur:
            cur.execute("SELECT task_id, task_name, service_type, level FROM ops.log_records "
                        "WHERE task_id = %s", (result.id,))
            rows = cur.fetchall()
        if rows:
            break
        time.sleep(0.1)
    assert rows, "the failed task's error must be stored"
    task_id, task_name, service_type, level = rows[0]
    assert (task_name, service_type, level) == ("automana.registry.run_service", "worker", "ERROR")
