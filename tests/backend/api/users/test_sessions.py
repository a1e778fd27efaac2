"""Sessions: listing and revoking (own only, admins any), log out everywhere else, idle and absolute expiry."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import time_machine

SESSIONS = "/api/users/session/"
ME = "/api/users/users/me"
LOGIN = "/api/users/auth/token"


def cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"session_id={token}"}


def revocations(db) -> dict[str, tuple]:
    """session id -> (revoked_at, revoked_reason) of every stored session."""
    with db.cursor() as cur:
        cur.execute("SELECT id::text, revoked_at, revoked_reason FROM user_management.sessions")
        return {row[0]: row[1:] for row in cur.fetchall()}


async def test_list_own_sessions_marks_the_current_one(client, make_user):
    user = await make_user()
    await client.post(LOGIN, data={"username": user.username, "password": user.password})
    response = await client.get(SESSIONS, headers=user.headers)
    assert response.status_code == 200
    sessions = response.json()["data"]
    assert len(sessions) == 2 and {s["user_id"] for s in sessions} == {user.id}
    assert [s["id"] for s in sessions if s["is_current"]] == [user.session_id]
    assert all(s["is_active"] for s in sessions)
    assert "token" not in response.text.replace("access_token", "")


async def test_user_cannot_read_or_revoke_anothers_sessions(client, make_user, db):
    alice, bob = await make_user(), await make_user()
    own = await client.get(f"{SESSIONS}{alice.session_id}", headers=alice.headers)
    assert own.status_code == 200 and own.json()["data"]["is_current"] is True
    before = revocations(db)
    # Another user's session answers like one that does not exist.
    unknown = "00000000-0000-0000-0000-000000000000"
    for method, path in (("GET", "{}"), ("DELETE", "{}/desactivate")):
        theirs = await client.request(method, SESSIONS + path.format(bob.session_id), headers=alice.headers)
        missing = await client.request(method, SESSIONS + path.format(unknown), headers=alice.headers)
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"
        assert theirs.json()["error"]["message"] == missing.json()["error"]["message"]
        assert bob.session_id not in theirs.text
    assert revocations(db) == before
    for params in ({"user_id": bob.id}, {"all_users": True}):
        refused = await client.get(SESSIONS, headers=alice.headers, params=params)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        assert bob.session_id not in refused.text
    listed = (await client.get(SESSIONS, headers=alice.headers)).json()["data"]
    assert bob.session_id not in {s["id"] for s in listed}
    assert (await client.get(ME, headers=bob.headers)).status_code == 200


async def test_admin_reads_filters_and_revokes_any_session(client, admin_user, plain_user):
    one = await client.get(f"{SESSIONS}{plain_user.session_id}", headers=admin_user.headers)
    assert one.status_code == 200 and one.json()["data"]["user_id"] == plain_user.id
    theirs = await client.get(SESSIONS, headers=admin_user.headers, params={"user_id": plain_user.id})
    assert [s["id"] for s in theirs.json()["data"]] == [plain_user.session_id]
    everyone = await client.get(SESSIONS, headers=admin_user.headers, params={"all_users": True})
    assert everyone.json()["pagination"]["total_count"] == 2
    revoked = await client.delete(f"{SESSIONS}{plain_user.session_id}/desactivate", headers=admin_user.headers)
    assert revoked.status_code == 200
    assert revoked.json()["data"]["revoked_reason"] == "revoked_by_admin"
    assert revoked.json()["data"]["is_active"] is False
    assert (await client.get(ME, headers=plain_user.headers)).status_code == 401


async def test_revoking_own_current_session_by_cookie_clears_it(browser, plain_user):
    response = await browser.post(LOGIN, data={"username": plain_user.username, "password": plain_user.password})
    session_id = response.json()["session_id"]
    token = browser.cookies["session_id"]
    revoked = await browser.delete(f"{SESSIONS}{session_id}/desactivate")
    assert revoked.status_code == 200 and revoked.json()["data"]["is_current"] is True
    assert revoked.json()["data"]["is_active"] is False
    (cleared,) = [h.lower() for h in revoked.headers.get_list("set-cookie") if h.startswith("session_id=")]
    assert cleared.startswith('session_id="";') and "max-age=0" in cleared
    assert "session_id" not in browser.cookies
    assert (await browser.get(ME, headers=cookie(token))).status_code == 401


async def test_log_out_all_other_sessions(client, make_user):
    user = await make_user()
    others = [(await client.post(LOGIN, data={"username": user.username, "password": user.password})).json()
              for _ in range(2)]
    response = await client.post(f"{SESSIONS}logout-others", headers=user.headers)
    assert response.status_code == 200 and response.json()["data"] == {"revoked": 2}
    assert (await client.get(ME, headers=user.headers)).status_code == 200
    for other in others:
        assert (await client.get(ME, headers={"Authorization": f"Bearer {other['access_token']}"})).status_code == 401
    listed = await client.get(SESSIONS, headers=user.headers, params={"active_only": False})
    assert listed.json()["pagination"]["total_count"] == 3
    active = await client.get(SESSIONS, headers=user.headers)
    assert [s["id"] for s in active.json()["data"]] == [user.session_id]


async def test_idle_timeout_with_a_frozen_clock(client, plain_user, settings):
    idle = timedelta(seconds=settings.session_idle_timeout_seconds)
    start = datetime.now(timezone.utc)
    with time_machine.travel(start, tick=False) as clock:
        clock.shift(idle - timedelta(minutes=2))
        assert (await client.get(ME, headers=cookie(plain_user.session_token))).status_code == 200  # activity
        clock.shift(idle - timedelta(minutes=2))
        # Nearly two idle periods since login, but never idle for one: still valid.
        assert (await client.get(ME, headers=cookie(plain_user.session_token))).status_code == 200
        clock.shift(idle + timedelta(seconds=1))
        assert (await client.get(ME, headers=cookie(plain_user.session_token))).status_code == 401
        refresh = await client.post("/api/users/auth/token/refresh", json={"refresh_token": plain_user.refresh_token})
        assert refresh.status_code == 401


async def test_absolute_lifetime_with_a_frozen_clock(client, plain_user, settings):
    idle = timedelta(seconds=settings.session_idle_timeout_seconds)
    lifetime = timedelta(seconds=settings.session_absolute_lifetime_seconds)
    start = datetime.now(timezone.utc)
    with time_machine.travel(start, tick=False) as clock:
        elapsed = timedelta(0)
        step = idle - timedelta(minutes=5)
        while elapsed + step < lifetime:  # stay active the whole time
            clock.shift(step)
            elapsed += step
            assert (await client.get(ME, headers=cookie(plain_user.session_token))).status_code == 200
        clock.shift(lifetime - elapsed + timedelta(seconds=1))
        assert (await client.get(ME, headers=cookie(plain_user.session_token))).status_code == 401


async def test_access_token_expires_even_while_session_lives(client, plain_user, settings):
    start = datetime.now(timezone.utc)
    with time_machine.travel(start + timedelta(seconds=settings.access_token_ttl_seconds + 1), tick=False):
        assert (await client.get(ME, headers=plain_user.headers)).status_code == 401
        assert (await client.get(ME, headers=cookie(plain_user.session_token))).status_code == 200


async def test_sessions_require_authentication(client):
    for response in (await client.get(SESSIONS), await client.post(f"{SESSIONS}logout-others")):
        assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"


async def test_bad_session_id_is_422(client, user_headers):
    response = await client.get(f"{SESSIONS}not-a-uuid", headers=user_headers)
    assert response.status_code == 422
    assert [d["location"] for d in response.json()["error"]["details"]] == [["path", "session_id"]]


async def test_prune_deletes_only_long_expired_sessions(service_manager, plain_user, db):
    with db.cursor() as cur:
        cur.execute("""INSERT INTO user_management.sessions (user_id, token_hash, created_at, last_seen_at, expires_at)
                       VALUES (%s, '\\x01', now() - interval '90 days', now() - interval '90 days',
                               now() - interval '60 days')""", (plain_user.id,))
    deleted = await service_manager.execute_service("user_management.session.prune", keep_days=30)
    assert deleted == 1
    with db.cursor() as cur:
        cur.execute("SELECT id::text FROM user_management.sessions")
        assert [row[0] for row in cur.fetchall()] == [plain_user.session_id]
