"""The Scryfall pipeline end to end against the fake Scryfall server, real Postgres: runs, steps,
resources, skips, resumable downloads, concurrency refusals and crash recovery."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import psycopg2
import pytest

from backend.new_services.integrations.scryfall_service import CATALOG_LOCK
from backend.request_handling.errors import BadRequestError, ConflictError
from tests.fixtures.scryfall import (bump_mtime, modern_card, sample_cards, scryfall_environment,
                                     set_scryfall_settings, write_bulk)

PROJECT_ROOT = Path(__file__).resolve().parents[4]


def _run(db, run_id: int) -> dict:
    with db.cursor() as cur:
        cur.execute("SELECT status, counts::text, error FROM ops.ingestion_runs WHERE id = %s", (run_id,))
        status, counts, error = cur.fetchone()
    return {"status": status, "counts": orjson.loads(counts), "error": error}


def _steps(db, run_id: int) -> dict[str, str]:
    with db.cursor() as cur:
        cur.execute("SELECT name, status FROM ops.ingestion_steps WHERE run_id = %s", (run_id,))
        return dict(cur.fetchall())


async def test_full_run_loads_everything_and_records_it(ingest_manager, fake_scryfall, db):
    result = await ingest_manager.execute_service("integrations.scryfall.run_pipeline", triggered_by="test")
    cards = sample_cards()
    assert result["status"] == "succeeded"
    assert (result["inserted"], result["updated"], result["unchanged"], result["rejected"]) == (len(cards), 0, 0, 0)
    run = _run(db, result["run_id"])
    assert run["status"] == "succeeded" and run["counts"]["inserted"] == len(cards)
    assert _steps(db, result["run_id"]) == {"fetch_metadata": "succeeded", "download": "succeeded",
                                            "load_cards": "succeeded"}
    with db.cursor() as cur:
        cur.execute("SELECT resource_type, sha256 IS NOT NULL, size_bytes > 0 FROM ops.resources WHERE run_id = %s "
                    "ORDER BY id", (result["run_id"],))
        assert cur.fetchall() == [("bulk_data:default_cards", False, True), ("sets", True, True),
                                  ("bulk_file:default_cards", True, True)]
        cur.execute("SELECT count(*) FROM card_catalog.sets WHERE origin = 'scryfall_sets'")
        assert cur.fetchone()[0] == 2
    # Every request identified itself; /sets was followed page by page.
    sets_requests = [h for path, h in fake_scryfall.behaviour.request_headers if path == "/sets"]
    assert len(sets_requests) == 2
    assert all(h["user-agent"].startswith("AutoMana/") and "application/json" in h["accept"]
               for _, h in fake_scryfall.behaviour.request_headers)

    detail = await ingest_manager.execute_service("integrations.scryfall.get_run", run_id=result["run_id"])
    assert [s["name"] for s in detail["steps"]] == ["fetch_metadata", "download", "load_cards"]
    assert all(s["duration_seconds"] is not None for s in detail["steps"])


async def test_unchanged_rerun_is_skipped_and_forced_rerun_changes_nothing(ingest_manager, fake_scryfall, db):
    first = await ingest_manager.execute_service("integrations.scryfall.run_pipeline")
    downloads = fake_scryfall.behaviour.requests.count("/files/default_cards.json.gz")
    second = await ingest_manager.execute_service("integrations.scryfall.run_pipeline")
    assert second["status"] == "skipped"
    assert f"run {first['run_id']}" in second["reason"]
    # The unchanged bulk file was not downloaded again.
    assert fake_scryfall.behaviour.requests.count("/files/default_cards.json.gz") == downloads
    assert _run(db, second["run_id"])["status"] == "skipped"
    forced = await ingest_manager.execute_service("integrations.scryfall.run_pipeline", force=True)
    assert forced["status"] == "succeeded"
    assert (forced["inserted"], forced["updated"], forced["unchanged"]) == (0, 0, len(sample_cards()))


async def test_run_with_changed_cards_updates_them(ingest_manager, fake_scryfall, fake_scryfall_data, db):
    await ingest_manager.execute_service("integrations.scryfall.run_pipeline")
    cards = sample_cards()
    cards[0]["prices"]["usd"] = "42.00"
    cards[1]["name"] = "Renamed Card"
    cards.append(modern_card(5000))
    path = write_bulk(fake_scryfall_data / "default_cards.json.gz", cards)
    bump_mtime(path)
    result = await ingest_manager.execute_service("integrations.scryfall.run_pipeline")
    assert (result["inserted"], result["updated"], result["unchanged"]) == (1, 2, len(cards) - 3)
    with db.cursor() as cur:
        cur.execute("SELECT name FROM card_catalog.card_versions WHERE card_version_id = %s", (cards[1]["id"],))
        assert cur.fetchone()[0] == "Renamed Card"


async def test_download_failing_midway_resumes_on_the_next_run(ingest_manager, fake_scryfall, db, scryfall_env):
    behaviour = fake_scryfall.behaviour
    behaviour.cut_downloads_after_bytes = 700
    behaviour.cut_downloads_times = 100          # every attempt of this run is cut
    with pytest.raises(Exception) as failed:
        await ingest_manager.execute_service("integrations.scryfall.run_pipeline")
    assert "failed after" in str(failed.value)
    with db.cursor() as cur:
        cur.execute("SELECT id, status, error FROM ops.ingestion_runs ORDER BY id")
        run_id, status, error = cur.fetchone()
    assert status == "failed" and "step download" in error
    assert _steps(db, run_id)["download"] == "failed"
    parts = list((scryfall_env / "downloads").glob("*.part"))
    assert len(parts) == 1 and parts[0].stat().st_size > 0

    behaviour.cut_downloads_times = 0
    result = await ingest_manager.execute_service("integrations.scryfall.run_pipeline")
    assert result["status"] == "succeeded" and result["inserted"] == len(sample_cards())
    ranged = [h for path, h in behaviour.request_headers if path.startswith("/files/") and "range" in h]
    assert ranged and ranged[-1]["range"] != "bytes=0-"
    with db.cursor() as cur:
        cur.execute("SELECT counts->>'resumed_from_bytes' FROM ops.ingestion_steps WHERE run_id = %s AND name = 'download'",
                    (result["run_id"],))
        assert int(cur.fetchone()[0]) > 0
    assert not list((scryfall_env / "downloads").glob("*.part"))


async def test_429_and_5xx_are_retried_honouring_retry_after(ingest_manager, fake_scryfall):
    fake_scryfall.behaviour.fail_next_with_429 = 2
    fake_scryfall.behaviour.retry_after_seconds = 0
    fake_scryfall.behaviour.fail_next_with_500 = 1
    result = await ingest_manager.execute_service("integrations.scryfall.run_pipeline")
    assert result["status"] == "succeeded"
    assert fake_scryfall.behaviour.requests[:4] == ["/bulk-data"] * 4


async def test_two_runs_started_at_once_one_is_refused(ingest_manager, fake_scryfall):
    results = await asyncio.gather(
        ingest_manager.execute_service("integrations.scryfall.start_run", triggered_by="a"),
        ingest_manager.execute_service("integrations.scryfall.start_run", triggered_by="b"),
        return_exceptions=True)
    refused = [r for r in results if isinstance(r, ConflictError)]
    started = [r for r in results if isinstance(r, dict)]
    assert len(refused) == 1 and len(started) == 1
    assert refused[0].details == {"run_id": started[0]["run_id"]}


async def test_crashed_run_is_failed_and_the_next_run_recovers(ingest_manager, fake_scryfall, db):
    # A run left 'running' by a dead worker: stale heartbeat and nobody holds the lock.
    with db.cursor() as cur:
        cur.execute("""INSERT INTO ops.ingestion_runs (pipeline, run_key, status, params, started_at, heartbeat_at)
                       VALUES ('scryfall_bulk', 'scryfall:default_cards:old', 'running', '{"bulk_type": "default_cards"}',
                               now() - interval '2 hours', now() - interval '2 hours') RETURNING id""")
        crashed = cur.fetchone()[0]
        cur.execute("INSERT INTO ops.ingestion_steps (run_id, name, status) VALUES (%s, 'load_cards', 'running')",
                    (crashed,))
    result = await ingest_manager.execute_service("integrations.scryfall.run_pipeline")
    assert result["status"] == "succeeded"
    old = _run(db, crashed)
    assert old["status"] == "failed" and old["error"].startswith("abandoned")
    assert _steps(db, crashed) == {"load_cards": "failed"}


async def test_stale_run_whose_lock_is_held_is_not_stolen(ingest_manager, fake_scryfall, db, database_url):
    with db.cursor() as cur:
        cur.execute("""INSERT INTO ops.ingestion_runs (pipeline, run_key, status, started_at, heartbeat_at)
                       VALUES ('scryfall_bulk', 'k', 'running', now() - interval '2 hours', now() - interval '2 hours')
                       RETURNING id""")
        live = cur.fetchone()[0]
    holder = psycopg2.connect(database_url)
    try:
        with holder.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (CATALOG_LOCK,))
        with pytest.raises(ConflictError):
            await ingest_manager.execute_service("integrations.scryfall.start_run")
        assert _run(db, live)["status"] == "running"
    finally:
        holder.close()


async def test_load_file_uses_an_existing_pending_run(ingest_manager, db, tmp_path, scryfall_env):
    path = write_bulk(tmp_path / "upload.json", sample_cards(8), gz=False)
    with db.cursor() as cur:
        cur.execute("""INSERT INTO ops.ingestion_runs (pipeline, run_key, status, triggered_by)
                       VALUES ('catalog_upload', 'upload:1', 'pending', 'user:1') RETURNING id""")
        run_id = cur.fetchone()[0]
    result = await ingest_manager.execute_service("integrations.scryfall.load_file", path=str(path), run_id=run_id)
    assert result["run_id"] == run_id and result["inserted"] == 8
    run = _run(db, run_id)
    assert run["status"] == "succeeded" and run["counts"]["file_sha256"]
    with pytest.raises(ConflictError):
        await ingest_manager.execute_service("integrations.scryfall.load_file", path=str(path), run_id=run_id)


async def test_load_file_refuses_while_another_load_holds_the_lock(ingest_manager, db, tmp_path, database_url,
                                                                  scryfall_env):
    path = write_bulk(tmp_path / "cards.json.gz", sample_cards(5))
    holder = psycopg2.connect(database_url)
    try:
        with holder.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (CATALOG_LOCK,))
        with pytest.raises(ConflictError):
            await ingest_manager.execute_service("integrations.scryfall.load_file", path=str(path),
                                                 lock_wait_seconds=0.3)
    finally:
        holder.close()
    with db.cursor() as cur:
        cur.execute("SELECT status FROM ops.ingestion_runs")
        assert cur.fetchone()[0] == "failed"
    result = await ingest_manager.execute_service("integrations.scryfall.load_file", path=str(path))
    assert result["inserted"] == 5


async def test_load_file_missing_path_is_a_bad_request(ingest_manager, tmp_path):
    with pytest.raises(BadRequestError):
        await ingest_manager.execute_service("integrations.scryfall.load_file", path=str(tmp_path / "nope.json"))


HELD_SET = "hld"
SAFETY_NET_SECONDS = 120   # only ever reached when something is broken; never part of what is asserted


async def _wait_until(condition, what: str, proc: subprocess.Popen | None = None, log: Path | None = None):
    """Poll `condition()` until it returns something truthy (and return that). Fails with a clear
    message if `proc` exits first or, as a safety net, after SAFETY_NET_SECONDS."""
    deadline = time.monotonic() + SAFETY_NET_SECONDS
    while not (found := condition()):
        output = log.read_text(errors="replace")[-4000:] if log is not None else ""
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the loader exited ({proc.returncode}) before {what}:\n{output}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what} after {SAFETY_NET_SECONDS} s:\n{output}")
        await asyncio.sleep(0.05)
    return found


def _start_cli_load(env: dict[str, str], log: Path) -> subprocess.Popen:
    """`automana ingest scryfall` in a process of its own, its output in `log`."""
    with open(log, "wb") as output:
        return subprocess.Popen([sys.executable, "-m", "backend.cli", "ingest", "scryfall"], env=env,
                                cwd=PROJECT_ROOT, stdout=output, stderr=subprocess.STDOUT)


def _app_backends(db) -> set[int]:
    """Backends the application's pools opened on the test database."""
    with db.cursor() as cur:
        cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND application_name = 'automana'")
        return {row[0] for row in cur.fetchall()}


