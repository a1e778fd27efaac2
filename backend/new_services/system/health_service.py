"""Readiness: can we reach Postgres and Redis right now?"""
from __future__ import annotations

import asyncio

from backend.new_services.service_manager import service
from backend.request_handling.errors import ServiceUnavailableError

CHECK_TIMEOUT_SECONDS = 2.0


@service("system.health.ping_database", repositories=["health"], scope="autocommit")
async def ping_database(*, health_repository) -> None:
    # Autocommit scope: after a server restart the manager replaces the dead pooled connections
    # and tries once more, so one restart does not leave readiness failing.
    await health_repository.ping()


@service("system.health.readiness")
async def check_readiness(*, services, redis) -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(services.execute_service("system.health.ping_database"), CHECK_TIMEOUT_SECONDS)
        checks["postgres"] = "ok"
    except Exception as exc:  # any failure means "not ready"; the reason is reported by type only
        checks["postgres"] = f"down ({type(exc).__name__})"
    try:
        if redis is None:
            raise ConnectionError("no Redis configured")
        await asyncio.wait_for(redis.ping(), CHECK_TIMEOUT_SECONDS)
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"down ({type(exc).__name__})"
    down = sorted(name for name, state in checks.items() if state != "ok")
    if down:
        raise ServiceUnavailableError(f"not ready: {', '.join(down)} unavailable", details=checks,
                                      code="not_ready")
    return checks
