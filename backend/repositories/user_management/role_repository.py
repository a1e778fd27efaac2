"""Roles, role grants with effective dates, and the role audit trail."""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.kit import paginate
from backend.repositories.registry import repository

queries = load_queries(__file__, "role_queries.sql")


@repository("role")
class RoleRepository(BaseRepository):
    async def exists(self, role_name: str) -> bool:
        return await self.conn.fetchval(queries.role_exists, role_name)

    async def list_roles(self) -> list[dict]:
        return [dict(r) for r in await self.conn.fetch(queries.list_roles)]

    async def grant(self, *, user_id: UUID, role_name: str, effective_from: datetime, expires_at: datetime | None,
                    granted_by: UUID | None, reason: str, now: datetime) -> dict:
        row = await self.conn.fetchrow(queries.upsert_user_role, user_id, role_name, effective_from, expires_at,
                                       granted_by, reason, now)
        return dict(row)

    async def revoke(self, *, user_id: UUID, role_name: str) -> dict | None:
        row = await self.conn.fetchrow(queries.delete_user_role, user_id, role_name)
        return dict(row) if row else None

    async def grants_for_user(self, user_id: UUID) -> list[dict]:
        return [dict(r) for r in await self.conn.fetch(queries.user_role_grants, user_id)]

    async def audit(self, *, user_id: UUID, username: str, role_name: str, action: str,
                    effective_from: datetime | None, expires_at: datetime | None, actor_id: UUID | None,
                    actor_username: str, reason: str, now: datetime) -> None:
        await self.conn.execute(queries.insert_audit, user_id, username, role_name, action, effective_from,
                                expires_at, actor_id, actor_username, reason, now)

    async def audit_for_user(self, user_id: UUID, *, limit: int, offset: int) -> tuple[list[dict], int]:
        return await paginate(self.conn, queries.audit_for_user, user_id, order_by="created_at DESC, id DESC",
                              limit=limit, offset=offset)

    async def count_active_admins(self, *, now: datetime, excluding: UUID | None = None) -> int:
        await self.conn.execute(queries.lock_admin_changes)
        return await self.conn.fetchval(queries.count_active_admins, now, excluding)
