"""Settings and the boot guard."""
from __future__ import annotations

import pytest
from pydantic import SecretStr

from backend.core.boot_guard import BootGuardError, check_database_url
from backend.core.settings import InsecureSettingsError, Settings, load_settings


def test_env_file_is_read_and_environment_overrides_it(tmp_path, monkeypatch):
    from backend.core import settings as settings_module

    (tmp_path / ".env.staging").write_text("LOG_LEVEL=DEBUG\nDB_POOL_MAX_SIZE=7\n")
    monkeypatch.setattr(settings_module, "ENV_DIR", tmp_path)
    monkeypatch.setenv("ENV", "staging")
    monkeypatch.setenv("DB_POOL_MAX_SIZE", "9")
    loaded = load_settings()
    assert loaded.env == "staging"
    assert loaded.log_level == "DEBUG"
    assert loaded.db_pool_max_size == 9


def test_scryfall_section_is_read_from_the_env_file(tmp_path, monkeypatch):
    """SCRYFALL_* in config/env/.env.{ENV} (as the example file suggests) reaches the services and
    the beat schedule; the environment still wins over the file."""
    from backend.core import settings as settings_module
    from celery_app.celeryconfig import beat_schedule

    (tmp_path / ".env.dev").write_text("SCRYFALL_SCHEDULE_ENABLED=false\nSCRYFALL_BATCH_SIZE=500\n"
                                       "SCRYFALL_BASE_URL=http://127.0.0.1:9/scryfall\n")
    monkeypatch.setattr(settings_module, "ENV_DIR", tmp_path)
    monkeypatch.setenv("ENV", "dev")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SCRYFALL_BATCH_SIZE", "750")
    loaded = load_settings()
    assert loaded.scryfall.schedule_enabled is False
    assert loaded.scryfall.base_url == "http://127.0.0.1:9/scryfall"
    assert loaded.scryfall.batch_size == 750
    assert "scryfall-daily-ingest" not in beat_schedule(loaded)
    assert "scryfall-daily-ingest" in beat_schedule(Settings())


def test_a_bad_scryfall_value_is_refused_with_its_name(monkeypatch):
    monkeypatch.setenv("SCRYFALL_WRITERS", "0")
    with pytest.raises(ValueError, match="scryfall.writers"):
        Settings()


def test_broker_and_backend_default_to_redis_url():
    s = Settings(redis_url="redis://127.0.0.1:6379/3")
    assert s.celery_broker_url == "redis://127.0.0.1:6379/3"
    assert s.celery_result_backend == "redis://127.0.0.1:6379/3"


@pytest.mark.parametrize("secret", ["", "change-me", "dev-secret", "short"])
def test_placeholder_secrets_refused_outside_dev(secret):
    s = Settings(env="prod", jwt_secret_key=SecretStr(secret), pgp_secret_key=SecretStr("x" * 40))
    with pytest.raises(InsecureSettingsError, match="JWT_SECRET_KEY"):
        s.check_secrets()


def test_dev_accepts_placeholders():
    Settings(env="dev").check_secrets()


@pytest.mark.parametrize(
    ("env", "url", "message"),
    [
        ("dev", "postgresql://u@db.example.com/automana_prod", "production"),
        ("test", "postgresql://u@db.example.com/automana_test", "non-local"),
        ("prod", "postgresql://u@db/automana_test", "dev/test"),
    ],
)
def test_boot_guard_refuses_mismatched_database(env, url, message):
    with pytest.raises(BootGuardError, match=message):
        check_database_url(Settings(env=env, database_url=url))


@pytest.mark.parametrize(
    ("env", "url"),
    [
        ("dev", "postgresql://u@localhost/automana"),
        ("test", "postgresql://postgres:@/automana_test_1?host=/tmp/pg"),
        ("prod", "postgresql://u:p@postgres:5432/automana"),
    ],
)
def test_boot_guard_accepts_fitting_database(env, url):
    check_database_url(Settings(env=env, database_url=url))


def test_running_embedded_services_are_found_by_other_commands(tmp_path, monkeypatch):
    from backend.core import settings as settings_module

    monkeypatch.setattr(settings_module, "ENV_DIR", tmp_path / "no-config")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("ENV", "dev")
    assert load_settings().database_url is None
    (tmp_path / "embedded.env").write_text("DATABASE_URL=postgresql://postgres:@/automana?host=/x\n"
                                           "REDIS_URL=redis://127.0.0.1:40000/0\n")
    found = load_settings()
    assert found.database_url == "postgresql://postgres:@/automana?host=/x"
    assert found.celery_broker_url == "redis://127.0.0.1:40000/0"
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@localhost/mine")  # the environment still wins
    assert load_settings().database_url == "postgresql://u@localhost/mine"
    monkeypatch.setenv("ENV", "test")  # only dev machines use the embedded services' file
    monkeypatch.delenv("DATABASE_URL")
    assert load_settings().database_url is None
