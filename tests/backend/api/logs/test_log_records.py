"""/api/logs: WARNING+ records from the API are stored and can be filtered (admin only)."""
from __future__ import annotations

import logging

from backend.core.logging_config import log_pipeline_event
from backend.repositories.ops.log_writer import flush_database_logs


async def test_logs_require_admin(client):
    response = await client.get("/api/logs/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


async def test_warnings_are_stored_with_request_id_and_filterable(client, admin_headers):
    logger = logging.getLogger("automana.test")
    logger.info("an info line that is not stored")
    log_pipeline_event(logger, "scryfall run finished", status="succeeded", task_name="automana.scryfall.ingest")
    logger.warning("disk almost full", extra={"status": "degraded"})
    logger.error("catalog load failed")
    flush_database_logs()

    response = await client.get("/api/logs/", headers=admin_headers)
    assert response.status_code == 200
    body = response.json()
    messages = [r["message"] for r in body["data"]]
    assert "an info line that is not stored" not in messages
    assert {"disk almost full", "catalog load failed", "scryfall run finished"} <= set(messages)
    assert body["pagination"]["total_count"] == len(messages)

    errors_only = (await client.get("/api/logs/?level=ERROR", headers=admin_headers)).json()["data"]
    assert [r["message"] for r in errors_only] == ["catalog load failed"]

    pipeline = (await client.get("/api/logs/?service_type=pipeline&task_name=automana.scryfall.ingest",
                                 headers=admin_headers)).json()["data"]
    assert [(r["message"], r["status"]) for r in pipeline] == [("scryfall run finished", "succeeded")]

    searched = (await client.get("/api/logs/?search=DISK", headers=admin_headers)).json()["data"]
    assert [r["message"] for r in searched] == ["disk almost full"]

    by_status = (await client.get("/api/logs/?status=degraded", headers=admin_headers)).json()["data"]
    assert [r["message"] for r in by_status] == ["disk almost full"]

    page = (await client.get("/api/logs/?limit=1&offset=1", headers=admin_headers)).json()
    assert len(page["data"]) == 1
    assert page["pagination"]["has_previous"] is True


async def test_totals_count_the_filtered_records_on_every_page(client, admin_headers, db):
    """The total is that of the filters, not of the date window, including past the last page."""
    with db.cursor() as cur:
        for n in range(7):
            cur.execute("""INSERT INTO ops.log_records (level, logger, message, service_type, task_name, status)
                           VALUES (%s, 'automana.test', %s, %s, %s, %s)""",
                        ("ERROR" if n < 3 else "WARNING", f"record {n}", "worker" if n % 2 else "api",
                         "automana.x" if n < 5 else None, "failed" if n == 0 else None))
    # (other tests' setup also logs warnings, e.g. the admin's creation: `search=record` keeps to ours)
    cases = {"level=ERROR": 3, "level=WARNING": 7, "service_type=worker": 3, "task_name=automana.x": 5,
             "status=failed": 1, "search=record%203": 1, "level=ERROR&service_type=api": 2}
    for query, expected in cases.items():
        for offset in (0, 1, 50):
            body = (await client.get(f"/api/logs/?search=record&{query}&limit=1&offset={offset}",
                                     headers=admin_headers)).json()
            assert body["pagination"]["total_count"] == expected, (query, offset)
            assert len(body["data"]) == (1 if offset < expected else 0), (query, offset)


async def test_request_id_is_recorded_on_stored_errors(settings, admin_headers):
    import httpx
    from asgi_lifespan import LifespanManager
    from fastapi import APIRouter

    from backend.main import create_app

    router = APIRouter()

    @router.get("/warns")
    async def warns():
        logging.getLogger("automana.test").warning("inside a request")
        return {}

    app = create_app(settings, extra_routers=(router,))
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            await http.get("/warns", headers={"X-Request-ID": "req-logged-1"})
            flush_database_logs()
            rows = (await http.get("/api/logs/?search=inside%20a%20request", headers=admin_headers)).json()["data"]
    assert [(r["message"], r["request_id"], r["service_type"]) for r in rows] == [
        ("inside a request", "req-logged-1", "api")
    ]


async def test_bad_date_range_is_a_400(client, admin_headers):
    response = await client.get(
        "/api/logs/?start_date=2026-01-02T00:00:00Z&end_date=2026-01-01T00:00:00Z", headers=admin_headers
    )
    assert response.status_code == 400
    assert "start_date" in response.json()["error"]["message"]
    response = await client.get("/api/logs/?level=LOUD", headers=admin_headers)
    assert response.status_code == 422


async def test_the_log_writer_survives_bad_records_and_a_lost_connection(client, admin_user, plain_user, db):
    """Security events keep reaching ops.log_records after a record Postgres cannot store and after
    the writer's connection is killed."""

    async def grant(reason: str) -> None:
        response = await client.post(f"/api/users/users/{plain_user.id}/roles", headers=admin_user.headers,
                                     json={"role_name": "seller", "reason": reason})
        assert response.status_code == 201, response.text
        revoked = await client.delete(f"/api/users/users/{plain_user.id}/roles/seller", headers=admin_user.headers,
                                      params={"reason": reason})
        assert revoked.status_code == 200

    def stored(text: str) -> int:
        flush_database_logs()
        with db.cursor() as cur:
            cur.execute("SELECT count(*) FROM ops.log_records WHERE message LIKE %s", (f"%{text}%",))
            return cur.fetchone()[0]

    # A NUL in a URL path is refused at the boundary; a NUL in a logged value is made storable.
    assert (await client.get("/api/a%00b")).status_code == 422
    logging.getLogger("automana.test").warning("nul \x00 inside a warning")
    assert stored("inside a warning") == 1
    await grant("after a nul record")
    assert stored("after a nul record") == 2   # the grant and the revocation

    with db.cursor() as cur:   # kill every connection of the log writer's pool
        cur.execute("""SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                       WHERE application_name = 'automana-sync' AND datname = current_database()""")
        assert cur.fetchone()[0] >= 1
    await grant("after a lost connection")
    assert stored("after a lost connection") == 2
