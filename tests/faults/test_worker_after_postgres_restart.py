"""A Celery worker that was idle while Postgres restarted (issue 11, fault tests): its child's pooled
connections died with the old server without its event loop (which only runs during a task) seeing
it. Its next task must still run: the load finishes, and the run never stays pending."""
from __future__ import annotations

import asyncio

from tests.fixtures.faults import (
    admin_token_headers,
    running_app,
    scalar,
    task_events,
    wait_until,
    worker_process,
)
from tests.fixtures.scryfall import modern_card, write_bulk

UPLOAD = "/api/catalog/mtg/card-reference/upload-file"
LOAD_TASK = "automana.catalog.load_card_upload"


async def upload(client, admin, tmp_path, name: str, cards: list[dict]) -> int:
    body = write_bulk(tmp_path / name, cards, gz=False).read_bytes()
    accepted = await client.post(UPLOAD, files={"file": (name, body, "application/json")}, headers=admin)
    assert accepted.status_code == 202, accepted.text
    return accepted.json()["data"]["run_id"]


def finished_tasks(log) -> list[tuple[str, str]]:
    return [(task_id, event) for task_id, event in task_events(log, LOAD_TASK) if event != "received"]


async def test_worker_idle_during_a_postgres_restart_runs_its_next_task(own_settings, own_postgres, tmp_path):
    log = tmp_path / "worker.log"
    async with running_app(own_settings) as (app, client):
        admin = await admin_token_headers(app)
        with worker_process(own_settings, log) as worker:
            first = await upload(client, admin, tmp_path, "first.json", [modern_card(n) for n in range(1, 11)])
            await wait_until(lambda: len(finished_tasks(log)) == 1, "the first load", proc=worker, log=log)

            await asyncio.to_thread(own_postgres.restart)   # the worker is idle meanwhile

            second = await upload(client, admin, tmp_path, "second.json", [modern_card(n) for n in range(11, 21)])
            await wait_until(lambda: len(finished_tasks(log)) == 2, "the second load", proc=worker, log=log)
        db = own_postgres.connect()
        try:
            with db.cursor() as cur:
                cur.execute("SELECT id, status, error FROM ops.ingestion_runs ORDER BY id")
                runs = cur.fetchall()
            cards = scalar(db, "SELECT count(*) FROM card_catalog.card_versions")
        finally:
            db.close()
    outcomes = [event for _, event in finished_tasks(log)]
    assert (runs, cards, outcomes) == ([(first, "succeeded", None), (second, "succeeded", None)], 20,
                                       ["succeeded", "succeeded"])
