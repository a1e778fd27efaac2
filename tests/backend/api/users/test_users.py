"""Accounts: registration, own profile and password, admin search, deletion, disabling, roles and their audit."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

USERS = "/api/users/users/"
ME = "/api/users/users/me"
LOGIN = "/api/users/auth/token"


def registration(username: str = "chandra", password: str = "Fiery-Temper-Nine-9", **extra) -> dict:
    return {"username": username, "email": f"{username}@example.com", "full_name": "Chandra Nalaar",
            "password": password, **extra}


def assert_no_secrets(text: str) -> None:
    lowered = text.lower()
    assert "argon2" not in lowered and "password_hash" not in lowered and "token_hash" not in lowered


def account_state(db) -> dict:
    """What a refused request must leave exactly as it was: accounts, role grants, the role audit
    and sessions (all but last_seen_at, which any authenticated request may touch)."""
    with db.cursor() as cur:
        cur.execute("SELECT id::text, username, email, full_name, password_hash, is_active, updated_at, "
                    "password_changed_at FROM user_management.users ORDER BY id")
        users = cur.fetchall()
        cur.execute("SELECT user_id::text, role_name, effective_from, expires_at, granted_by::text, reason, "
                    "granted_at FROM user_management.user_roles ORDER BY user_id, role_name")
        user_roles = cur.fetchall()
        cur.execute("SELECT id, user_id::text, role_name, action FROM user_management.role_audit ORDER BY id")
        role_audit = cur.fetchall()
        cur.execute("SELECT id::text, user_id::text, revoked_at, revoked_reason FROM user_management.sessions "
                    "ORDER BY id")
        sessions = cur.fetchall()
    return {"users": users, "user_roles": user_roles, "role_audit": role_audit, "sessions": sessions}


def usernames(db) -> list[str]:
    with db.cursor() as cur:
        cur.execute("SELECT username FROM user_management.users ORDER BY username")
        return [row[0] for row in cur.fetchall()]


def admin_grant(db, user_id: str) -> tuple | None:
    """(effective_from, expires_at) of the user's admin grant, or None."""
    with db.cursor() as cur:
        cur.execute("SELECT effective_from, expires_at FROM user_management.user_roles "
                    "WHERE user_id = %s AND role_name = 'admin'", (user_id,))
        return cur.fetchone()


def assert_last_admin_refusal(response) -> None:
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "last_admin"
    assert "last active admin" in error["message"]


async def test_register_returns_the_public_view_only(client):
    response = await client.post(USERS, json=registration())
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["username"] == "chandra" and data["roles"] == [] and data["is_active"] is True
    assert set(data) == {"id", "username", "email", "full_name", "is_active", "roles", "created_at", "updated_at",
                         "last_login_at"}
    assert_no_secrets(response.text)


async def test_password_is_stored_as_argon2id(client, db, settings):
    await client.post(USERS, json=registration())
    with db.cursor() as cur:
        cur.execute("SELECT password_hash FROM user_management.users WHERE username = 'chandra'")
        stored = cur.fetchone()[0]
    assert stored.startswith("$argon2id$v=19$")
    assert f"m={settings.argon2_memory_cost_kib},t={settings.argon2_time_cost},p={settings.argon2_parallelism}" in stored
    assert "Fiery-Temper-Nine-9" not in stored


@pytest.mark.parametrize("password, where", [
    ("short7!", "password"),                 # under 8
    ("x" * 129, "password"),                 # over 128
])
async def test_password_length_is_checked(client, db, password, where):
    response = await client.post(USERS, json=registration(password=password))
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["location"] == ["body", where]
    assert usernames(db) == []


COMMON = "is too common (it appears in lists of leaked passwords)"
OWN_NAME = "must not be your username or email address"


@pytest.mark.parametrize("username, password, rule", [
    ("chandra", "password1", COMMON),
    ("chandra", "iloveyou", COMMON),
    ("chandra", "QWERTYUIOP", COMMON),          # compared case-insensitively
    ("chandrana", "Chandrana", OWN_NAME),
    ("chandra", "chandra@example.com", OWN_NAME),
])
async def test_common_or_own_name_passwords_are_refused(client, db, username, password, rule):
    response = await client.post(USERS, json=registration(username=username, password=password))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "weak_password"
    assert error["message"] == f"password {rule}"
    assert error["details"] == {"field": "password", "rule": rule}
    assert usernames(db) == []  # no account was created