def _waiting_on(db, holder_pid: int) -> tuple[int, str] | None:
    """(pid, query) of a backend waiting on a lock that `holder_pid` holds, if any."""
    with db.cursor() as cur:
        cur.execute("SELECT pid, query FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND %s = ANY(pg_blocking_pids(pid))", (holder_pid,))
        return cur.fetchone()


def _still_connected(db, pids: set[int]) -> set[int]:
    with db.cursor() as cur:
        cur.execute("SELECT pid FROM pg_stat_activity WHERE pid = ANY(%s)", (list(pids),))
        return {row[0] for row in cur.fetchall()}


def _versions_per_set(db) -> dict[str, int]:
    with db.cursor() as cur:
        cur.execute("SELECT set_code, count(*) FROM card_catalog.card_versions GROUP BY set_code")
        return dict(cur.fetchall())


async def test_worker_killed_mid_run_then_next_run_recovers(ingest_manager, fake_scryfall, fake_scryfall_data,
                                                            database_url, db, settings, tmp_path):
    """A real CLI process loading through the fake API is SIGKILLed while provably mid-load; the next
    run recovers and loads every card exactly once.

    The first 300 cards are in a set /sets knows; the other 2700 in one it does not, which the loader
    creates from the cards (INSERT ... ON CONFLICT DO NOTHING on the set code). This test holds that
    code in an uncommitted row of its own, so the loader commits whole batches of the first set and
    then waits on the row lock until it is killed: no race with the wall clock."""
    first = [modern_card(n) for n in range(1, 301)]
    rest = [modern_card(n, set_code=HELD_SET, set_name="Held Set", set_type="expansion") for n in range(301, 3001)]
    cards = first + rest
    path = write_bulk(fake_scryfall_data / "default_cards.json.gz", cards)
    bump_mtime(path)
    env = {**os.environ, **scryfall_environment(settings), "DATABASE_URL": database_url, "ENV": "test",
           "SCRYFALL_BATCH_SIZE": "100", "LOG_TO_DATABASE": "false", "PYTHONPATH": str(PROJECT_ROOT),
           "JWT_SECRET_KEY": "j" * 40, "PGP_SECRET_KEY": "p" * 40}
    log = tmp_path / "killed-loader.log"

    holder = psycopg2.connect(database_url)   # not autocommit: its transaction stays open
    try:
        with holder.cursor() as cur:
            cur.execute("INSERT INTO card_catalog.sets (set_id, code, name) VALUES (gen_random_uuid(), %s, %s)",
                        (HELD_SET, "held by the test"))
            cur.execute("SELECT pg_backend_pid()")
            holder_pid = cur.fetchone()[0]
        ours = _app_backends(db)
        proc = _start_cli_load(env, log)
        try:
            blocked_pid, blocked_query = await _wait_until(lambda: _waiting_on(db, holder_pid),
                                                           "it waited on the held set row", proc, log)
            assert "INSERT INTO card_catalog.sets" in blocked_query
            loader_backends = _app_backends(db) - ours
            assert blocked_pid in loader_backends
            proc.send_signal(signal.SIGKILL)
            assert proc.wait() == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        # Postgres notices a vanished client only when it next talks to it: the backend still waits on
        # our row. End it (it never commits anything), then let its idle siblings notice the closed
        # sockets and go, releasing the run's advisory lock.
        with db.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s, 60000)", (blocked_pid,))
            assert cur.fetchone()[0] is True
        await _wait_until(lambda: not _still_connected(db, loader_backends),
                          "the killed loader's connections to close")
    finally:
        holder.rollback()
        holder.close()

    with db.cursor() as cur:
        cur.execute("SELECT id, status FROM ops.ingestion_runs")
        (killed_id, status), = cur.fetchall()
        cur.execute("SELECT count(*) FROM card_catalog.sets WHERE code = %s", (HELD_SET,))
        assert cur.fetchone()[0] == 0
    assert status == "running"          # nobody marked it: the process died
    committed = _versions_per_set(db)
    # Mid-load: whole batches of the first set are committed, nothing of the held one.
    assert set(committed) == {"tst"} and committed["tst"] in (100, 200, 300), committed
    loaded_before = committed["tst"]

    recovered = await ingest_manager.execute_service("integrations.scryfall.start_run", stale_after_seconds=0)
    assert recovered["recovered"] == [killed_id]
    assert _run(db, killed_id)["status"] == "failed"
    assert _steps(db, killed_id) == {"fetch_metadata": "succeeded", "download": "succeeded", "load_cards": "failed"}
    with db.cursor() as cur:
        cur.execute("UPDATE ops.ingestion_runs SET status = 'failed' WHERE id = %s", (recovered["run_id"],))
    result = await ingest_manager.execute_service("integrations.scryfall.run_pipeline")
    assert result["status"] == "succeeded"
    assert (result["inserted"], result["unchanged"], result["rejected"]) == \
        (len(cards) - loaded_before, loaded_before, 0)
    assert _versions_per_set(db) == {"tst": len(first), HELD_SET: len(rest)}
    with db.cursor() as cur:
        cur.execute("SELECT name, origin FROM card_catalog.sets WHERE code = %s", (HELD_SET,))
        assert cur.fetchall() == [("Held Set", "card")]
        # Four prices per card (usd, usd_foil, eur, tix), each stored once, the killed batches' included.
        cur.execute("SELECT count(*), count(DISTINCT card_version_id) FROM pricing.price_observations")
        assert cur.fetchone() == (4 * len(cards), len(cards))
        cur.execute("SELECT count(*) FROM card_catalog.oracle_cards")
        assert cur.fetchone()[0] == len(cards)


