"""What a search may cost (issue 11): the per-address rate limit (429 + Retry-After, addresses
independent, Redis down = fail open), the search slots (503 search_busy while all are held), the
statement timeout (503 search_timeout) and the query bounds (400 invalid_query naming the bound).

Slots are held and statements blocked deterministically (the gate's own slots, a table lock held by
the test), never by racing the clock."""
from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx
import psycopg2
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, Request

from backend.core.settings import SearchSettings
from backend.dependancies.search_deps import SearchGuard
from backend.main import create_app
from backend.new_services.card_catalog.search.parser import MAX_NEGATIONS, MAX_TERMS
from backend.repositories.kit import StatementTimedOut, time_limited
from tests.fixtures.faults import SAFETY_NET_SECONDS

BASE = "/api/catalog/mtg/card-reference"
SEARCH_ROUTES = [f"{BASE}/?q=t:elf", f"{BASE}/named?fuzzy=llanowar", f"{BASE}/autocomplete?q=llano",
                 f"{BASE}/random?q=t:elf"]
LLANOWAR = "Llanowar Elves"


def from_address(address: str) -> dict[str, str]:
    # The in-process client's peer is 127.0.0.1, a trusted proxy by default: its X-Forwarded-For counts.
    return {"X-Forwarded-For": address}


@contextlib.asynccontextmanager
async def search_app(settings, fixture_cards, *, extra_routers=(), **search):
    """The real app with these search settings, the fixture catalog loaded, and a client for it."""
    search.setdefault("max_concurrent", 2)
    search.setdefault("rate_limit", "")   # on only where a test sets it
    app = create_app(settings.model_copy(update={"search": SearchSettings(**search)}), extra_routers=extra_routers)
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
        await app.state.service_manager.execute_service("card_catalog.catalog_load.load_cards", cards=fixture_cards)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield app, client


def assert_problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and body["error"]["code"] == code, body
    return body["error"]


def retry_after(response: httpx.Response) -> int:
    value = int(response.headers["Retry-After"])
    assert value >= 1
    return value