async def test_duplicate_username_or_email_is_409_case_insensitively(client):
    assert (await client.post(USERS, json=registration())).status_code == 201
    same_name = await client.post(USERS, json={**registration(), "username": "CHANDRA", "email": "x@example.com"})
    assert same_name.status_code == 409 and same_name.json()["error"]["code"] == "username_taken"
    same_email = await client.post(USERS, json={**registration(username="other"), "email": "Chandra@Example.com"})
    assert same_email.status_code == 409 and same_email.json()["error"]["code"] == "email_taken"


async def test_register_rejects_unknown_fields_and_bad_usernames(client, db):
    unknown = await client.post(USERS, json={**registration(), "is_admin": True})
    assert unknown.status_code == 422
    assert [d["location"] for d in unknown.json()["error"]["details"]] == [["body", "is_admin"]]
    bad_name = await client.post(USERS, json=registration(username="bad name", email="bad@example.com"))
    assert bad_name.status_code == 422
    assert [d["location"] for d in bad_name.json()["error"]["details"]] == [["body", "username"]]
    assert usernames(db) == []


async def test_me_and_profile_update(client, plain_user):
    me = await client.get(ME, headers=plain_user.headers)
    assert me.status_code == 200 and me.json()["data"]["id"] == plain_user.id
    assert_no_secrets(me.text)
    # A new email needs the current password (it is how the account is recovered).
    for password, code in ((None, "current_password_required"), ("wrong-password-1", "invalid_current_password")):
        body = {"full_name": "Nissa Revane", "email": "Nissa@Example.com"}
        if password:
            body["current_password"] = password
        refused = await client.put(USERS, headers=plain_user.headers, json=body)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == code
        assert (await client.get(ME, headers=plain_user.headers)).json()["data"]["email"] == plain_user.email
    updated = await client.put(USERS, headers=plain_user.headers,
                               json={"full_name": "Nissa Revane", "email": "Nissa@Example.com",
                                     "current_password": plain_user.password})
    assert updated.status_code == 200
    assert updated.json()["data"]["full_name"] == "Nissa Revane"
    assert updated.json()["data"]["email"] == "nissa@example.com"
    cleared = await client.put(USERS, headers=plain_user.headers, json={"full_name": None})
    assert cleared.json()["data"]["full_name"] is None
    assert cleared.json()["data"]["email"] == "nissa@example.com"


async def test_profile_email_cannot_take_someone_elses(client, make_user):
    first, second = await make_user(), await make_user()
    response = await client.put(USERS, headers=second.headers,
                                json={"email": first.email.upper(), "current_password": second.password})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "email_taken"
    assert response.json()["error"]["details"] == {"field": "email"}
    assert (await client.get(ME, headers=second.headers)).json()["data"]["email"] == second.email


async def test_me_requires_authentication(client):
    response = await client.get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


