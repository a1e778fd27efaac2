"""Sessions and their refresh tokens: user_management.sessions and refresh_tokens.

Tokens arrive here already digested; no query returns a digest.
"""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from backend.repositories.base import BaseRepository, load_queries
from backend.repositories.kit import paginate
from backend.repositories.registry import repository

queries = load_queries(__file__, "session_queries.sql")


@repository("session")
class SessionRepository(BaseRepository):
    async def create(self, *, user_id: UUID, token_hash: bytes, now: datetime, expires_at: datetime,
                     ip_address: str | None, user_agent: str | None) -> UUID:
        return await self.conn.fetchval(queries.insert_session, user_id, token_hash, now, expires_at,
                                        ip_address, user_agent)

    async def principal_by_token_hash(self, token_hash: bytes, *, now: datetime) -> dict | None:
        row = await self.conn.fetchrow(queries.principal_by_token_hash, token_hash, now)
        return dict(row) if row else None

    async def principal_by_session_id(self, session_id: UUID, user_id: UUID, *, now: datetime) -> dict | None:
        row = await self.conn.fetchrow(queries.principal_by_session_id, session_id, user_id, now)
        return dict(row) if row else None

    async def touch(self, session_id: UUID, *, now: datetime) -> None:
        await self.conn.execute(queries.touch_session, session_id, now)

    async def get(self, session_id: UUID) -> dict | None:
        row = await self.conn.fetchrow(queries.get_session, session_id)
        return dict(row) if row else None

    async def list(self, *, user_id: UUID | None, active_only: bool, now: datetime, idle_timeout_seconds: int,
                   limit: int, offset: int) -> tuple[list[dict], int]:
        return await paginate(self.conn, queries.list_sessions, user_id, active_only, now,
                              float(idle_timeout_seconds), order_by="created_at DESC, id", limit=limit,
                              offset=offset)

    async def revoke(self, session_id: UUID, *, now: datetime, reason: str) -> bool:
        revoked = await self.conn.fetchval(queries.revoke_session, session_id, now, reason) is not None
        await self.conn.execute(queries.revoke_refresh_tokens, session_id, now)
        return revoked

    async def revoke_by_token_hash(self, token_hash: bytes, *, now: datetime, reason: str) -> UUID | None:
        session_id = await self.conn.fetchval(queries.revoke_session_by_token_hash, token_hash, now, reason)
        if session_id is not None:
            await self.conn.execute(queries.revoke_refresh_tokens, session_id, now)
        return session_id

    async def revoke_all_for_user(self, user_id: UUID, *, now: datetime, reason: str,
                                  except_session_id: UUID | None = None) -> int:
        rows = await self.conn.fetch(queries.revoke_user_sessions, user_id, now, reason, except_session_id)
        if rows:
            await self.conn.execute(queries.revoke_refresh_tokens_of_sessions, [r["id"] for r in rows], now)
        return len(rows)

    async def create_refresh_token(self, *, session_id: UUID, token_hash: bytes, now: datetime,
                                   expires_at: datetime) -> UUID:
        return await self.conn.fetchval(queries.insert_refresh_token, session_id, token_hash, now, expires_at)

    async def refresh_token_by_hash(self, token_hash: bytes) -> dict | None:
        row = await self.conn.fetchrow(queries.refresh_token_by_hash, token_hash)
        return dict(row) if row else None

    async def consume_refresh_token(self, token_id: UUID, *, now: datetime) -> bool:
        return await self.conn.fetchval(queries.consume_refresh_token, token_id, now) is not None

    async def delete_expired(self, *, before: datetime) -> int:
        status = await self.conn.execute(queries.delete_expired_sessions, before)
        return int(status.split()[-1])
