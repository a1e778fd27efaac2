"""When a session stops being usable: revoked, past its absolute lifetime, or idle too long."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from backend.core.settings import Settings

# Writing last_seen_at on every request would turn each read into a write; a minute's slack is
# negligible against an idle timeout of at least five minutes.
TOUCH_INTERVAL = timedelta(seconds=60)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def idle_expires_at(settings: Settings, last_seen_at: datetime) -> datetime:
    return last_seen_at + timedelta(seconds=settings.session_idle_timeout_seconds)


def session_is_usable(settings: Settings, session: dict, now: datetime) -> bool:
    return (session["revoked_at"] is None
            and now < session["expires_at"]
            and now < idle_expires_at(settings, session["last_seen_at"]))


def session_view(settings: Settings, session: dict, now: datetime, current_session_id: str | None) -> dict:
    """A session row as SessionOut expects it (derived expiry and flags added)."""
    return {
        **{k: v for k, v in session.items() if k != "total_count"},
        "idle_expires_at": idle_expires_at(settings, session["last_seen_at"]),
        "is_active": session_is_usable(settings, session, now),
        "is_current": current_session_id is not None and str(session["id"]) == current_session_id,
    }
