"""Runtime configuration: one settings class, read from the environment and config/env/.env.{ENV}."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

import limits
from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.integrations.mtg_stock.config import MtgStockSettings
from backend.integrations.scryfall.config import ScryfallSettings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENV_DIR = PROJECT_ROOT / "config" / "env"

Environment = Literal["dev", "test", "staging", "prod"]

# Values that ship in the .env.example files; refusing them outside dev stops a
# production deployment from running with a published secret.
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev-secret", "placeholder"})


class InsecureSettingsError(RuntimeError):
    """Raised when secrets are missing or placeholders outside dev."""


class SearchSettings(BaseModel):
    """Cost limits of the search routes (SEARCH_* variables; docs/search.md, "Cost limits")."""

    # Per client address, in the `limits` notation ("10/second;300/minute"); empty switches it off.
    rate_limit: str = "10/second;300/minute"
    # Searches running at once in one API process. Default: half the database pool (card reads keep
    # the other half), at most half this machine's cores (Postgres usually shares them).
    max_concurrent: int | None = Field(default=None, ge=1)
    # How long a search waits for a free slot before it is answered 503 search_busy.
    queue_seconds: float = Field(default=1.0, ge=0, le=60)
    # Longest a search statement may run before it is stopped (503 search_timeout).
    statement_timeout_ms: int = Field(default=3000, ge=1, le=600_000)

    @field_validator("rate_limit")
    @classmethod
    def _parse_rate_limit(cls, value: str) -> str:
        value = value.strip()
        if value:
            limits.parse_many(value)   # ValueError names the text it could not read
        return value

    @property
    def rate_limits(self) -> list[limits.RateLimitItem]:
        return limits.parse_many(self.rate_limit) if self.rate_limit else []


class Settings(BaseSettings):
    # Integration sections are nested models read from prefixed variables: SCRYFALL_BATCH_SIZE sets
    # scryfall.batch_size (split at the first "_" after the section's name only).
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False, env_file_encoding="utf-8",
                                      env_nested_delimiter="_", env_nested_max_split=1)

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

    # Accounts and sessions (docs/users.md). Argon2id defaults are OWASP's minimum (m=19 MiB, t=2, p=1);
    # raising them makes existing hashes be re-hashed at their owner's next login.
    argon2_time_cost: int = Field(default=2, ge=1, le=20)
    argon2_memory_cost_kib: int = Field(default=19_456, ge=7_168, le=4_194_304)
    argon2_parallelism: int = Field(default=1, ge=1, le=16)
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=3600)
    session_idle_timeout_seconds: int = Field(default=3600, ge=300)
    session_absolute_lifetime_seconds: int = Field(default=7 * 24 * 3600, ge=3600)
    session_cookie_secure: bool | None = None  # default: Secure everywhere except ENV=dev
    session_cookie_samesite: Literal["lax", "strict"] = "lax"
    # Origins (scheme://host[:port]) besides our own allowed to send cookie-authenticated writes.
    csrf_trusted_origins: list[str] = Field(default_factory=list)
    login_failure_window_seconds: int = Field(default=900, ge=60)
    login_max_failures_per_account: int = Field(default=10, ge=1)  # per account *and* client IP
    login_max_failures_per_ip: int = Field(default=50, ge=1)

    # Pools.
    db_pool_min_size: int = 1
    db_pool_max_size: int = 10
    db_sync_pool_max_size: int = 4
    db_connect_attempts: int = 5
    db_connect_backoff_seconds: float = 0.5
    db_statement_timeout_ms: int = 60_000

    # HTTP.
    # Largest request body a route that parses its body whole accepts (routes that stream uploads
    # to disk declare their own); refused with 413 while it streams in.
    max_request_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # /docs and /openapi.json (served from local assets, no CDN); production may switch them off.
    api_docs_enabled: bool = True
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
    # Uploaded files wait in <DATA_DIR>/uploads for their load: at most this much in all, and this
    # many loads in progress per user; files no live run refers to are removed at start-up.
    upload_quota_bytes: int = Field(default=20 * 1024**3, ge=1024**2)
    uploads_in_progress_per_user: int = Field(default=2, ge=1)

    # Search cost limits (SEARCH_RATE_LIMIT, SEARCH_MAX_CONCURRENT, ...).
    search: SearchSettings = Field(default_factory=SearchSettings)
    # Collections (docs/collections.md). An entry is valued at the NM market price of its printing and
    # finish times its condition's multiplier; prices come from the first of these sources that has one.
    collection_condition_multipliers: dict[str, float] = Field(
        default_factory=lambda: {"NM": 1.0, "LP": 0.85, "MP": 0.7, "HP": 0.5, "DMG": 0.3})
    collection_price_sources: list[str] = Field(
        default_factory=lambda: ["scryfall", "tcgplayer", "cardmarket", "mtgstocks"], min_length=1)
    # Imports larger than this run as a background job; none may be larger than the limit.
    collection_inline_import_bytes: int = Field(default=512 * 1024, ge=1024)
    collection_import_max_bytes: int = Field(default=64 * 1024**2, ge=1024)
    # The Scryfall-compatible API (/scryfall): the base URL its API URIs point at (default: the
    # request's own base), and where its generated bulk files are kept (default <DATA_DIR>/bulk-data).
    public_base_url: str | None = None
    scryfall_bulk_dir: Path | None = None

    # Integrations.
    scryfall: ScryfallSettings = Field(default_factory=ScryfallSettings)
    mtg_stock: MtgStockSettings = Field(default_factory=MtgStockSettings)   # MTG_STOCK_BASE_URL, ...

    @model_validator(mode="after")
    def _derive_defaults(self) -> "Settings":
        if self.celery_broker_url is None and self.redis_url:
            self.celery_broker_url = self.redis_url
        if self.celery_result_backend is None and self.celery_broker_url:
            self.celery_result_backend = self.celery_broker_url
        if self.log_json is None:
            self.log_json = self.env != "dev"
        if self.session_cookie_secure is None:
            self.session_cookie_secure = self.env != "dev"
        if self.search.max_concurrent is None:
            self.search.max_concurrent = max(1, min(self.db_pool_max_size // 2, (os.cpu_count() or 2) // 2))
        # OWASP's Argon2id table trades memory for passes (19 MiB x 2 ... 7 MiB x 5): refuse less work.
        if self.argon2_memory_cost_kib * self.argon2_time_cost < 7_168 * 5:
            raise ValueError("argon2 parameters are below OWASP's minimum (memory_kib x time_cost >= 35840)")
        multipliers = self.collection_condition_multipliers
        if set(multipliers) != {"NM", "LP", "MP", "HP", "DMG"} or not all(0 <= m <= 1 for m in multipliers.values()):
            raise ValueError("collection_condition_multipliers needs NM, LP, MP, HP and DMG, each between 0 and 1")
        if self.session_idle_timeout_seconds > self.session_absolute_lifetime_seconds:
            raise ValueError("session_idle_timeout_seconds cannot exceed session_absolute_lifetime_seconds")
        return self

    @property
    def is_dev(self) -> bool:
        return self.env == "dev"

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def collection_import_dir(self) -> Path:
        return self.upload_dir / "collections"

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


EMBEDDED_ENV_FILE = "embedded.env"


def embedded_env_file() -> Path:
    """Written by `automana up` while its embedded Postgres/Redis run, so other `automana` commands
    in another shell (create-admin, ingest, migrate) reach the same services."""
    return Path(os.environ.get("DATA_DIR") or PROJECT_ROOT / ".automana") / EMBEDDED_ENV_FILE


def load_settings(**overrides) -> Settings:
    """Build settings for the ENV named in the environment. Precedence: environment variables, then
    config/env/.env.{ENV}, then the running embedded services' URLs (dev only)."""
    env = os.environ.get("ENV", overrides.get("env", "dev"))
    files = [path for path in (embedded_env_file() if env == "dev" else None, env_file_for(env))
             if path is not None and path.is_file()]
    return Settings(_env_file=tuple(files) or None, **overrides)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
