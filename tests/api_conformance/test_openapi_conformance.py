"""Schemathesis over /openapi.json against a real server on a throwaway database, as an anonymous
caller, a signed-in user and an admin, with valid and invalid inputs: no server errors, no status
code the operation does not document, every body matching its documented schema and content type.

Deterministic (derandomized Hypothesis, bounded examples per operation); destructive operations
run against this module's own database only."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)

from tests.fixtures.services import admin_execute, with_database

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("CONFORMANCE_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Operations that would end the caller's own session (and so every later call's credentials).
SESSION_ENDING = {("POST", "/api/users/auth/logout"), ("DELETE", "/api/users/sessions/others"),
                  ("PUT", "/api/users/users/me/password"), ("DELETE", "/api/users/sessions/{session_id}")}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def conformance_server(postgres_server_url, template_database, redis_url, tmp_path_factory):
    name = f"automana_conformance_{uuid.uuid4().hex[:8]}"
    admin_execute(postgres_server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
    database_url = with_database(postgres_server_url, name)
    port = _free_port()
    data_dir = tmp_path_factory.mktemp("conformance")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "CELERY_", "SCRYFALL_"))}
    env.update({"ENV": "test", "DATABASE_URL": database_url, "REDIS_URL": redis_url, "DATA_DIR": str(data_dir),
                "JWT_SECRET_KEY": "c" * 40, "PGP_SECRET_KEY": "d" * 40, "LOG_JSON": "true",
                "LOGIN_MAX_FAILURES_PER_IP": "100000", "LOGIN_MAX_FAILURES_PER_ACCOUNT": "100000",
                "SEARCH_RATE_LIMIT": "",
                "PYTHONPATH": str(ROOT)})
    log = open(data_dir / "server.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "backend.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, (data_dir / "server.log").read_text()[-3000:]
            time.sleep(0.2)
        admin_password, user_password = "Conformance-Admin-Pass-1", "Conformance-User-Pass-1"
        created = subprocess.run([sys.executable, "-m", "backend.cli", "create-admin", "--username", "conformance-admin",
                                  "--email", "admin@example.com"], cwd=ROOT, capture_output=True, text=True,
                                 env={**env, "AUTOMANA_ADMIN_PASSWORD": admin_password, "LOG_TO_DATABASE": "false"})
        assert created.returncode == 0, created.stderr
        registered = httpx.post(f"{base}/api/users/users/", json={
            "username": "conformance-user", "email": "user@example.com", "password": user_password})
        assert registered.status_code == 201, registered.text

        def bearer(username: str, password: str) -> dict[str, str]:
            token = httpx.post(f"{base}/api/users/auth/token", data={"username": username, "password": password})
            assert token.status_code == 200, token.text
            return {"Authorization": f"Bearer {token.json()['access_token']}"}

        yield {"base": base, "admin": bearer("conformance-admin", admin_password),
               "user": bearer("conformance-user", user_password)}
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
        admin_execute(postgres_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _operations() -> list:
    """The operations of the app's own schema (built without a database: OpenAPI needs none)."""
    from backend.core.settings import Settings
    from backend.main import create_app

    spec = create_app(Settings(env="test", database_url="postgresql://unused@127.0.0.1/unused")).openapi()
    return [result.ok() for result in schemathesis.openapi.from_dict(spec).get_all_operations()]


OPERATIONS = _operations()
bounded = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                   suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda mode: mode.value)
@pytest.mark.parametrize("who", ["anonymous", "user", "admin"])
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_operation_conforms(operation, who, mode, conformance_server):
    if who != "anonymous" and (operation.method.upper(), operation.path) in SESSION_ENDING:
        pytest.skip("would end the caller's session for the rest of the run")
    headers = conformance_server[who] if who != "anonymous" else None

    @bounded
    @given(case=operation.as_strategy(generation_mode=mode))
    def conforms(case) -> None:
        case.call_and_validate(base_url=conformance_server["base"], headers=headers, checks=CHECKS, timeout=30)

    try:
        conforms()
    except Unsatisfiable:
        if mode is GenerationMode.NEGATIVE:
            pytest.skip("the operation takes nothing that could be made invalid")
        raise
