"""Migrations: applied in order, each once, under a lock; fresh and up-to-date databases agree."""
from __future__ import annotations

import threading

import psycopg2
import pytest

from backend.core.database import SyncPool
from backend.database.migrate import MigrationError, list_migrations, pending_migrations
from tests.fixtures.services import migrate_url, scratch_database

SCHEMA_FINGERPRINT = """
SELECT table_schema, table_name, column_name, data_type, is_nullable, coalesce(column_default, ''),
       coalesce(generation_expression, '')
FROM information_schema.columns
WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1, 2, 3
"""
INDEX_FINGERPRINT = """
SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes
WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2, 3
"""


def fingerprint(url: str) -> tuple[list, list]:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(SCHEMA_FINGERPRINT)
            columns = cur.fetchall()
            cur.execute(INDEX_FINGERPRINT)
            indexes = cur.fetchall()
        return columns, indexes
    finally:
        conn.close()


@pytest.fixture
def empty_database(postgres_server_url):
    with scratch_database(postgres_server_url, "empty") as url:
        yield url


def test_fresh_and_up_to_date_databases_have_the_same_schema(empty_database, database_url):
    applied = migrate_url(empty_database)
    assert [m.version for m in applied] == [m.version for m in list_migrations()]
    assert migrate_url(empty_database) == []  # the second run applies nothing
    assert migrate_url(database_url) == []   # the template-cloned test database is already current
    assert fingerprint(empty_database) == fingerprint(database_url)
    assert _pending(empty_database) == []


def test_concurrent_runs_apply_each_migration_once(empty_database):
    results: list[list] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(migrate_url(empty_database))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(len(r) for r in results) == [0, 0, len(list_migrations())]


def test_edited_applied_migration_is_refused(empty_database, tmp_path):
    (tmp_path / "0001_first.sql").write_text("CREATE TABLE public.t1 (id int);")
    migrate_url(empty_database, tmp_path)
    (tmp_path / "0001_first.sql").write_text("CREATE TABLE public.t1 (id bigint);")
    with pytest.raises(MigrationError, match="changed after it was applied"):
        migrate_url(empty_database, tmp_path)


def test_failed_migration_leaves_nothing_half_applied(empty_database, tmp_path):
    (tmp_path / "0001_ok.sql").write_text("CREATE TABLE public.ok_table (id int);")
    (tmp_path / "0002_broken.sql").write_text("CREATE TABLE public.half (id int); SELECT no_such_function();")
    with pytest.raises(MigrationError, match="0002_broken.sql"):
        migrate_url(empty_database, tmp_path)
    conn = psycopg2.connect(empty_database)
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('public.ok_table') IS NOT NULL, to_regclass('public.half') IS NOT NULL")
        assert cur.fetchone() == (True, False)
        cur.execute("SELECT version FROM public.schema_migrations")
        assert [r[0] for r in cur.fetchall()] == [1]
    conn.close()


def test_badly_named_file_is_refused(tmp_path):
    (tmp_path / "first.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNNN_name.sql"):
        list_migrations(tmp_path)


def _pending(database_url: str) -> list:
    pool = SyncPool.for_url(database_url)
    try:
        return pending_migrations(pool)
    finally:
        pool.close()
