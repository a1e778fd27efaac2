"""The database side of readiness: one cheap round trip."""
from __future__ import annotations

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.registry import repository

queries = load_queries(__file__, "health_queries.sql")


@repository("health")
class HealthRepository(BaseRepository):
    async def ping(self) -> None:
        await self.conn.fetchval(queries.ping)
