"""Postgres restarted or down under the running API (issue 11, fault tests): every answer is the
success or a 503 `database_unavailable` envelope with Retry-After, never a 500; an autocommit read
meeting a connection the restart killed is retried; the pool recovers without restarting the app.

Each test runs its own embedded Postgres (and Redis, for the admin's login) and the real app in
process. "In flight" is made deterministic with a table lock the test holds: the requests are
provably waiting inside Postgres (pg_stat_activity) when the server is restarted.
"""
from __future__ import annotations

import asyncio
import logging

import psycopg2
import pytest

from tests.fixtures.faults import (
    admin_token_headers,
    fault_settings,
    response_problem,
    running_app,
    scalar,
    unavailable_problem,
    unhandled_errors,
    wait_until,
)
from tests.fixtures.scryfall import modern_card

CARDS = "/api/catalog/mtg/card-reference/"
CATALOG_SIZE = 20


def card_path(n: int) -> str:
    return f"{CARDS}{modern_card(n)['id']}"


async def load_catalog(app) -> None:
    await app.state.service_manager.execute_service(
        "card_catalog.catalog_load.load_cards", cards=[modern_card(n) for n in range(1, CATALOG_SIZE + 1)])


async def recovered_problems(client, admin: dict[str, str], new_card: int) -> list[str]:
    """After the server is back, on the same app: reads, a write and readiness all succeed."""
    problems = []
    for n in range(1, CATALOG_SIZE + 1):
        response = await client.get(card_path(n))
        if response.status_code != 200:
            problems.append(f"read of card {n} after recovery: {response.status_code} {response.text[:200]}")
    written = await client.post(CARDS, json=modern_card(new_card), headers=admin)
    if written.status_code != 201:
        problems.append(f"write after recovery: {written.status_code} {written.text[:200]}")
    elif (await client.get(card_path(new_card))).status_code != 200:
        problems.append("the card written after recovery cannot be read")
    ready = await client.get("/ready")
    if ready.status_code != 200:
        problems.append(f"/ready after recovery: {ready.status_code} {ready.text[:300]}")
    return problems


async def test_requests_in_flight_when_postgres_restarts_answer_200_or_503(own_postgres, own_redis, tmp_path,
                                                                            caplog):
    """Four card reads and an admin write wait inside Postgres on a lock the test holds; the server is
    restarted (`pg_ctl restart -m fast` terminates them all). Each answers its success or a 503 with
    the envelope and Retry-After; the write, answered 503, left nothing behind; a retried write and every
    read then succeed on the same app."""
    settings = fault_settings(own_postgres, own_redis, tmp_path / "data", db_pool_max_size=10)
    async with running_app(settings) as (app, client):
        await load_catalog(app)
        admin = await admin_token_headers(app)
        watch = own_postgres.connect()
        holder = psycopg2.connect(own_postgres.url)   # its transaction stays open: the lock is held
        try:
            with holder.cursor() as cur:
                cur.execute("LOCK TABLE card_catalog.card_versions IN ACCESS EXCLUSIVE MODE")
                cur.execute("SELECT pg_backend_pid()")
                holder_pid = cur.fetchone()[0]
            reads = [asyncio.create_task(client.get(card_path(n))) for n in range(1, 5)]
            write = asyncio.create_task(client.post(CARDS, json=modern_card(500), headers=admin))
            await wait_until(lambda: scalar(watch, "SELECT count(*) FROM pg_stat_activity "
                                                   "WHERE %s = ANY(pg_blocking_pids(pid))", holder_pid) == 5,
                             "the four reads and the write to wait on the held lock")
            await asyncio.to_thread(own_postgres.restart)
            read_responses = await asyncio.gather(*reads)
            write_response = await write
        finally:
            holder.close()
            watch.close()

        problems = [p for p in (response_problem(r) for r in read_responses) if p]
        if problem := response_problem(write_response, 201):
            problems.append(problem)
        check = own_postgres.connect()
        try:
            stored = scalar(check, "SELECT count(*) FROM card_catalog.card_versions WHERE card_version_id = %s",
                            modern_card(500)["id"])
        finally:
            check.close()
        if write_response.status_code == 503 and stored:
            problems.append("the write answered 503 but its card was stored")
        if write_response.status_code == 201 and stored != 1:
            problems.append("the write answered 201 but its card was not stored")
        retried = await client.post(CARDS, json=modern_card(500), headers=admin)   # what a client does on 503
        if retried.status_code != 201:
            problems.append(f"the retried write: {retried.status_code} {retried.text[:200]}")
        problems += await recovered_problems(client, admin, new_card=501)
    assert not problems, "\n".join(problems + [f"unhandled: {e}" for e in unhandled_errors(caplog)])