async def until(condition, what: str) -> None:
    """Yield to the event loop until `condition()` holds (the safety net only catches a hang)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SAFETY_NET_SECONDS
    while not condition():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.005)


# -- rate limit ------------------------------------------------------------------------------------

async def test_each_address_has_its_own_search_budget(settings, fixture_cards):
    async with search_app(settings, fixture_cards, rate_limit="3/hour") as (app, client):
        first = from_address("203.0.113.5")
        for path in SEARCH_ROUTES[:3]:   # search, named and autocomplete share one budget
            assert (await client.get(path, headers=first)).status_code == 200, path
        refused = await client.get(f"{BASE}/?q=t:elf", headers=first)
        error = assert_problem(refused, 429, "rate_limited")
        assert 1 <= retry_after(refused) <= 3600
        assert error["details"] == {"limit": "3 per 1 hour"} and "too many searches" in error["message"]
        assert_problem(await client.get(SEARCH_ROUTES[3], headers=first), 429, "rate_limited")

        # Another address is not affected, nor are reads that are not searches.
        assert (await client.get(f"{BASE}/?q=t:elf", headers=from_address("203.0.113.6"))).status_code == 200
        card = next(c for c in fixture_cards if c["name"] == LLANOWAR)
        assert (await client.get(f"{BASE}/{card['id']}", headers=first)).status_code == 200

        # An IPv6 client owns its /64: rotating addresses inside it does not buy more searches.
        for n in range(1, 4):
            assert (await client.get(f"{BASE}/?q=t:elf", headers=from_address(f"2001:db8:1:2::{n}"))).status_code == 200
        assert_problem(await client.get(f"{BASE}/?q=t:elf", headers=from_address("2001:db8:1:2::99")),
                       429, "rate_limited")
        assert (await client.get(f"{BASE}/?q=t:elf", headers=from_address("2001:db8:1:3::1"))).status_code == 200


async def test_refused_searches_reach_neither_a_slot_nor_the_database(settings, fixture_cards):
    async with search_app(settings, fixture_cards, rate_limit="1/hour", max_concurrent=1,
                          queue_seconds=0) as (app, client):
        gate = app.state.search_gate
        assert (await client.get(f"{BASE}/?q=t:elf")).status_code == 200
        async with gate.slot():   # every slot taken: a search that got past the rate limit would be 503
            assert_problem(await client.get(f"{BASE}/?q=t:elf"), 429, "rate_limited")


async def test_without_redis_the_rate_limit_fails_open_with_one_warning(settings, fixture_cards, own_redis, caplog):
    limited = settings.model_copy(update={"redis_url": own_redis.url})
    async with search_app(limited, fixture_cards, rate_limit="1/hour") as (app, client):
        assert (await client.get(f"{BASE}/?q=t:elf")).status_code == 200
        assert_problem(await client.get(f"{BASE}/?q=t:elf"), 429, "rate_limited")

        await asyncio.to_thread(own_redis.stop)
        with caplog.at_level(logging.WARNING, logger="automana.search_gate"):
            for path in SEARCH_ROUTES:
                assert (await client.get(path)).status_code == 200, path
        warnings = [r.getMessage() for r in caplog.records if r.name == "automana.search_gate"]
        assert len(warnings) == 1 and "searches are let through unlimited" in warnings[0], warnings

        # Back (with its saved counters): the limit applies again.
        await asyncio.to_thread(own_redis.start)
        assert_problem(await client.get(f"{BASE}/?q=t:elf"), 429, "rate_limited")


# -- slots -----------------------------------------------------------------------------------------

async def test_all_slots_held_answers_search_busy_and_card_reads_go_on(settings, fixture_cards, caplog):
    async with search_app(settings, fixture_cards, max_concurrent=2, queue_seconds=0.01) as (app, client):
        gate = app.state.search_gate
        card = next(c for c in fixture_cards if c["name"] == LLANOWAR)
        async with contextlib.AsyncExitStack() as held:
            for _ in range(2):
                await held.enter_async_context(gate.slot())
            with caplog.at_level(logging.WARNING):
                for path in (f"{BASE}/?q=t:elf", f"{BASE}/random?q=t:elf") * 2:
                    busy = await client.get(path)
                    error = assert_problem(busy, 503, "search_busy")
                    assert retry_after(busy) == 1 and error["details"] == {"max_concurrent": 2}
            # Shed on purpose: one summary warning a minute, not an error record per refused search.
            assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
            busy_warnings = [r.getMessage() for r in caplog.records if "search_busy" in r.getMessage()]
            assert len(busy_warnings) == 1 and "all 2 search slots stayed busy" in busy_warnings[0]
            # Card reads and name lookups (cheap index probes) take no slot.
            for path in (f"{BASE}/{card['id']}", f"{BASE}/named?fuzzy=llanowar", f"{BASE}/autocomplete?q=llano"):
                assert (await client.get(path)).status_code == 200, path
            # A query that cannot run is told so at once, without waiting for a slot.
            for path in (f"{BASE}/", f"{BASE}/random"):
                bad = await client.get(path, params={"q": " ".join(["-o:x"] * 199)})
                assert assert_problem(bad, 400, "invalid_query")["details"]["position"] == 5 * MAX_NEGATIONS
                assert_problem(await client.get(path, params={"q": "c:purple"}), 400, "invalid_query")
        assert gate.running == 0 and gate.waiting == 0
        assert (await client.get(f"{BASE}/?q=t:elf")).status_code == 200


async def test_a_queued_search_runs_when_a_slot_frees(settings, fixture_cards):
    async with search_app(settings, fixture_cards, max_concurrent=1, queue_seconds=60) as (app, client):
        gate = app.state.search_gate
        async with gate.slot():
            queued = asyncio.create_task(client.get(f"{BASE}/?q=t:elf"))
            await until(lambda: gate.waiting == 1 or queued.done(), "the search to queue")
            assert not queued.done()
        response = await queued
        assert response.status_code == 200 and response.json()["pagination"]["total_count"] >= 1
        assert gate.running == 0 and gate.waiting == 0


async def test_search_guard_holds_a_slot_while_its_handler_runs(settings, fixture_cards):
    """`dependencies=[SearchGuard]` is all another route needs: rate counted, slot held in the handler."""
    router = APIRouter()

    @router.get("/test/guarded", dependencies=[SearchGuard])
    async def guarded(request: Request) -> dict:
        gate = request.app.state.search_gate
        return {"running": gate.running}

    async with search_app(settings, fixture_cards, extra_routers=(router,), rate_limit="2/hour",
                          max_concurrent=1, queue_seconds=0) as (app, client):
        assert (await client.get("/test/guarded")).json() == {"running": 1}
        assert app.state.search_gate.running == 0
        async with app.state.search_gate.slot():
            assert_problem(await client.get("/test/guarded"), 503, "search_busy")
        assert_problem(await client.get("/test/guarded"), 429, "rate_limited")


async def test_slots_are_released_whatever_the_search_answers(settings, fixture_cards):
    async with search_app(settings, fixture_cards, max_concurrent=1, queue_seconds=0) as (app, client):
        answers = [await client.get(path) for path in (
            f"{BASE}/?q=foo:bar", f"{BASE}/named?exact=No Such Card", f"{BASE}/random?q=t:nosuchtype",
            f"{BASE}/?q=t:elf", f"{BASE}/autocomplete?q=ll")]
        assert [r.status_code for r in answers] == [400, 404, 404, 200, 200]
        assert app.state.search_gate.running == 0


# -- statement timeout -----------------------------------------------------------------------------

@contextlib.contextmanager
def catalog_locked(database_url: str):
    """Hold an exclusive lock on the oracle cards: every search statement waits on it."""
    holder = psycopg2.connect(database_url)
    try:
        with holder.cursor() as cur:
            cur.execute("LOCK TABLE card_catalog.oracle_cards IN ACCESS EXCLUSIVE MODE")
        yield
    finally:
        holder.rollback()
        holder.close()


async def test_a_search_past_its_time_limit_answers_search_timeout(settings, fixture_cards, database_url):
    async with search_app(settings, fixture_cards, statement_timeout_ms=100) as (app, client):
        card = next(c for c in fixture_cards if c["name"] == LLANOWAR)
        with catalog_locked(database_url):
            for path in (f"{BASE}/?q=t:elf", f"{BASE}/random?q=t:elf"):
                stopped = await client.get(path)
                error = assert_problem(stopped, 503, "search_timeout")
                assert retry_after(stopped) == 5 and error["details"] == {"limit_ms": 100}
                assert "longer than 100 ms" in error["message"]
        # The limit was the search's own: the pool's connections keep the default afterwards.
        executor = app.state.runtime.executor
        async with contextlib.AsyncExitStack() as stack:
            connections = [await stack.enter_async_context(executor.connection())
                           for _ in range(executor.pool.get_size())]
            assert {await conn.fetchval("SHOW statement_timeout") for conn in connections} == {"1min"}
        assert (await client.get(f"{BASE}/{card['id']}")).status_code == 200
        assert (await client.get(f"{BASE}/?q=t:elf")).status_code == 200


async def test_scryfall_routes_are_searches_too_and_refuse_in_scryfall_errors(settings, fixture_cards, database_url):
    async with search_app(settings, fixture_cards, rate_limit="3/hour", statement_timeout_ms=100) as (app, client):
        client_a, client_b = from_address("198.51.100.7"), from_address("198.51.100.8")
        assert (await client.get("/scryfall/cards/search?q=t:elf", headers=client_a)).status_code == 200
        with catalog_locked(database_url):
            stopped = await client.get("/scryfall/cards/search?q=t:elf", headers=client_a)
        assert stopped.status_code == 503 and retry_after(stopped) == 5
        assert stopped.json()["object"] == "error" and stopped.json()["status"] == 503
        # Named and autocomplete count against the same budget as the searches.
        assert (await client.get("/scryfall/cards/autocomplete?q=llano", headers=client_a)).status_code == 200
        refused = await client.get("/scryfall/cards/named?fuzzy=llanowar", headers=client_a)
        assert refused.status_code == 429 and retry_after(refused) >= 1
        assert refused.json()["object"] == "error" and refused.json()["status"] == 429
        assert (await client.get("/scryfall/cards/random?q=t:elf", headers=client_b)).status_code == 200


async def test_time_limited_needs_a_transaction_and_ends_with_it(app):
    async with app.state.runtime.executor.connection() as conn:
        with pytest.raises(RuntimeError, match="needs a transaction"):
            async with time_limited(conn, 50):
                pass
        with pytest.raises(StatementTimedOut) as stopped:
            async with conn.transaction(), time_limited(conn, 50):
                await conn.execute("SELECT pg_sleep(5)")
        assert stopped.value.limit_ms == 50
        assert await conn.fetchval("SHOW statement_timeout") == "1min"


# -- query bounds ----------------------------------------------------------------------------------

async def test_query_bounds_name_the_bound_and_where(client, catalog):
    costly = " ".join(["-o:x"] * 199)   # the 995-character query of issue 11
    error = assert_problem(await client.get(f"{BASE}/", params={"q": costly}), 400, "invalid_query")
    assert error["details"] == {"term": "-", "position": 5 * MAX_NEGATIONS,
                                "reason": f"query has more than {MAX_NEGATIONS} negations ('-')"}
    many = " ".join(["o:x"] * (MAX_TERMS + 1))
    error = assert_problem(await client.get(f"{BASE}/random", params={"q": many}), 400, "invalid_query")
    assert error["details"] == {"term": "o:x", "position": 4 * MAX_TERMS,
                                "reason": f"query has more than {MAX_TERMS} terms"}
    # At the bounds, a query runs.
    at_bounds = " ".join(["-o:zzz"] * MAX_NEGATIONS + ["t:elf"] * (MAX_TERMS - MAX_NEGATIONS))
    response = await client.get(f"{BASE}/", params={"q": at_bounds})
    assert response.status_code == 200 and response.json()["pagination"]["total_count"] >= 1


def test_search_routes_document_their_429_and_503(app):
    paths = app.openapi()["paths"]
    for path in ("/", "/named", "/autocomplete", "/random"):
        responses = paths[BASE + path]["get"]["responses"]
        assert "too many searches" in responses["429"]["description"]
        slotted = path in ("/", "/random")
        for code in ("search_busy", "search_timeout"):
            assert (code in responses["503"]["description"]) is slotted, (path, code)
    card_responses = paths[BASE + "/{card_id}"]["get"]["responses"]
    assert "search" not in card_responses["429"]["description"] + card_responses["503"]["description"]
