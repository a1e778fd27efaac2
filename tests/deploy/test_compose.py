"""The production compose file keeps the documented topology (Docker is not available here, so the
files are validated by parsing, and the processes are run natively in test_nginx_proxy.py)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROD = ROOT / "deploy" / "docker-compose.prod.yml"
DEV = ROOT / "docker-compose.dev.yml"


@pytest.fixture(scope="module")
def prod() -> dict:
    return yaml.safe_load(PROD.read_text())


def test_only_nginx_publishes_ports(prod):
    publishing = sorted(name for name, svc in prod["services"].items() if svc.get("ports"))
    assert publishing == ["nginx"]
    assert set(prod["services"]["nginx"]["ports"]) == {"80:80", "443:443"}


def test_internal_network_holds_everything_but_the_proxy_edge(prod):
    assert prod["networks"]["backend-network"]["internal"] is True
    for name, svc in prod["services"].items():
        assert "backend-network" in svc["networks"], name
        if name != "nginx":
            assert svc["networks"] == ["backend-network"], f"{name} must only be on the internal network"


def test_expected_services_exist(prod):
    assert {"nginx", "backend", "celery-worker", "celery-beat", "postgres", "redis", "db-backup-prod",
            "migrate"} <= set(prod["services"])
    assert prod["services"]["celery-beat"]["deploy"]["replicas"] == 1


def test_health_checks_use_tools_present_in_their_images(prod):
    # python images have python (no curl); postgres images have pg_isready; redis has redis-cli.
    allowed = {"backend": "python", "celery-worker": "celery", "celery-beat": "python",
               "postgres": "pg_isready", "redis": "redis-cli", "db-backup-prod": "pg_isready"}
    for name, tool in allowed.items():
        test = prod["services"][name]["healthcheck"]["test"]
        command = test[1] if test[0] == "CMD" else test[1].split()[0]
        assert command == tool, f"{name} health check runs {command}"
    for path in (ROOT / "deploy" / "docker").rglob("*.Dockerfile"):
        for line in path.read_text().splitlines():
            if line.startswith("HEALTHCHECK"):
                assert "curl" not in line, f"{path.name} health check must not rely on curl"


def test_no_reload_and_no_hardcoded_secrets():
    for path in [PROD, DEV, *(ROOT / "deploy" / "docker").rglob("*.Dockerfile")]:
        assert "--reload" not in path.read_text(), path
    prod_env = (ROOT / "config" / "env" / ".env.prod.example").read_text()
    assert "JWT_SECRET_KEY=change-me" in prod_env  # a placeholder the app refuses outside dev


def test_backup_job_mounts_a_folder_and_has_retention(prod):
    backup = prod["services"]["db-backup-prod"]
    assert any(v.endswith(":/backups") for v in backup["volumes"])
    assert backup["environment"]["BACKUP_RETENTION_DAYS"]
    assert backup["environment"]["BACKUP_SCHEDULE"]


def test_backend_waits_for_migrations(prod):
    assert prod["services"]["backend"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_dev_compose_binds_loopback_only():
    dev = yaml.safe_load(DEV.read_text())
    for svc in dev["services"].values():
        for port in svc.get("ports", []):
            assert port.startswith("127.0.0.1:")
