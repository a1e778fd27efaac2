"""Postgres restarted in the middle of a Scryfall load (issue 11, fault tests): the run does not
hang, is marked failed with a reason (at the latest when the next run recovers it as abandoned),
whole batches committed before the restart stay, and the next run loads the rest with nothing
duplicated: cards, printings and prices counted exactly.

"Mid-load" is deterministic: the first cards are in one set, the rest in a set the test holds in an
uncommitted row, so the loader commits whole batches of the first set and then waits on that row
(seen in pg_stat_activity) when the server is restarted.
"""
from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import psycopg2
import pytest

from backend.integrations.scryfall.fake_server import FakeScryfallServer
from backend.request_handling.QueryExecutor import CONNECTION_LOST
from tests.fixtures.faults import (
    admin_token_headers,
    blocked_on,
    fault_settings,
    hold_new_set,
    running_app,
    scalar,
    task_events,
    wait_until,
    worker_process,
)
from tests.fixtures.scryfall import SETS, modern_card, set_scryfall_settings, write_bulk

RUNS = "/api/integrations/scryfall/runs"
LOAD_BULK = "automana.scryfall.load_bulk"
HELD_SET = "hld"
FIRST_SET_CARDS = 300
TOTAL_CARDS = 3000
BATCH = 100
PRICES_PER_CARD = 4   # modern_card: usd, usd_foil, eur, tix


def write_held_bulk(path: Path) -> Path:
    cards = [modern_card(n) for n in range(1, FIRST_SET_CARDS + 1)]
    cards += [modern_card(n, set_code=HELD_SET, set_name="Held Set", set_type="expansion")
              for n in range(FIRST_SET_CARDS + 1, TOTAL_CARDS + 1)]
    return write_bulk(path, cards)


def catalog_counts(conn) -> dict[str, object]:
    with conn.cursor() as cur:
        cur.execute("SELECT set_code, count(*) FROM card_catalog.card_versions GROUP BY set_code")
        per_set = dict(cur.fetchall())
    return {
        "versions_per_set": per_set,
        "oracle_cards": scalar(conn, "SELECT count(*) FROM card_catalog.oracle_cards"),
        "price_observations": scalar(conn, "SELECT count(*) FROM pricing.price_observations"),
        "priced_versions": scalar(conn, "SELECT count(DISTINCT card_version_id) FROM pricing.price_observations"),
        "latest_prices": scalar(conn, "SELECT count(*) FROM pricing.latest_prices"),
        "held_sets": scalar(conn, "SELECT count(*) FROM card_catalog.sets WHERE code = %s", HELD_SET),
    }


EVERYTHING_ONCE = {
    "versions_per_set": {"tst": FIRST_SET_CARDS, HELD_SET: TOTAL_CARDS - FIRST_SET_CARDS},
    "oracle_cards": TOTAL_CARDS,
    "price_observations": PRICES_PER_CARD * TOTAL_CARDS,
    "priced_versions": TOTAL_CARDS,
    "latest_prices": PRICES_PER_CARD * TOTAL_CARDS,
    "held_sets": 1,
}


def committed_before_the_restart(conn) -> int:
    """Whole batches of the first set are committed, each with all its prices; nothing of the held
    set. Returns how many cards."""
    before = catalog_counts(conn)
    loaded = before["versions_per_set"].get("tst", 0)
    assert set(before["versions_per_set"]) == {"tst"}, before
    assert 0 < loaded <= FIRST_SET_CARDS and loaded % BATCH == 0, before
    assert before["latest_prices"] == before["price_observations"] == PRICES_PER_CARD * loaded, before
    assert before["held_sets"] == 0, before
    return loaded


def runs(conn) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute("SELECT id, status, error FROM ops.ingestion_runs ORDER BY id")
        return cur.fetchall()


def steps(conn, run_id: int) -> dict[str, str]:
    with conn.cursor() as cur:
        cur.execute("SELECT name, status FROM ops.ingestion_steps WHERE run_id = %s", (run_id,))
        return dict(cur.fetchall())


