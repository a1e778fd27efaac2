"""`automana create-admin`: creates a real admin from the environment's password, never a default
one; bad input is one clear line and exit 2, never a traceback; no server is guessed."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def automana(*args: str, database_url: str | None, password: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "AUTOMANA_", "REDIS_"))}
    env.update({"ENV": "test", "JWT_SECRET_KEY": "j" * 40, "PGP_SECRET_KEY": "p" * 40, "LOG_TO_DATABASE": "false",
                "PYTHONPATH": str(PROJECT_ROOT)})
    if database_url:
        env["DATABASE_URL"] = database_url
    if password is not None:
        env["AUTOMANA_ADMIN_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "backend.cli", *args], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def users(db) -> int:
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM user_management.users")
        return cur.fetchone()[0]


def test_create_admin_from_env_then_login(database_url, db):
    done = automana("create-admin", "--username", "root-admin", "--email", "ops@example.com",
                    database_url=database_url, password="Operator-Chosen-Secret-1")
    assert done.returncode == 0, done.stderr
    with db.cursor() as cur:
        cur.execute("""SELECT u.password_hash, r.role_name FROM user_management.users u
                       JOIN user_management.user_roles r ON r.user_id = u.id WHERE u.username = 'root-admin'""")
        password_hash, role = cur.fetchone()
        cur.execute("SELECT actor_username, action FROM user_management.role_audit")
        audit = cur.fetchall()
    assert role == "admin" and password_hash.startswith("$argon2id$")
    assert audit[0][1] == "grant" and audit[0][0].startswith("cli:")


def test_bad_input_is_one_line_and_exit_2(database_url, db):
    cases = [
        (["--username", "me", "--email", "me@example.com"], "Operator-Chosen-Secret-1", "username"),
        (["--username", "root", "--email", "not-an-email"], "Operator-Chosen-Secret-1", "email"),
        (["--username", "root", "--email", "ops@example.com"], "password123", "too common"),
        (["--username", "root", "--email", "ops@example.com"], "short", "password"),
    ]
    for args, password, mentioned in cases:
        done = automana("create-admin", *args, database_url=database_url, password=password)
        assert done.returncode == 2, (args, done.stderr)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and mentioned in lines[0], (args, done.stderr)
        assert "Traceback" not in done.stderr
    missing = automana("create-admin", "--username", "root", "--email", "ops@example.com",
                       database_url=database_url, password="")
    assert missing.returncode == 2 and "AUTOMANA_ADMIN_PASSWORD" in missing.stderr
    assert users(db) == 0


def test_create_admin_refuses_to_guess_a_server(tmp_path):
    done = automana("create-admin", "--username", "root", "--email", "ops@example.com",
                    database_url=None, password="Operator-Chosen-Secret-1")
    assert done.returncode == 2
    assert "DATABASE_URL is not set" in done.stderr and "Traceback" not in done.stderr


def test_unexpected_failures_show_a_traceback_only_with_debug(database_url):
    url = database_url.rsplit("/", 1)[0] + "/automana_no_such_database"
    plain = automana("create-admin", "--username", "root", "--email", "ops@example.com",
                     database_url=url, password="Operator-Chosen-Secret-1")
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    assert plain.stderr.strip().splitlines() == [
        'error: InvalidCatalogNameError: database "automana_no_such_database" does not exist '
        "(run with --debug for the traceback)"]
    debug = automana("--debug", "create-admin", "--username", "root", "--email", "ops@example.com",
                     database_url=url, password="Operator-Chosen-Secret-1")
    assert debug.returncode == 1 and "Traceback" in debug.stderr