async def test_old_downloads_are_pruned(ingest_manager, fake_scryfall, fake_scryfall_data, scryfall_env, settings):
    set_scryfall_settings(settings, keep_downloads=2)
    path = fake_scryfall_data / "default_cards.json.gz"
    for hours in range(3):
        cards = sample_cards()
        cards.append(modern_card(6000 + hours))
        write_bulk(path, cards)
        bump_mtime(path, 3600 * (hours + 1))
        result = await ingest_manager.execute_service("integrations.scryfall.run_pipeline")
        assert result["status"] == "succeeded"
    assert len(list((scryfall_env / "downloads").glob("default_cards-*.json.gz"))) == 2


async def test_abandoned_file_runs_are_failed_by_the_next_file_load(ingest_manager, db, tmp_path, scryfall_env):
    with db.cursor() as cur:
        cur.execute("""INSERT INTO ops.ingestion_runs (pipeline, run_key, status, started_at, heartbeat_at)
                       VALUES ('scryfall_file', 'file:x', 'running', now() - interval '2 hours',
                               now() - interval '2 hours') RETURNING id""")
        abandoned = cur.fetchone()[0]
    path = write_bulk(tmp_path / "cards.json.gz", sample_cards(4))
    result = await ingest_manager.execute_service("integrations.scryfall.load_file", path=str(path))
    assert result["inserted"] == len(sample_cards(4))
    assert _run(db, abandoned)["status"] == "failed"
    with pytest.raises(BadRequestError):
        await ingest_manager.execute_service("integrations.scryfall.load_file", path=str(path), observed_on="soon")


