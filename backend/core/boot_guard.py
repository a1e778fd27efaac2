"""Start-up safety checks: refuse a database that does not belong to the running environment."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from backend.core.settings import Settings

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", ""}
_ENV_WORDS = {"prod": re.compile(r"(^|[_\-.])prod(uction)?($|[_\-.])"),
              "test": re.compile(r"(^|[_\-.])test($|[_\-.])"),
              "dev": re.compile(r"(^|[_\-.])dev(elopment)?($|[_\-.])")}


class BootGuardError(RuntimeError):
    """The configured database does not fit ENV; the app must not start."""


def describe_database_url(url: str) -> tuple[str, str]:
    """Return (host, database name) of a postgres URL, for checks and for logs (never the password)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host and "host=" in (parts.query or ""):
        host = parts.query.split("host=", 1)[1].split("&", 1)[0]
    name = (parts.path or "/").lstrip("/")
    return host, name


def check_database_url(settings: Settings) -> None:
    if not settings.database_url:
        raise BootGuardError("DATABASE_URL is not set (run `automana up` to start embedded services)")
    host, name = describe_database_url(settings.database_url)
    lowered = name.lower()
    env = settings.env
    if env != "prod" and _ENV_WORDS["prod"].search(lowered):
        raise BootGuardError(f"ENV={env} refuses database {name!r}: its name says production")
    if env == "prod" and (_ENV_WORDS["test"].search(lowered) or _ENV_WORDS["dev"].search(lowered)):
        raise BootGuardError(f"ENV=prod refuses database {name!r}: its name says dev/test")
    if env == "test" and not (host in LOCAL_HOSTS or host.startswith("/")):
        raise BootGuardError(f"ENV=test refuses non-local database host {host!r}")


def run_boot_guard(settings: Settings) -> None:
    settings.check_secrets()
    check_database_url(settings)
