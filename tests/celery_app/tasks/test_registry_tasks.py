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
    result = celery_client.send_task("automana.registry.run_service", args=["ops.logs.prune", {"keep_days": 30}])
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
