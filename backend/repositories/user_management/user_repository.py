"""Accounts: user_management.users. Password hashes leave this module only through get_credentials*."""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from backend.dependancies.query_deps import Sort
from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.ops.log_repository import escape_like
from backend.repositories.registry import repository

queries = load_queries(__file__, "user_queries.sql")

# Public sort name -> SQL column; the only text ever spliced into ORDER BY.
USER_SORT_COLUMNS = {
    "username": "lower(u.username)",
    "email": "lower(u.email)",
    "created_at": "u.created_at",
    "last_login_at": "u.last_login_at",
}
_ORDER_BY_SQL = {column: column for column in USER_SORT_COLUMNS.values()}


@repository("user")
class UserRepository(BaseRepository):
    async def username_taken(self, username: str) -> bool:
        return await self.conn.fetchval(queries.username_taken, username)

    async def email_taken(self, email: str, *, except_user_id: UUID | None = None) -> bool:
        return await self.conn.fetchval(queries.email_taken, email, except_user_id)

    async def insert(self, *, username: str, email: str, full_name: str | None, password_hash: str,
                     now: datetime) -> UUID | None:
        return await self.conn.fetchval(queries.insert_user, username, email, full_name, password_hash, now)

    async def get(self, user_id: UUID, *, now: datetime) -> dict | None:
        row = await self.conn.fetchrow(queries.get_user, user_id, now)
        return dict(row) if row else None

    async def get_credentials(self, login: str) -> dict | None:
        row = await self.conn.fetchrow(queries.get_credentials, login)
        return dict(row) if row else None

    async def get_credentials_by_id(self, user_id: UUID, *, for_update: bool = False) -> dict | None:
        query = queries.get_credentials_by_id_for_update if for_update else queries.get_credentials_by_id
        row = await self.conn.fetchrow(query, user_id)
        return dict(row) if row else None

    async def set_password_hash(self, user_id: UUID, password_hash: str, *, now: datetime,
                                password_changed: bool) -> None:
        await self.conn.execute(queries.set_password_hash, user_id, password_hash, now, password_changed)

    async def record_login(self, user_id: UUID, *, now: datetime) -> None:
        await self.conn.execute(queries.record_login, user_id, now)

    async def update_profile(self, user_id: UUID, *, email: str | None, full_name: str | None,
                             full_name_sent: bool, now: datetime) -> bool:
        return await self.conn.fetchval(queries.update_profile, user_id, email, full_name, full_name_sent,
                                        now) is not None

    async def set_active(self, user_id: UUID, is_active: bool, *, now: datetime) -> bool:
        return await self.conn.fetchval(queries.set_active, user_id, is_active, now) is not None

    async def delete(self, user_id: UUID) -> bool:
        return await self.conn.fetchval(queries.delete_user, user_id) is not None

    async def search(self, *, search: str | None, is_active: bool | None, role: str | None, sort: Sort,
                     now: datetime, limit: int, offset: int) -> tuple[list[dict], int]:
        order_by = _ORDER_BY_SQL[sort.column]  # KeyError for anything not whitelisted
        direction = {"ASC": "ASC", "DESC": "DESC"}[sort.direction]
        sql = queries.search_users.replace("__ORDER_BY__", f"{order_by} {direction} NULLS LAST")
        pattern = escape_like(search) if search else None
        rows = await self.conn.fetch(sql, pattern, is_active, role, now, limit, offset)
        if rows:
            total = rows[0]["total_count"]
        elif offset:  # past the last page: count the matches without paging
            first = await self.conn.fetch(sql, pattern, is_active, role, now, 1, 0)
            total = first[0]["total_count"] if first else 0
        else:
            total = 0
        return [dict(r) for r in rows], total