async def test_truncated_bulk_file_fails_the_run_and_the_complete_file_finishes_it(ingest_manager, db, tmp_path,
                                                                                   scryfall_env):
    """A gzipped file cut short (an interrupted copy) fails its run with the reason once the batches read
    before the cut are written (each whole, with its prices); the complete file then adds the rest."""
    full = write_bulk(tmp_path / "full.json.gz", [modern_card(n) for n in range(1, 3001)])
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size * 2 // 3])
    with pytest.raises(EOFError):
        await ingest_manager.execute_service("integrations.scryfall.load_file", path=str(cut))
    with db.cursor() as cur:
        cur.execute("SELECT id FROM ops.ingestion_runs ORDER BY id")
        (failed_run,) = cur.fetchone()
        cur.execute("SELECT (SELECT count(*) FROM card_catalog.card_versions),"
                    "       (SELECT count(*) FROM pricing.latest_prices)")
        loaded, prices = cur.fetchone()
    run = _run(db, failed_run)
    assert run["status"] == "failed" and "end-of-stream" in run["error"]
    # Every batch read before the cut is written, and whole: modern_card has four prices.
    assert 0 < loaded < 3000 and prices == 4 * loaded
    result = await ingest_manager.execute_service("integrations.scryfall.load_file", path=str(full))
    assert result["inserted"] == 3000 - loaded and result["unchanged"] == loaded
    with db.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM card_catalog.card_versions),"
                    "       (SELECT count(*) FROM pricing.latest_prices)")
        assert cur.fetchone() == (3000, 4 * 3000)


