"""`automana create-admin`: creates a real admin from the environment's password, never a default one."""
from __future__ import annotations

from typer.testing import CliRunner

from backend.cli import users as users_cli
from backend.cli.main import app as cli_app


def test_create_admin_from_env_then_login(settings, db, monkeypatch):
    monkeypatch.setattr(users_cli, "get_settings", lambda: settings)
    result = CliRunner().invoke(cli_app, ["create-admin", "--username", "root-admin", "--email", "ops@example.com"],
                                env={"AUTOMANA_ADMIN_PASSWORD": "Operator-Chosen-Secret-1"})
    assert result.exit_code == 0, result.output
    with db.cursor() as cur:
        cur.execute("""SELECT u.password_hash, r.role_name FROM user_management.users u
                       JOIN user_management.user_roles r ON r.user_id = u.id WHERE u.username = 'root-admin'""")
        password_hash, role = cur.fetchone()
        cur.execute("SELECT actor_username, action FROM user_management.role_audit")
        audit = cur.fetchall()
    assert role == "admin" and password_hash.startswith("$argon2id$")
    assert audit[0][1] == "grant" and audit[0][0].startswith("cli:")


def test_create_admin_refuses_weak_password_and_missing_password(settings, db, monkeypatch):
    monkeypatch.setattr(users_cli, "get_settings", lambda: settings)
    weak = CliRunner().invoke(cli_app, ["create-admin", "--username", "root", "--email", "ops@example.com"],
                              env={"AUTOMANA_ADMIN_PASSWORD": "password123"})
    assert weak.exit_code == 1 and "too common" in weak.output
    missing = CliRunner().invoke(cli_app, ["create-admin", "--username", "root", "--email", "ops@example.com"],
                                 env={"AUTOMANA_ADMIN_PASSWORD": ""})
    assert missing.exit_code == 2
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM user_management.users")
        assert cur.fetchone()[0] == 0