async def test_password_change_reauthenticates_and_revokes_other_sessions(client, make_user):
    user = await make_user()
    other = await client.post(LOGIN, data={"username": user.username, "password": user.password})
    other_token = other.json()["access_token"]

    wrong = await client.put(f"{USERS}me/password", headers=user.headers,
                             json={"current_password": "not-it-at-all", "new_password": "Brand-New-Secret-77"})
    assert wrong.status_code == 403
    assert wrong.json()["error"]["code"] == "invalid_current_password"

    changed = await client.put(f"{USERS}me/password", headers=user.headers,
                               json={"current_password": user.password, "new_password": "Brand-New-Secret-77"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"] == {"revoked": 1}
    assert (await client.get(ME, headers=user.headers)).status_code == 200  # this session stays
    assert (await client.get(ME, headers={"Authorization": f"Bearer {other_token}"})).status_code == 401
    old = await client.post(LOGIN, data={"username": user.username, "password": user.password})
    assert old.status_code == 401
    new = await client.post(LOGIN, data={"username": user.username, "password": "Brand-New-Secret-77"})
    assert new.status_code == 200


async def test_password_change_applies_the_policy(client, plain_user, db):
    before = account_state(db)
    response = await client.put(f"{USERS}me/password", headers=plain_user.headers,
                                json={"current_password": plain_user.password, "new_password": "baseball1"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "weak_password" and error["details"] == {"field": "password", "rule": COMMON}
    assert account_state(db) == before  # password (and sessions) unchanged
    still = await client.post(LOGIN, data={"username": plain_user.username, "password": plain_user.password})
    assert still.status_code == 200


async def test_admin_search_with_filters_sort_and_pages(client, admin_user, make_user):
    for name in ("alpha", "bravo", "charlie"):
        await make_user(username=name)
    everyone = await client.get(USERS, headers=admin_user.headers, params={"sort_by": "username", "sort_order": "asc", "limit": 2})
    assert everyone.status_code == 200, everyone.text
    body = everyone.json()
    assert [u["username"] for u in body["data"]] == sorted([admin_user.username, "alpha"])
    assert body["pagination"]["total_count"] == 4 and body["pagination"]["has_next"] is True
    assert_no_secrets(everyone.text)

    found = await client.get(USERS, headers=admin_user.headers, params={"search": "rav"})
    assert [u["username"] for u in found.json()["data"]] == ["bravo"]
    admins = await client.get(USERS, headers=admin_user.headers, params={"role": "admin"})
    assert [u["username"] for u in admins.json()["data"]] == [admin_user.username]
    desc = await client.get(USERS, headers=admin_user.headers, params={"sort_by": "username", "sort_order": "desc"})
    names = [u["username"] for u in desc.json()["data"]]
    assert names == sorted(names, reverse=True)
    past_end = await client.get(USERS, headers=admin_user.headers, params={"offset": 10})
    assert past_end.json()["data"] == [] and past_end.json()["pagination"]["total_count"] == 4


async def test_search_sort_is_whitelisted(client, admin_headers):
    response = await client.get(USERS, headers=admin_headers, params={"sort_by": "password_hash; DROP TABLE x"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_sort"
    assert "username" in response.json()["error"]["details"]["allowed"]


async def test_non_admin_cannot_list_users(client, user_headers):
    refused = await client.get(USERS, headers=user_headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "admin_required"
    anonymous = await client.get(USERS)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "not_authenticated"


async def test_users_delete_themselves_but_not_others(client, make_user, db):
    alice, bob = await make_user(), await make_user()
    refused = await client.delete(f"{USERS}{bob.id}", headers=alice.headers)
    assert refused.status_code == 404
    # The same answer as for an account that does not exist: nothing is learnt about others.
    missing = await client.delete(f"{USERS}00000000-0000-0000-0000-000000000000", headers=alice.headers)
    assert refused.json()["error"] == missing.json()["error"]
    assert refused.json()["error"]["code"] == "not_found"
    assert (await client.get(ME, headers=bob.headers)).status_code == 200
    # Deleting one's own account needs the current password.
    unproven = await client.delete(f"{USERS}{alice.id}", headers=alice.headers)
    assert unproven.status_code == 403 and unproven.json()["error"]["code"] == "current_password_required"
    wrong = await client.request("DELETE", f"{USERS}{alice.id}", headers=alice.headers,
                                 json={"current_password": "not-my-password"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "invalid_current_password"
    assert sorted(usernames(db)) == sorted([alice.username, bob.username])
    own = await client.request("DELETE", f"{USERS}{alice.id}", headers=alice.headers,
                               json={"current_password": alice.password})
    assert own.status_code == 200
    assert own.json()["data"] == {"deleted": alice.id}
    assert usernames(db) == [bob.username]
    assert (await client.get(ME, headers=alice.headers)).status_code == 401  # session went with the account
    assert (await client.post(LOGIN, data={"username": alice.username, "password": alice.password})).status_code == 401


async def test_admin_deletes_anyone_but_not_the_last_admin(client, admin_user, plain_user, db):
    deleted = await client.delete(f"{USERS}{plain_user.id}", headers=admin_user.headers)
    assert deleted.status_code == 200 and deleted.json()["data"] == {"deleted": plain_user.id}
    assert (await client.get(ME, headers=plain_user.headers)).status_code == 401
    before = account_state(db)
    assert_last_admin_refusal(await client.request("DELETE", f"{USERS}{admin_user.id}", headers=admin_user.headers,
                                                   json={"current_password": admin_user.password}))
    assert account_state(db) == before
    assert (await client.get(ME, headers=admin_user.headers)).status_code == 200
    missing = await client.delete(f"{USERS}00000000-0000-0000-0000-000000000000", headers=admin_user.headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


async def test_disabling_a_user_revokes_their_sessions(client, admin_headers, plain_user):
    response = await client.put(f"{USERS}{plain_user.id}/active", headers=admin_headers,
                                json={"is_active": False, "reason": "chargeback fraud"})
    assert response.status_code == 200 and response.json()["data"]["is_active"] is False
    assert (await client.get(ME, headers=plain_user.headers)).status_code == 401
    refresh = await client.post("/api/users/auth/token/refresh", json={"refresh_token": plain_user.refresh_token})
    assert refresh.status_code == 401


async def test_non_admin_cannot_disable_or_assign_roles(client, make_user, db):
    alice, bob = await make_user(), await make_user()
    before = account_state(db)
    responses = [
        await client.put(f"{USERS}{bob.id}/active", headers=alice.headers,
                         json={"is_active": False, "reason": "because"}),
        await client.post(f"{USERS}{alice.id}/roles", headers=alice.headers,
                          json={"role_name": "admin", "reason": "promote myself"}),
        await client.delete(f"{USERS}{bob.id}/roles/seller", headers=alice.headers, params={"reason": "nope"}),
        await client.get(f"{USERS}{bob.id}/roles", headers=alice.headers),
    ]
    assert [(r.status_code, r.json()["error"]["code"]) for r in responses] == [(403, "admin_required")] * 4
    assert account_state(db) == before
    assert (await client.get(ME, headers=alice.headers)).json()["data"]["roles"] == []


async def test_role_grant_and_revoke_are_audited(client, admin_user, plain_user, db):
    grant = await client.post(f"{USERS}{plain_user.id}/roles", headers=admin_user.headers,
                              json={"role_name": "Seller", "reason": "verified store owner"})
    assert grant.status_code == 201, grant.text
    assert grant.json()["data"]["granted_by"] == admin_user.id
    me = await client.get(ME, headers=plain_user.headers)
    assert me.json()["data"]["roles"] == ["seller"]

    revoke = await client.delete(f"{USERS}{plain_user.id}/roles/seller", headers=admin_user.headers,
                                 params={"reason": "store closed"})
    assert revoke.status_code == 200
    assert revoke.json()["data"] == {"user_id": plain_user.id, "role_name": "seller"}
    assert (await client.get(ME, headers=plain_user.headers)).json()["data"]["roles"] == []

    audit = await client.get(f"{USERS}{plain_user.id}/roles/audit", headers=admin_user.headers)
    entries = audit.json()["data"]
    assert audit.json()["pagination"]["total_count"] == 2
    assert [(e["action"], e["actor_username"], e["reason"]) for e in entries] == [
        ("revoke", admin_user.username, "store closed"),
        ("grant", admin_user.username, "verified store owner"),
    ]
    assert all(e["actor_id"] == admin_user.id for e in entries)
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM user_management.role_audit WHERE user_id = %s", (plain_user.id,))
        assert cur.fetchone()[0] == 2


async def test_role_requests_are_validated(client, admin_headers, plain_user, db):
    before = account_state(db)
    unknown = await client.post(f"{USERS}{plain_user.id}/roles", headers=admin_headers,
                                json={"role_name": "overlord", "reason": "why not"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_role"
    assert unknown.json()["error"]["details"] == {"role_name": "overlord", "allowed": ["admin", "seller"]}
    no_reason = await client.post(f"{USERS}{plain_user.id}/roles", headers=admin_headers, json={"role_name": "seller"})
    assert no_reason.status_code == 422
    assert [d["location"] for d in no_reason.json()["error"]["details"]] == [["body", "reason"]]
    now = datetime.now(timezone.utc)
    backwards = await client.post(f"{USERS}{plain_user.id}/roles", headers=admin_headers, json={
        "role_name": "seller", "reason": "test", "effective_from": (now + timedelta(days=2)).isoformat(),
        "expires_at": (now + timedelta(days=1)).isoformat()})
    assert backwards.status_code == 400
    assert backwards.json()["error"]["message"] == "expires_at must be after effective_from"
    already_over = await client.post(f"{USERS}{plain_user.id}/roles", headers=admin_headers, json={
        "role_name": "seller", "reason": "test", "effective_from": (now - timedelta(days=2)).isoformat(),
        "expires_at": (now - timedelta(days=1)).isoformat()})
    assert already_over.status_code == 400 and already_over.json()["error"]["message"] == "expires_at is in the past"
    not_held = await client.delete(f"{USERS}{plain_user.id}/roles/seller", headers=admin_headers,
                                   params={"reason": "cleanup"})
    assert not_held.status_code == 404 and not_held.json()["error"]["code"] == "role_not_held"
    no_user = await client.post(f"{USERS}00000000-0000-0000-0000-000000000000/roles", headers=admin_headers,
                                json={"role_name": "seller", "reason": "test"})
    assert no_user.status_code == 404 and no_user.json()["error"]["message"] == "user not found"
    assert account_state(db) == before  # nothing granted, revoked or audited


async def test_admin_role_with_future_start_and_expiry(client, admin_user, plain_user, settings):
    import time_machine

    settings.session_idle_timeout_seconds = 3 * 24 * 3600  # keep the session alive across the jump

    now = datetime.now(timezone.utc)
    grant = await client.post(f"{USERS}{plain_user.id}/roles", headers=admin_user.headers, json={
        "role_name": "admin", "reason": "covering holidays",
        "effective_from": (now + timedelta(days=1)).isoformat(), "expires_at": (now + timedelta(days=3)).isoformat()})
    assert grant.status_code == 201
    # Not yet in effect: the user is still not an admin.
    assert (await client.get(USERS, headers=plain_user.headers)).status_code == 403
    with time_machine.travel(now + timedelta(days=2), tick=False):
        refreshed = await client.post("/api/users/auth/token/refresh", json={"refresh_token": plain_user.refresh_token})
        headers = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
        assert (await client.get(USERS, headers=headers)).status_code == 200
    grants = await client.get(f"{USERS}{plain_user.id}/roles", headers=admin_user.headers)
    assert grants.json()["data"][0]["role_name"] == "admin"


async def test_expired_role_no_longer_counts(client, admin_user, plain_user):
    import time_machine

    now = datetime.now(timezone.utc)
    await client.post(f"{USERS}{plain_user.id}/roles", headers=admin_user.headers, json={
        "role_name": "admin", "reason": "one hour", "expires_at": (now + timedelta(minutes=30)).isoformat()})
    assert (await client.get(USERS, headers=plain_user.headers)).status_code == 200
    with time_machine.travel(now + timedelta(minutes=31), tick=False):
        # The session is still fresh (idle timeout is an hour); only the role has lapsed.
        response = await client.get(USERS, headers={"Cookie": f"session_id={plain_user.session_token}"})
        assert response.status_code == 403


async def test_last_admin_cannot_lose_the_role(client, admin_user, db):
    before = account_state(db)
    response = await client.delete(f"{USERS}{admin_user.id}/roles/admin", headers=admin_user.headers,
                                   params={"reason": "stepping down"})
    assert_last_admin_refusal(response)
    assert account_state(db) == before  # the grant is still there, no audit entry was written
    assert (await client.get(ME, headers=admin_user.headers)).json()["data"]["roles"] == ["admin"]


async def test_admin_role_is_revoked_while_another_admin_remains(client, admin_user, make_user, db):
    other = await make_user(admin=True)
    revoked = await client.delete(f"{USERS}{other.id}/roles/admin", headers=admin_user.headers,
                                  params={"reason": "left the team"})
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["data"] == {"user_id": other.id, "role_name": "admin"}
    assert admin_grant(db, other.id) is None
    lost = await client.get(USERS, headers=other.headers)
    assert lost.status_code == 403 and lost.json()["error"]["code"] == "admin_required"
    audit = (await client.get(f"{USERS}{other.id}/roles/audit", headers=admin_user.headers)).json()["data"]
    newest = audit[0]
    assert (newest["action"], newest["role_name"], newest["actor_id"], newest["reason"]) == \
        ("revoke", "admin", admin_user.id, "left the team")
    # Now admin_user is the only admin left: their own role cannot go.
    before = account_state(db)
    assert_last_admin_refusal(await client.delete(f"{USERS}{admin_user.id}/roles/admin",
                                                  headers=admin_user.headers, params={"reason": "me too"}))
    assert account_state(db) == before


async def test_admin_steps_down_while_another_admin_remains(client, admin_user, make_user, db):
    other = await make_user(admin=True)
    response = await client.delete(f"{USERS}{admin_user.id}/roles/admin", headers=admin_user.headers,
                                   params={"reason": "stepping down"})
    assert response.status_code == 200, response.text
    assert admin_grant(db, admin_user.id) is None
    assert (await client.get(USERS, headers=admin_user.headers)).status_code == 403
    assert (await client.get(USERS, headers=other.headers)).status_code == 200


async def test_last_admin_cannot_regrant_themself_an_admin_role_that_ends_or_starts_later(client, admin_user, db):
    now = datetime.now(timezone.utc)
    before = account_state(db)
    for timing in ({"expires_at": (now + timedelta(days=7)).isoformat()},
                   {"effective_from": (now + timedelta(days=1)).isoformat()},
                   {"effective_from": (now + timedelta(days=1)).isoformat(),
                    "expires_at": (now + timedelta(days=7)).isoformat()}):
        response = await client.post(f"{USERS}{admin_user.id}/roles", headers=admin_user.headers,
                                     json={"role_name": "admin", "reason": "only for a while", **timing})
        assert_last_admin_refusal(response)
    assert account_state(db) == before  # the open-ended grant stands, nothing audited
    _, expires_at = admin_grant(db, admin_user.id)
    assert expires_at is None
    # Renewing it open-ended, from now, cannot leave the catalog without an admin: allowed.
    renewed = await client.post(f"{USERS}{admin_user.id}/roles", headers=admin_user.headers,
                                json={"role_name": "admin", "reason": "renewed"})
    assert renewed.status_code == 201, renewed.text
    assert renewed.json()["data"]["expires_at"] is None and renewed.json()["data"]["reason"] == "renewed"


async def test_admin_regrants_themself_an_expiring_admin_role_when_another_admin_remains(
        client, admin_user, make_user, db):
    await make_user(admin=True)
    until = (datetime.now(timezone.utc) + timedelta(days=7)).replace(microsecond=0)
    response = await client.post(f"{USERS}{admin_user.id}/roles", headers=admin_user.headers, json={
        "role_name": "admin", "reason": "contract ends", "expires_at": until.isoformat()})
    assert response.status_code == 201, response.text
    grant = response.json()["data"]
    assert (grant["user_id"], grant["role_name"], grant["granted_by"], grant["reason"]) == \
        (admin_user.id, "admin", admin_user.id, "contract ends")
    assert datetime.fromisoformat(grant["expires_at"]) == until
    assert admin_grant(db, admin_user.id)[1] == until
    audit = (await client.get(f"{USERS}{admin_user.id}/roles/audit", headers=admin_user.headers)).json()["data"]
    assert (audit[0]["action"], audit[0]["reason"], datetime.fromisoformat(audit[0]["expires_at"])) == \
        ("grant", "contract ends", until)
    assert (await client.get(USERS, headers=admin_user.headers)).status_code == 200  # still an admin until then


async def test_disabled_or_future_admins_do_not_count_as_another_admin(client, admin_user, make_user, db):
    disabled = await make_user(admin=True)
    assert (await client.put(f"{USERS}{disabled.id}/active", headers=admin_user.headers,
                             json={"is_active": False, "reason": "on leave"})).status_code == 200
    future = await make_user()
    starts_tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    assert (await client.post(f"{USERS}{future.id}/roles", headers=admin_user.headers, json={
        "role_name": "admin", "reason": "from tomorrow", "effective_from": starts_tomorrow})).status_code == 201
    before = account_state(db)
    in_a_week = (datetime.now(timezone.utc) + timedelta(days=7)).isoformat()
    assert_last_admin_refusal(await client.post(f"{USERS}{admin_user.id}/roles", headers=admin_user.headers, json={
        "role_name": "admin", "reason": "only for a while", "expires_at": in_a_week}))
    assert_last_admin_refusal(await client.delete(f"{USERS}{admin_user.id}/roles/admin", headers=admin_user.headers,
                                                  params={"reason": "stepping down"}))
    assert_last_admin_refusal(await client.put(f"{USERS}{admin_user.id}/active", headers=admin_user.headers,
                                               json={"is_active": False, "reason": "oops"}))
    assert account_state(db) == before


async def test_last_admin_cannot_be_disabled(client, admin_user, db):
    before = account_state(db)
    response = await client.put(f"{USERS}{admin_user.id}/active", headers=admin_user.headers,
                                json={"is_active": False, "reason": "oops"})
    assert_last_admin_refusal(response)
    assert account_state(db) == before  # still active, no session revoked
    assert (await client.get(ME, headers=admin_user.headers)).status_code == 200


async def test_guessing_the_current_password_is_throttled(client, plain_user, settings):
    settings.login_max_failures_per_account = 2
    for _ in range(2):
        response = await client.put(f"{USERS}me/password", headers=plain_user.headers,
                                    json={"current_password": "guess-guess-1", "new_password": "Brand-New-Secret-77"})
        assert response.status_code == 403
    blocked = await client.put(f"{USERS}me/password", headers=plain_user.headers,
                               json={"current_password": plain_user.password, "new_password": "Brand-New-Secret-77"})
    assert blocked.status_code == 429 and "retry-after" in blocked.headers
    assert blocked.json()["error"]["code"] == "rate_limited"
    # Even the right current password was refused: the password did not change.
    settings.login_max_failures_per_account = 100
    old = await client.post(LOGIN, data={"username": plain_user.username, "password": plain_user.password})
    assert old.status_code == 200