def _set_bulk_date(path: Path, day: str) -> None:
    """Make the fake report `day` (noon UTC) as the bulk file's updated_at."""
    import datetime as dt
    stamp = dt.datetime.fromisoformat(f"{day}T12:00:00+00:00").timestamp()
    os.utime(path, (stamp, stamp))


async def test_bulk_updated_at_dates_printings_and_an_older_bulk_file_reverts_nothing(
        ingest_manager, fake_scryfall, fake_scryfall_data, db):
    import datetime as dt
    path = fake_scryfall_data / "default_cards.json.gz"
    _set_bulk_date(path, "2026-11-30")
    cards = sample_cards()
    await ingest_manager.execute_service("integrations.scryfall.run_pipeline")
    card_id = cards[0]["id"]

    def row():
        with db.cursor() as cur:
            cur.execute("""SELECT v.source_date, v.price_usd, d.document->'prices'->>'usd'
                           FROM card_catalog.card_versions v JOIN card_catalog.card_documents d USING (card_version_id)
                           WHERE card_version_id = %s""", (card_id,))
            return cur.fetchone()

    newer = row()
    assert newer[0] == dt.date(2026, 11, 30)
    cards[0]["prices"]["usd"] = None                          # what a 2019 dump says
    write_bulk(path, cards)
    _set_bulk_date(path, "2019-06-01")
    older = await ingest_manager.execute_service("integrations.scryfall.run_pipeline")
    assert (older["status"], older["updated"], older["skipped_older"]) == ("succeeded", 0, 1)
    assert row() == newer
    forced = await ingest_manager.execute_service("integrations.scryfall.run_pipeline", force=True)
    assert (forced["updated"], forced["skipped_older"]) == (1, 0)
    assert row() == (dt.date(2019, 6, 1), None, None)
