"""Accounts: user_management.users. Password hashes leave this module only through get_credentials*."""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.kit import Sort, SortWhitelist, escape_like, paginate
from backend.repositories.registry import repository
from backend.schemas.user_management.user import USER_SORT_FIELDS

queries = load_queries(__file__, "user_queries.sql")

USER_SORTS = SortWhitelist({
    "username": "lower(username)",
    "email": "lower(email)",
    "created_at": "created_at",
    "last_login_at": "last_login_at",
}, tiebreak="id", fields=USER_SORT_FIELDS)


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
        pattern = escape_like(search) if search else None
        return await paginate(self.conn, queries.search_users, pattern, is_active, role, now,
                              order_by=USER_SORTS.order_by(sort), limit=limit, offset=offset)
