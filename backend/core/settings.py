"""Runtime configuration: one settings class, read from the environment and config/env/.env.{ENV}."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENV_DIR = PROJECT_ROOT / "config" / "env"

Environment = Literal["dev", "test", "staging", "prod"]

# Values that ship in the .env.example files; refusing them outside dev stops a
# production deployment from running with a published secret.
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev-secret", "placeholder"})


class InsecureSettingsError(RuntimeError):
    """Raised when secrets are missing or placeholders outside dev."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False, env_file_encoding="utf-8")

    env: Environment = "dev"
    app_name: str = "AutoMana"

    # Connections. When DATABASE_URL / the broker are unset, `automana up` starts embedded services.
    database_url: str | None = None
    redis_url: str | None = None
    celery_broker_url: str | None = None
    celery_result_backend: str | None = None

    # Secrets.
    jwt_secret_key: SecretStr = SecretStr("dev-secret")
    pgp_secret_key: SecretStr = SecretStr("dev-secret")
    # Guards /api/logs and other admin routes until a user with the admin role exists;
    # unset means the token path is disabled.
    admin_token: SecretStr | None = None

    # Pools.
    db_pool_min_size: int = 1
    db_pool_max_size: int = 10
    db_sync_pool_max_size: int = 4
    db_connect_attempts: int = 5
    db_connect_backoff_seconds: float = 0.5
    db_statement_timeout_ms: int = 60_000

    # HTTP.
    cors_origins: list[str] = Field(default_factory=list)
    trusted_proxies: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])

    # Logging.
    log_level: str = "INFO"
    log_json: bool | None = None  # default: JSON outside dev
    log_to_database: bool = True

    # Celery.
    celery_visibility_timeout_seconds: int = 4 * 3600
    celery_task_soft_time_limit_seconds: int = 2 * 3600
    celery_task_time_limit_seconds: int = 2 * 3600 + 300

    # Local data folder for embedded services and downloads.
    data_dir: Path = PROJECT_ROOT / ".automana"

    @model_validator(mode="after")
    def _derive_defaults(self) -> "Settings":
        if self.celery_broker_url is None and self.redis_url:
            self.celery_broker_url = self.redis_url
        if self.celery_result_backend is None and self.celery_broker_url:
            self.celery_result_backend = self.celery_broker_url
        if self.log_json is None:
            self.log_json = self.env != "dev"
        return self

    @property
    def is_dev(self) -> bool:
        return self.env == "dev"

    def check_secrets(self) -> None:
        """Refuse placeholder or empty secrets outside dev, naming each offending variable."""
        if self.is_dev:
            return
        weak = []
        for name in ("jwt_secret_key", "pgp_secret_key"):
            value = getattr(self, name).get_secret_value()
            if value.strip().lower() in PLACEHOLDER_SECRETS or len(value) < 32:
                weak.append(name.upper())
        if weak:
            raise InsecureSettingsError(
                f"ENV={self.env} refuses to start: {', '.join(weak)} must be set to a random value of "
                "at least 32 characters (placeholders from .env.example are not accepted)"
            )


def env_file_for(env: str) -> Path:
    return ENV_DIR / f".env.{env}"


def load_settings(**overrides) -> Settings:
    """Build settings for the ENV named in the environment; environment variables beat the file."""
    env = os.environ.get("ENV", overrides.get("env", "dev"))
    env_file = env_file_for(env)
    return Settings(_env_file=env_file if env_file.is_file() else None, **overrides)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
