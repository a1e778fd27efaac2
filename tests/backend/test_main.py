"""The app's lifespan, system endpoints, request ids and error envelopes."""
from __future__ import annotations

import pytest
from fastapi import APIRouter

from backend.main import create_app
from tests.fixtures.services import with_database


async def test_welcome_and_health(client):
    root = await client.get("/")
    assert root.status_code == 200
    assert root.json()["data"]["docs"] == "/docs"
    health = await client.get("/health")
    assert health.json() == {"success": True, "data": {"status": "alive"}, "message": None}


async def test_ready_checks_postgres_and_redis(client):
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json()["data"] == {"status": "ready", "postgres": "ok", "redis": "ok"}


async def test_ready_names_what_is_down(settings):
    settings.redis_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.celery_broker_url = settings.redis_url
    from asgi_lifespan import LifespanManager
    import httpx

    app = create_app(settings)
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            response = await http.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["error"]["code"] == "not_ready"
    assert "redis" in body["error"]["message"]
    assert body["error"]["details"]["postgres"] == "ok"


async def test_docs_and_openapi(client):
    assert (await client.get("/docs")).status_code == 200
    spec = (await client.get("/openapi.json")).json()
    assert "/api/logs/" in spec["paths"]


async def test_unknown_route_is_error_response_with_request_id(client):
    response = await client.get("/no/such/thing", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 404
    assert response.headers["x-request-id"] == "abc-123"
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == "not_found"
    assert body["request_id"] == "abc-123"


async def test_request_id_generated_when_absent_or_unsafe(client):
    generated = await client.get("/health")
    assert len(generated.headers["x-request-id"]) == 32
    unsafe = await client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert unsafe.headers["x-request-id"] != "bad id\twith spaces"


async def test_validation_error_is_422_error_response(client, admin_headers):
    response = await client.get("/api/logs/?limit=0", headers={**admin_headers, "X-Request-ID": "req-422"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"]["code"] == "validation_error"
    assert body["request_id"] == "req-422"
    assert body["error"]["details"][0]["location"] == ["query", "limit"]


async def test_internal_error_is_500_without_internals(settings):
    router = APIRouter()

    @router.get("/boom")
    async def boom():
        raise RuntimeError("secret internal detail")

    from asgi_lifespan import LifespanManager
    import httpx

    app = create_app(settings, extra_routers=(router,))
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                     base_url="http://t") as http:
            response = await http.get("/boom", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-500"
    body = response.json()
    assert body == {"success": False, "error": {"code": "internal_error", "message": body["error"]["message"],
                                                 "details": None}, "request_id": "req-500"}
    assert "secret" not in response.text


async def test_boot_guard_refuses_production_database_in_dev(settings):
    from backend.core.boot_guard import BootGuardError

    settings.database_url = with_database(settings.database_url, "automana_prod")
    app = create_app(settings)
    with pytest.raises(BootGuardError, match="production"):
        async with app.router.lifespan_context(app):
            pass


async def test_pool_recovers_after_the_database_drops_its_connections(client, db):
    assert (await client.get("/ready")).status_code == 200
    with db.cursor() as cur:  # what a database restart does to every pooled connection
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    response = await client.get("/ready")
    assert response.status_code == 200, response.text
