"""A Celery worker's child SIGKILLed in the middle of a load (issue 11, fault tests): the task is
acknowledged late and rejected on worker loss, so it is redelivered to the replacement child and
finishes; every card and price is stored exactly once.

"Mid-task" is deterministic: the uploaded file's first cards are in one set, the rest in a set the
test holds in an uncommitted row; the child is killed while pg_stat_activity shows its loader waiting
on that row. Real worker processes (prefork, one child), real broker (the test's own Redis).
"""
from __future__ import annotations

import os

import psycopg2

from tests.fixtures.faults import (
    admin_token_headers,
    blocked_on,
    hold_new_set,
    kill_and_wait,
    prefork_children,
    running_app,
    scalar,
    task_events,
    wait_until,
    worker_process,
)
from tests.fixtures.scryfall import modern_card, set_scryfall_settings, write_bulk

UPLOAD = "/api/catalog/mtg/card-reference/upload-file"
LOAD_TASK = "automana.catalog.load_card_upload"
HELD_SET = "hld"
FIRST_SET_CARDS = 300
TOTAL_CARDS = 3000
PRICES_PER_CARD = 4   # modern_card: usd, usd_foil, eur, tix


def held_cards() -> list[dict]:
    cards = [modern_card(n) for n in range(1, FIRST_SET_CARDS + 1)]
    return cards + [modern_card(n, set_code=HELD_SET, set_name="Held Set", set_type="expansion")
                    for n in range(FIRST_SET_CARDS + 1, TOTAL_CARDS + 1)]


def run_status(conn, run_id: int) -> str:
    return scalar(conn, "SELECT status FROM ops.ingestion_runs WHERE id = %s", run_id)


async def test_worker_child_killed_mid_upload_load_is_redelivered_and_loads_exactly_once(own_settings, own_postgres,
                                                                                         tmp_path):
    set_scryfall_settings(own_settings, batch_size=100)   # the worker reads SCRYFALL_* from its environment
    body = write_bulk(tmp_path / "cards.json", held_cards(), gz=False).read_bytes()
    log = tmp_path / "worker.log"
    async with running_app(own_settings) as (app, client):
        admin = await admin_token_headers(app)
        with worker_process(own_settings, log) as worker:
            watch = own_postgres.connect()
            holder = psycopg2.connect(own_postgres.url)   # not autocommit: the held row stays uncommitted
            try:
                holder_pid = hold_new_set(holder, HELD_SET)
                accepted = await client.post(UPLOAD, files={"file": ("cards.json", body, "application/json")},
                                             headers=admin)
                assert accepted.status_code == 202, accepted.text
                run_id = accepted.json()["data"]["run_id"]
                upload_path = scalar(watch, "SELECT params->>'path' FROM ops.ingestion_runs WHERE id = %s", run_id)

                blocked_pid, query = await wait_until(lambda: blocked_on(watch, holder_pid),
                                                      "the worker's loader to wait on the held set row",
                                                      proc=worker, log=log)
                assert "INSERT INTO card_catalog.sets" in query
                children = prefork_children(worker)
                assert len(children) == 1, children
                kill_and_wait(children[0])
                assert run_status(watch, run_id) == "running"   # nobody could mark it: the process died

                # Postgres notices a vanished client only when it next talks to it: the killed child's
                # backend still waits on our row. End it (it never commits), then release the row.
                assert scalar(watch, "SELECT pg_terminate_backend(%s, 60000)", blocked_pid) is True
                holder.rollback()

                await wait_until(lambda: run_status(watch, run_id) in ("succeeded", "failed", "skipped"),
                                 "the redelivered load to finish", proc=worker, log=log)
                with watch.cursor() as cur:
                    cur.execute("SELECT status, error, counts->>'inserted', counts->>'unchanged' "
                                "FROM ops.ingestion_runs WHERE id = %s", (run_id,))
                    status, error, inserted, unchanged = cur.fetchone()
                assert (status, error) == ("succeeded", None), log.read_text()[-4000:]
                # The second delivery skipped what the first committed and added the rest.
                assert int(unchanged) > 0 and int(inserted) + int(unchanged) == TOTAL_CARDS, (inserted, unchanged)
                assert scalar(watch, "SELECT count(*) FROM card_catalog.card_versions") == TOTAL_CARDS
                assert scalar(watch, "SELECT count(*) FROM card_catalog.oracle_cards") == TOTAL_CARDS
                assert scalar(watch, "SELECT count(*) FROM pricing.price_observations") \
                    == PRICES_PER_CARD * TOTAL_CARDS
                assert scalar(watch, "SELECT count(DISTINCT card_version_id) FROM pricing.price_observations") \
                    == TOTAL_CARDS
                assert scalar(watch, "SELECT count(*) FROM pricing.latest_prices") == PRICES_PER_CARD * TOTAL_CARDS
                assert scalar(watch, "SELECT count(*) FROM card_catalog.sets WHERE code = %s", HELD_SET) == 1
                assert not os.path.exists(upload_path)   # removed once loaded
                # One message, delivered twice (to the killed child, then to its replacement), finished once.
                events = task_events(log, LOAD_TASK)
                assert [event for _, event in events] == ["received", "received", "succeeded"], events
                assert len({task_id for task_id, _ in events}) == 1, events
                assert "WorkerLostError" in log.read_text(errors="replace")
            finally:
                holder.close()
                watch.close()