async def test_postgres_restart_mid_load_then_next_run_loads_the_rest_exactly_once(own_postgres, tmp_path):
    """`integrations.scryfall.load_file` in the app's process (as the CLI and uploads run it); Postgres
    restarts while it waits on the held row."""
    settings = fault_settings(own_postgres, None, tmp_path / "data")
    set_scryfall_settings(settings, batch_size=BATCH)   # two concurrent writers (the default)
    path = write_held_bulk(tmp_path / "cards.json.gz")
    async with running_app(settings) as (app, _client):
        manager = app.state.service_manager
        watch = own_postgres.connect()
        holder = psycopg2.connect(own_postgres.url)   # not autocommit: the held row stays uncommitted
        try:
            holder_pid = hold_new_set(holder, HELD_SET)
            load = asyncio.create_task(manager.execute_service(
                "integrations.scryfall.load_file", path=str(path), lock_wait_seconds=0))
            _, query = await wait_until(lambda: blocked_on(watch, holder_pid),
                                        "the loader to wait on the held set row", task=load)
            assert "INSERT INTO card_catalog.sets" in query
            await asyncio.to_thread(own_postgres.restart)
            # The loader's sessions were terminated: it fails (it does not hang, nor go on half-done).
            with pytest.raises(CONNECTION_LOST):
                await load
        finally:
            holder.close()   # terminated by the restart: its row was never committed
            watch.close()

        check = own_postgres.connect()
        try:
            (killed_id, killed_status, _), = runs(check)
            assert killed_status in ("running", "failed")   # failed now, or abandoned until the next run
            loaded = committed_before_the_restart(check)

            # The next run, once the first is past the stale threshold (no heartbeat, no lock), recovers it.
            set_scryfall_settings(settings, stale_run_seconds=0.001)
            result = await manager.execute_service("integrations.scryfall.load_file", path=str(path),
                                                   lock_wait_seconds=0)
            assert result["status"] == "succeeded"
            assert (result["inserted"], result["updated"], result["unchanged"], result["rejected"]) == \
                (TOTAL_CARDS - loaded, 0, loaded, 0), result

            (first_id, first_status, first_error), (second_id, second_status, _) = runs(check)
            assert (first_id, first_status, second_status) == (killed_id, "failed", "succeeded")
            assert first_error, "the failed run carries its reason"
            assert steps(check, killed_id)["load_cards"] == "failed"
            assert steps(check, second_id)["load_cards"] == "succeeded"
            assert catalog_counts(check) == EVERYTHING_ONCE
        finally:
            check.close()


async def test_postgres_restart_mid_worker_chain_then_next_triggered_run_loads_the_rest_exactly_once(
        own_settings, own_postgres, tmp_path):
    """The same through the API and a real worker: a run triggered over HTTP goes through the Celery
    chain (fetch metadata, download from the fake Scryfall, load); Postgres restarts while load_bulk
    waits on the held row. The task fails (the worker lives on), the run is failed with its reason by
    the next triggered run (recovered as abandoned), which loads the rest exactly once."""
    fake_data = tmp_path / "fake-scryfall"
    fake_data.mkdir()
    write_held_bulk(fake_data / "default_cards.json.gz")
    (fake_data / "sets.json").write_bytes(orjson.dumps(SETS))
    fake = FakeScryfallServer(fake_data).start()
    set_scryfall_settings(own_settings, base_url=fake.base_url, download_dir=tmp_path / "downloads",
                          backoff_base_seconds=0.01, max_retries=3, batch_size=BATCH)
    log = tmp_path / "worker.log"
    try:
        async with running_app(own_settings) as (app, client):
            admin = await admin_token_headers(app)
            with worker_process(own_settings, log) as worker:   # it reads the SCRYFALL_* settings above
                watch = own_postgres.connect()
                holder = psycopg2.connect(own_postgres.url)
                try:
                    holder_pid = hold_new_set(holder, HELD_SET)
                    triggered = await client.post(RUNS, headers=admin)
                    assert triggered.status_code == 202, triggered.text
                    first_run = triggered.json()["data"]["run_id"]
                    _, query = await wait_until(lambda: blocked_on(watch, holder_pid),
                                                "load_bulk to wait on the held set row", proc=worker, log=log)
                    assert "INSERT INTO card_catalog.sets" in query
                    await asyncio.to_thread(own_postgres.restart)
                    await wait_until(lambda: [e for _, e in task_events(log, LOAD_BULK) if e != "received"],
                                     "the interrupted load_bulk task to end", proc=worker, log=log)
                finally:
                    holder.close()
                    watch.close()

                check = own_postgres.connect()
                try:
                    # The task failed (the worker process lives on); nothing was left half-written.
                    assert [e for _, e in task_events(log, LOAD_BULK)] == ["received", "raised"]
                    assert scalar(check, "SELECT status FROM ops.ingestion_runs WHERE id = %s", first_run) \
                        in ("running", "failed")
                    loaded = committed_before_the_restart(check)

                    # The next run, triggered once the first is past the stale threshold, recovers it.
                    set_scryfall_settings(own_settings, stale_run_seconds=0.001)   # read by the API's start_run
                    triggered = await client.post(RUNS, headers=admin)
                    assert triggered.status_code == 202, triggered.text
                    second_run = triggered.json()["data"]["run_id"]
                    await wait_until(lambda: scalar(check, "SELECT status FROM ops.ingestion_runs WHERE id = %s",
                                                    second_run) in ("succeeded", "failed", "skipped"),
                                     "the next run to finish", proc=worker, log=log)
                    assert [e for _, e in task_events(log, LOAD_BULK)] == \
                        ["received", "raised", "received", "succeeded"]
                    with check.cursor() as cur:
                        cur.execute("SELECT id, status, error, counts->>'inserted', counts->>'unchanged' "
                                    "FROM ops.ingestion_runs ORDER BY id")
                        (id1, status1, error1, _, _), (id2, status2, error2, inserted, unchanged) = cur.fetchall()
                    assert (id1, status1, id2, status2, error2) == \
                        (first_run, "failed", second_run, "succeeded", None)
                    assert error1, "the failed run carries its reason"
                    assert (int(inserted), int(unchanged)) == (TOTAL_CARDS - loaded, loaded)
                    assert catalog_counts(check) == EVERYTHING_ONCE
                finally:
                    check.close()
    finally:
        fake.stop()