async def test_read_right_after_a_restart_is_retried_and_the_pool_recovers(own_postgres, own_redis, tmp_path,
                                                                            caplog):
    """Pooled connections opened before a restart are dead after it. Every connection of the pool is
    open (min size = max size) and the restart runs while this event loop is deliberately blocked, so
    the pool cannot have replaced any: the next read necessarily meets a dead connection, is retried
    once on a fresh one and answers 200. Then every read, a write and /ready succeed on the same app:
    the pool recovered."""
    settings = fault_settings(own_postgres, own_redis, tmp_path / "data", db_pool_min_size=5, db_pool_max_size=5)
    async with running_app(settings) as (app, client):
        await load_catalog(app)
        admin = await admin_token_headers(app)
        warm = await asyncio.gather(*(client.get(card_path(n)) for n in range(1, 6)))
        assert [r.status_code for r in warm] == [200] * 5
        before = own_postgres.connect()
        try:
            pooled = scalar(before, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'automana'")
        finally:
            before.close()
        assert pooled == 5

        own_postgres.restart()   # synchronous on purpose: see the docstring
        with caplog.at_level(logging.WARNING, logger="backend.new_services.service_manager"):
            first = await client.get(card_path(1))
        assert first.status_code == 200, (first.text[:300], unhandled_errors(caplog))
        assert first.json()["data"]["id"] == modern_card(1)["id"]
        retries = [r.getMessage() for r in caplog.records if "retrying once" in r.getMessage()]
        assert retries == ["database connection lost during card_catalog.card.get; retrying once"], retries

        problems = await recovered_problems(client, admin, new_card=600)
    assert not problems, "\n".join(problems + [f"unhandled: {e}" for e in unhandled_errors(caplog)])


@pytest.mark.parametrize("own_postgres", ["unix-socket", "tcp"], indirect=True)
async def test_postgres_down_answers_503_and_everything_succeeds_once_it_is_back(own_postgres, own_redis,
                                                                                  tmp_path, caplog):
    """While the server is stopped, card reads (autocommit and transaction scopes), an admin write
    and readiness answer 503 with the envelope (and Retry-After, except /ready which names what is
    down); started again, the same app serves everything. Over the unix socket `automana up` uses
    and over TCP as a networked deployment connects."""
    settings = fault_settings(own_postgres, own_redis, tmp_path / "data")
    async with running_app(settings) as (app, client):
        await load_catalog(app)
        admin = await admin_token_headers(app)
        assert (await client.get(card_path(1))).status_code == 200

        await asyncio.to_thread(own_postgres.stop)
        problems = []
        requests = [lambda: client.get(card_path(1)), lambda: client.get(card_path(2)),
                    lambda: client.get(f"{CARDS}named", params={"exact": "Test Card 3"}),   # autocommit
                    lambda: client.get(CARDS, params={"q": "t:elf"}),                       # transaction
                    lambda: client.post(CARDS, json=modern_card(700), headers=admin)]       # steps
        for send in requests:
            if problem := unavailable_problem(await send()):
                problems.append(problem)
        ready = await client.get("/ready")
        if problem := unavailable_problem(ready, "not_ready", retry_after=False):
            problems.append(problem)
        else:
            checks = ready.json()["error"]["details"]
            if not (checks["postgres"].startswith("down") and checks["redis"] == "ok"):
                problems.append(f"/ready does not say which is down: {checks}")

        await asyncio.to_thread(own_postgres.start)
        problems += await recovered_problems(client, admin, new_card=701)
    assert not problems, "\n".join(problems + [f"unhandled: {e}" for e in unhandled_errors(caplog)])
