"""The backup job's scripts, run natively: a dump restores into an empty database with the same data."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import psycopg2
import pytest

from tests.fixtures.services import migrate_url, scratch_database

ROOT = Path(__file__).resolve().parents[2]


def _client_major(bin_dir: str | None) -> int | None:
    pg_dump = shutil.which("pg_dump", path=bin_dir)
    if not pg_dump:
        return None
    match = re.search(r"(\d+)", subprocess.run([pg_dump, "--version"], capture_output=True, text=True).stdout)
    return int(match.group(1)) if match else None


def _client_bin_dir(server_major: int) -> str | None:
    """The machine's client tools, or the embedded server's own when the machine's are older."""
    candidates = [None]
    try:
        import pgserver

        candidates.append(str(Path(pgserver.__file__).parent / "pginstall" / "bin"))
    except ImportError:
        pass
    for bin_dir in candidates:
        major = _client_major(bin_dir)
        if major is not None and major >= server_major:
            return bin_dir or os.environ.get("PATH", "")
    return None


@pytest.fixture
def restore_target(postgres_server_url):
    with scratch_database(postgres_server_url, "restore") as url:
        yield url


def test_backup_then_restore_round_trip(database_url, db, restore_target, tmp_path):
    server = db.server_version // 10000
    bin_dir = _client_bin_dir(server)
    if bin_dir is None:
        pytest.skip(f"no pg_dump able to dump a PostgreSQL {server} server")
    path = bin_dir + os.pathsep + os.environ.get("PATH", "")
    with db.cursor() as cur:
        cur.execute("INSERT INTO ops.log_records (level, logger, message, service_type) "
                    "VALUES ('ERROR', 'backup-test', 'must survive', 'api')")
    env = {**os.environ, "PATH": path, "DATABASE_URL": database_url, "BACKUP_DIR": str(tmp_path), "BACKUP_RETENTION_DAYS": "14"}
    old = tmp_path / "automana-20000101T000000Z.dump"
    old.write_bytes(b"stale")
    os.utime(old, (0, 0))  # older than the retention window
    subprocess.run(["sh", str(ROOT / "deploy" / "backup" / "backup.sh")], env=env, check=True, capture_output=True)
    dumps = sorted(tmp_path.glob("automana-*.dump"))
    assert len(dumps) == 1 and dumps[0] != old, "retention removes old dumps and keeps the new one"

    subprocess.run(["sh", str(ROOT / "deploy" / "backup" / "restore.sh"), str(dumps[0])],
                   env={**os.environ, "PATH": path, "DATABASE_URL": restore_target}, check=True, capture_output=True)
    conn = psycopg2.connect(restore_target)
    with conn.cursor() as cur:
        cur.execute("SELECT message FROM ops.log_records WHERE logger = 'backup-test'")
        assert cur.fetchall() == [("must survive",)]
        cur.execute("SELECT count(*) FROM public.schema_migrations")
        migrated = cur.fetchone()[0]
    conn.close()
    from backend.database.migrate import list_migrations

    assert migrated == len(list_migrations())
    assert migrate_url(restore_target) == []  # a restored database is current


def test_restore_refuses_a_missing_file(tmp_path):
    result = subprocess.run(["sh", str(ROOT / "deploy" / "backup" / "restore.sh"), str(tmp_path / "nope.dump")],
                            env={**os.environ, "DATABASE_URL": "postgresql://x@127.0.0.1/none"},
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "cannot read" in result.stderr
