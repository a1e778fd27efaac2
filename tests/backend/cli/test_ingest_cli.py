"""`automana ingest scryfall --file`: a real CLI process loading a local file, no network."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson

from tests.fixtures.scryfall import SETS, sample_cards, write_bulk

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def _cli(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "ENV": "test", "PYTHONPATH": str(PROJECT_ROOT),
           "COLUMNS": "120", "JWT_SECRET_KEY": "j" * 40, "PGP_SECRET_KEY": "p" * 40}
    env.pop("SCRYFALL_BASE_URL", None)
    return subprocess.run([sys.executable, "-m", "backend.cli", *args], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)


def test_ingest_file_prints_progress_and_a_summary(database_url, db, tmp_path):
    bulk = write_bulk(tmp_path / "cards.json.gz", sample_cards())
    sets = tmp_path / "sets.json"
    sets.write_bytes(orjson.dumps({"object": "list", "data": SETS}))
    done = _cli("ingest", "scryfall", "--file", str(bulk), "--sets-file", str(sets), database_url=database_url)
    assert done.returncode == 0, done.stderr
    assert "cards" in done.stderr and "succeeded" in done.stderr
    assert "inserted" in done.stderr and str(len(sample_cards())) in done.stderr
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM card_catalog.card_versions")
        assert cur.fetchone()[0] == len(sample_cards())
        cur.execute("SELECT pipeline, status, triggered_by FROM ops.ingestion_runs")
        assert cur.fetchall() == [("scryfall_file", "succeeded", "cli")]
        # the run's events are stored for /api/logs even though the CLI process has exited
        cur.execute("SELECT count(*) FROM ops.log_records WHERE service_type = 'pipeline'")
        assert cur.fetchone()[0] > 0


def test_ingest_rejects_a_missing_file_and_an_unknown_bulk_type(database_url, tmp_path):
    missing = _cli("ingest", "scryfall", "--file", str(tmp_path / "none.json"), database_url=database_url)
    assert missing.returncode == 2 and "Invalid value" in missing.stderr
    bad = _cli("ingest", "scryfall", "--bulk-type", "everything", database_url=database_url)
    assert bad.returncode == 2 and "unknown bulk type" in bad.stderr


def test_older_file_is_skipped_unless_forced(database_url, db, tmp_path):
    import datetime as dt

    cards = sample_cards()
    # A Scryfall bulk file name dates its data.
    newer = write_bulk(tmp_path / "default-cards-20261130101010.json.gz", cards)
    assert _cli("ingest", "scryfall", "--file", str(newer), database_url=database_url).returncode == 0
    old_cards = sample_cards()
    old_cards[0]["prices"]["usd"] = None
    older = write_bulk(tmp_path / "old-dump.json.gz", old_cards)

    def stored():
        with db.cursor() as cur:
            cur.execute("SELECT source_date, price_usd IS NULL FROM card_catalog.card_versions "
                        "WHERE card_version_id = %s", (cards[0]["id"],))
            return cur.fetchone()

    assert stored() == (dt.date(2026, 11, 30), False)
    skipped = _cli("ingest", "scryfall", "--file", str(older), "--observed-on", "2019-06-01", database_url=database_url)
    assert skipped.returncode == 0, skipped.stderr
    assert "skipped older" in skipped.stderr
    assert stored() == (dt.date(2026, 11, 30), False)
    forced = _cli("ingest", "scryfall", "--file", str(older), "--observed-on", "2019-06-01", "--force",
                  database_url=database_url)
    assert forced.returncode == 0, forced.stderr
    assert stored() == (dt.date(2019, 6, 1), True)
    bad = _cli("ingest", "scryfall", "--file", str(older), "--observed-on", "June", database_url=database_url)
    assert bad.returncode == 2 and "not a date" in bad.stderr
