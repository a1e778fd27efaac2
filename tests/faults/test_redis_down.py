"""Redis stopped under the running API (issue 11, fault tests): the catalog is still served, /ready
answers 503 naming Redis (Postgres ok), login fails closed with its documented 503, and a Scryfall
run cannot be triggered (503, and no run is left pending). Once Redis is back at the same address,
the same app is ready again, login works and a triggered run waits in the broker for a worker."""
from __future__ import annotations

import asyncio

import redis as redis_lib

from tests.fixtures.faults import (
    account_password,
    admin_token_headers,
    fault_settings,
    running_app,
    scalar,
    unavailable_problem,
)
from tests.fixtures.scryfall import modern_card

CARDS = "/api/catalog/mtg/card-reference/"
LOGIN = "/api/users/auth/token"
RUNS = "/api/integrations/scryfall/runs"


def active_runs(conn) -> int:
    return scalar(conn, "SELECT count(*) FROM ops.ingestion_runs WHERE status IN ('pending', 'running')")


async def test_redis_down_serves_the_catalog_refuses_login_and_runs_then_recovers(own_postgres, own_redis, tmp_path):
    settings = fault_settings(own_postgres, own_redis, tmp_path / "data")
    credentials = {"username": "faultadmin", "password": account_password("faultadmin")}
    async with running_app(settings) as (app, client):
        await app.state.service_manager.execute_service(
            "card_catalog.catalog_load.load_cards", cards=[modern_card(n) for n in range(1, 11)])
        admin = await admin_token_headers(app, username=credentials["username"])
        db = own_postgres.connect()
        try:
            await asyncio.to_thread(own_redis.stop)

            # The catalog needs no Redis.
            card = await client.get(f"{CARDS}{modern_card(1)['id']}")
            assert card.status_code == 200 and card.json()["data"]["name"] == "Test Card 1"
            search = await client.get(CARDS, params={"q": "t:elf"})
            assert search.status_code == 200 and search.json()["pagination"]["total_count"] == 10
            named = await client.get(f"{CARDS}named", params={"exact": "Test Card 2"})
            assert named.status_code == 200

            # Readiness says which dependency is down.
            ready = await client.get("/ready")
            assert unavailable_problem(ready, "not_ready", retry_after=False) is None
            checks = ready.json()["error"]["details"]
            assert checks["postgres"] == "ok" and checks["redis"].startswith("down"), checks
            assert "redis" in ready.json()["error"]["message"]

            # Login fails closed (even with the right password): no throttle, no guessing.
            login = await client.post(LOGIN, data=credentials)
            assert unavailable_problem(login, "service_unavailable", retry_after=False) is None
            assert "rate limiter" in login.json()["error"]["message"]

            # A run cannot be queued: 503, and the run it created is failed with the reason, not pending.
            runs_before = scalar(db, "SELECT count(*) FROM ops.ingestion_runs")
            triggered = await client.post(RUNS, headers=admin)
            assert unavailable_problem(triggered, "service_unavailable", retry_after=False) is None
            assert active_runs(db) == 0
            with db.cursor() as cur:
                cur.execute("SELECT status, error FROM ops.ingestion_runs WHERE id > %s", (runs_before,))
                created = cur.fetchall()
            assert [status for status, _ in created] == ["failed"] and "could not enqueue" in created[0][1]

            await asyncio.to_thread(own_redis.start)

            ready = await client.get("/ready")
            assert ready.status_code == 200, ready.text
            assert ready.json()["data"] == {"status": "ready", "postgres": "ok", "redis": "ok"}
            login = await client.post(LOGIN, data=credentials)
            assert login.status_code == 200 and login.json()["access_token"], login.text
            triggered = await client.post(RUNS, headers=admin)
            assert triggered.status_code == 202, triggered.text
            run_id = triggered.json()["data"]["run_id"]
            assert scalar(db, "SELECT status FROM ops.ingestion_runs WHERE id = %s", run_id) == "pending"
            # The chain's first task waits in the broker for a worker (none runs in this test).
            broker = redis_lib.Redis.from_url(own_redis.url)
            try:
                assert broker.llen("celery") == 1
            finally:
                broker.close()
        finally:
            db.close()
