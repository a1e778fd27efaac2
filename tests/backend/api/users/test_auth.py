"""Login, cookie flags, session rotation, logout, refresh rotation and reuse, throttling, cross-site checks."""
from __future__ import annotations

import httpx
import pytest

from backend.new_services.user_management.tokens import token_digest

LOGIN = "/api/users/auth/token"
REFRESH = "/api/users/auth/token/refresh"
LOGOUT = "/api/users/auth/logout"
ME = "/api/users/users/me"


async def login(http: httpx.AsyncClient, username: str, password: str, **headers) -> httpx.Response:
    return await http.post(LOGIN, data={"username": username, "password": password}, headers=headers)


def cookie(token: str) -> dict[str, str]:
    """An explicit Cookie header (wins over the client's jar)."""
    return {"Cookie": f"session_id={token}"}


def session_cookie_header(response: httpx.Response) -> str:
    (header,) = [h for h in response.headers.get_list("set-cookie") if h.startswith("session_id=")]
    return header


def session_ids(db, user_id: str) -> list[str]:
    with db.cursor() as cur:
        cur.execute("SELECT id::text FROM user_management.sessions WHERE user_id = %s ORDER BY created_at",
                    (user_id,))
        return [row[0] for row in cur.fetchall()]


async def test_login_sets_hardened_cookie_and_returns_tokens(browser, plain_user):
    response = await login(browser, plain_user.username, plain_user.password)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "session_id"}
    assert body["token_type"] == "bearer"
    assert response.headers["cache-control"] == "no-store"
    cookie = session_cookie_header(response).lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    token = browser.cookies["session_id"]
    assert len(token) >= 43  # 32 random bytes, base64url
    # Both the cookie and the access token authenticate.
    assert (await browser.get(ME)).json()["data"]["username"] == plain_user.username
    bearer = await browser.get(ME, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert bearer.status_code == 200


async def test_cookie_is_not_secure_in_dev(app, settings, plain_user):
    settings.session_cookie_secure = False
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        response = await login(http, plain_user.username, plain_user.password)
    assert "secure" not in session_cookie_header(response).lower()


async def test_session_token_is_stored_only_as_digest(browser, plain_user, db):
    await login(browser, plain_user.username, plain_user.password)
    token = browser.cookies["session_id"]
    with db.cursor() as cur:
        cur.execute("SELECT token_hash FROM user_management.sessions WHERE user_id = %s ORDER BY created_at DESC",
                    (plain_user.id,))
        digests = [bytes(row[0]) for row in cur.fetchall()]
        cur.execute("SELECT count(*) FROM user_management.sessions WHERE token_hash = %s", (token.encode(),))
        assert cur.fetchone()[0] == 0
    assert token_digest(token) in digests


async def test_login_by_email_is_case_insensitive(client, plain_user):
    response = await login(client, plain_user.email.upper(), plain_user.password)
    assert response.status_code == 200
    me = await client.get(ME, headers={"Authorization": f"Bearer {response.json()['access_token']}"})
    assert me.json()["data"]["id"] == plain_user.id


async def test_new_session_at_every_login_and_old_cookie_dies(browser, plain_user):
    first = await login(browser, plain_user.username, plain_user.password)
    old_cookie = browser.cookies["session_id"]
    second = await login(browser, plain_user.username, plain_user.password)  # sends the old cookie along
    new_cookie = browser.cookies["session_id"]
    assert new_cookie != old_cookie
    assert first.json()["session_id"] != second.json()["session_id"]
    replay = await browser.get(ME, headers=cookie(old_cookie))
    assert replay.status_code == 401
    assert (await browser.get(ME)).status_code == 200


async def test_client_chosen_session_id_is_never_adopted(browser, plain_user):
    response = await login(browser, plain_user.username, plain_user.password, **cookie("attacker-chosen-value"))
    assert response.cookies["session_id"] != "attacker-chosen-value"
    assert (await browser.get(ME, headers=cookie("attacker-chosen-value"))).status_code == 401


async def test_logout_revokes_server_side_and_clears_cookie(browser, plain_user):
    tokens = (await login(browser, plain_user.username, plain_user.password)).json()
    old_token = browser.cookies["session_id"]
    response = await browser.post(LOGOUT)
    assert response.status_code == 200
    assert response.json()["data"] == {"logged_out": True}
    cleared = session_cookie_header(response).lower()
    assert cleared.startswith('session_id="";') and "max-age=0" in cleared
    assert "session_id" not in browser.cookies
    # Replaying the logged-out cookie, or the access token of that session, is refused.
    assert (await browser.get(ME, headers=cookie(old_token))).status_code == 401
    bearer = await browser.get(ME, headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert bearer.status_code == 401
    # And its refresh token is dead.
    assert (await browser.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})).status_code == 401


async def test_logout_when_signed_out_is_harmless(client):
    response = await client.post(LOGOUT)
    assert response.status_code == 200
    assert response.json()["data"] == {"logged_out": False}


async def test_unknown_user_and_wrong_password_answer_the_same(client, plain_user):
    wrong = await login(client, plain_user.username, "Not-The-Password-123")
    unknown = await login(client, "nobody-like-this", "Not-The-Password-123")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"] == unknown.json()["error"]
    assert wrong.headers["www-authenticate"] == "Bearer"


async def test_disabled_user_cannot_log_in_with_the_right_password(client, plain_user, admin_headers):
    response = await client.put(f"/api/users/users/{plain_user.id}/active", headers=admin_headers,
                                json={"is_active": False, "reason": "abuse report"})
    assert response.status_code == 200
    refused = await login(client, plain_user.username, plain_user.password)
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "incorrect username or password"


async def test_refresh_rotates_and_reuse_revokes_the_family(client, plain_user):
    first = await client.post(REFRESH, json={"refresh_token": plain_user.refresh_token})
    assert first.status_code == 200, first.text
    rotated = first.json()
    assert rotated["refresh_token"] != plain_user.refresh_token
    assert rotated["session_id"] == plain_user.session_id
    assert (await client.get(ME, headers={"Authorization": f"Bearer {rotated['access_token']}"})).status_code == 200

    # The spent token comes back (stolen copy): the whole family dies, including the legitimate new token.
    reuse = await client.post(REFRESH, json={"refresh_token": plain_user.refresh_token})
    assert reuse.status_code == 401
    assert reuse.json()["error"]["code"] == "invalid_refresh_token"
    assert (await client.post(REFRESH, json={"refresh_token": rotated["refresh_token"]})).status_code == 401
    assert (await client.get(ME, headers={"Authorization": f"Bearer {rotated['access_token']}"})).status_code == 401
    assert (await client.get(ME, headers=cookie(plain_user.session_token))).status_code == 401


async def test_reuse_revocation_is_committed(client, plain_user, db):
    await client.post(REFRESH, json={"refresh_token": plain_user.refresh_token})
    await client.post(REFRESH, json={"refresh_token": plain_user.refresh_token})
    with db.cursor() as cur:
        cur.execute("SELECT revoked_reason FROM user_management.sessions WHERE id = %s", (plain_user.session_id,))
        assert cur.fetchone()[0] == "refresh_token_reuse"
        cur.execute("SELECT count(*) FROM user_management.refresh_tokens WHERE session_id = %s "
                    "AND revoked_at IS NULL AND used_at IS NULL", (plain_user.session_id,))
        assert cur.fetchone()[0] == 0


async def test_unknown_refresh_token_is_401(client):
    response = await client.post(REFRESH, json={"refresh_token": "x" * 43})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_refresh_token"
    assert response.json()["error"]["message"] == "refresh token refused: unknown token"


async def test_tampered_or_foreign_access_tokens_are_refused(client, plain_user, settings):
    from jose import jwt

    header, payload, signature = plain_user.access_token.split(".")
    tampered = f"{header}.{payload}.{signature[:-2]}AA"
    assert (await client.get(ME, headers={"Authorization": f"Bearer {tampered}"})).status_code == 401
    forged = jwt.encode({"sub": plain_user.id, "sid": plain_user.session_id, "jti": "x", "iat": 1,
                         "exp": 4_000_000_000, "typ": "access"}, "another-key-0123456789abcdef", algorithm="HS256")
    assert (await client.get(ME, headers={"Authorization": f"Bearer {forged}"})).status_code == 401
    assert (await client.get(ME, headers={"Authorization": "Basic abc"})).status_code == 401
    claims = jwt.get_unverified_claims(plain_user.access_token)
    assert {"exp", "iat", "sub", "jti", "sid"} <= set(claims)


async def test_access_token_issued_in_the_future_is_refused(client, plain_user, settings):
    """A token whose `iat` lies beyond the clock-skew leeway was not issued by this server."""
    import time

    from jose import jwt

    from backend.new_services.user_management.tokens import ISSUED_AT_LEEWAY_SECONDS

    secret = settings.jwt_secret_key.get_secret_value()

    def token(issued_at: int) -> str:
        return jwt.encode({"sub": plain_user.id, "sid": plain_user.session_id, "jti": "j", "iat": issued_at,
                           "exp": issued_at + 3600, "typ": "access"}, secret, algorithm="HS256")

    now = int(time.time())
    future = await client.get(ME, headers={"Authorization": f"Bearer {token(now + 10 * ISSUED_AT_LEEWAY_SECONDS)}"})
    assert future.status_code == 401 and future.json()["error"]["code"] == "invalid_token"
    # Within the leeway (a server whose clock runs a few seconds ahead) the token is accepted.
    skewed = await client.get(ME, headers={"Authorization": f"Bearer {token(now + 5)}"})
    assert skewed.status_code == 200


async def test_bad_logins_are_throttled_per_account_and_ip(client, plain_user, settings):
    settings.login_max_failures_per_account = 3
    for _ in range(3):
        assert (await login(client, plain_user.username, "Wrong-password-999")).status_code == 401
    blocked = await login(client, plain_user.username, plain_user.password)  # even the right password
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= settings.login_failure_window_seconds
    assert blocked.json()["error"]["code"] == "rate_limited"


async def test_throttle_does_not_lock_the_owner_out_from_another_ip(app, settings, plain_user):
    settings.login_max_failures_per_account = 3
    settings.trusted_proxies = []  # so X-Forwarded-For from the client is ignored

    def client_from(ip: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(ip, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    async with client_from("203.0.113.66") as attacker, client_from("198.51.100.7") as owner:
        for _ in range(3):
            await login(attacker, plain_user.username, "Wrong-password-999")
        # Spoofing the forwarded header from an untrusted peer does not move the attacker elsewhere.
        spoofed = await login(attacker, plain_user.username, "Wrong-password-999",
                              **{"X-Forwarded-For": "198.51.100.7"})
        assert spoofed.status_code == 429
        assert (await login(owner, plain_user.username, plain_user.password)).status_code == 200


async def test_per_ip_limit_covers_many_accounts(client, settings):
    settings.login_max_failures_per_ip = 4
    for n in range(4):
        assert (await login(client, f"sprayed{n}", "Wrong-password-999")).status_code == 401
    blocked = await login(client, "sprayed-next", "Wrong-password-999")
    assert blocked.status_code == 429 and blocked.json()["error"]["code"] == "rate_limited"


async def test_forwarded_for_is_believed_from_a_trusted_proxy(app, settings, plain_user, db):
    settings.trusted_proxies = ["10.0.0.0/8"]
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as via_proxy:
        response = await login(via_proxy, plain_user.username, plain_user.password,
                               **{"X-Forwarded-For": "1.2.3.4, 203.0.113.9"})
    assert response.status_code == 200
    with db.cursor() as cur:
        cur.execute("SELECT ip_address FROM user_management.sessions WHERE id = %s", (response.json()["session_id"],))
        assert cur.fetchone()[0] == "203.0.113.9"


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    {"Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "same-site", "Origin": "https://other.testserver"},
    {"Origin": "null"},
])
async def test_cross_site_cookie_writes_are_refused(browser, plain_user, headers):
    await login(browser, plain_user.username, plain_user.password)
    response = await browser.put("/api/users/users/", json={"full_name": "Pwned"}, headers=headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "cross_site_request"
    logout = await browser.post(LOGOUT, headers=headers)
    assert logout.status_code == 403
    assert (await browser.get(ME)).json()["data"]["full_name"] is None  # nothing changed, still signed in


async def test_same_origin_and_allowlisted_cookie_writes_pass(browser, plain_user, settings):
    settings.csrf_trusted_origins = ["https://app.example.com"]
    await login(browser, plain_user.username, plain_user.password)
    for n, headers in enumerate(({"Sec-Fetch-Site": "same-origin", "Origin": "https://testserver"},
                                 {"Origin": "https://testserver"},
                                 {"Sec-Fetch-Site": "same-site", "Origin": "https://app.example.com"})):
        response = await browser.put("/api/users/users/", json={"full_name": f"Jace {n}"}, headers=headers)
        assert response.status_code == 200, (headers, response.text)
        assert response.json()["data"]["full_name"] == f"Jace {n}"


async def test_bearer_requests_are_not_subject_to_the_cross_site_check(client, plain_user):
    response = await client.put("/api/users/users/", json={"full_name": "Liliana"},
                                headers={**plain_user.headers, "Sec-Fetch-Site": "cross-site",
                                         "Origin": "https://evil.example"})
    assert response.status_code == 200
    assert response.json()["data"]["full_name"] == "Liliana"


async def test_cross_site_login_is_refused(browser, plain_user, db):
    response = await login(browser, plain_user.username, plain_user.password,
                           **{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "cross_site_request"
    assert error["details"] == {"sec_fetch_site": "cross-site", "origin": "https://evil.example"}
    assert "access_token" not in response.text
    assert response.headers.get_list("set-cookie") == [] and "session_id" not in browser.cookies
    assert session_ids(db, plain_user.id) == [plain_user.session_id]  # only the fixture's own session


async def test_login_form_validation_is_422(client):
    response = await client.post(LOGIN, data={"username": "someone"})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["location"] == ["body", "password"]


async def test_login_without_redis_fails_closed(settings, plain_user, db):
    from asgi_lifespan import LifespanManager

    from backend.main import create_app

    settings.redis_url = None
    settings.celery_broker_url = None
    app = create_app(settings)
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            response = await login(http, plain_user.username, plain_user.password)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert response.headers.get_list("set-cookie") == []
    assert session_ids(db, plain_user.id) == [plain_user.session_id]


async def test_concurrent_use_of_one_refresh_token_counts_as_reuse(client, plain_user):
    import asyncio

    first, second = await asyncio.gather(
        client.post(REFRESH, json={"refresh_token": plain_user.refresh_token}),
        client.post(REFRESH, json={"refresh_token": plain_user.refresh_token}),
    )
    assert sorted([first.status_code, second.status_code]) == [200, 401]
    winner = first if first.status_code == 200 else second
    # The family is revoked, so even the winner's new tokens are dead.
    assert (await client.post(REFRESH, json={"refresh_token": winner.json()["refresh_token"]})).status_code == 401


async def test_username_and_email_share_one_failure_budget(client, plain_user, settings):
    settings.login_max_failures_per_account = 2
    await login(client, plain_user.username, "Wrong-password-999")
    await login(client, plain_user.email.upper(), "Wrong-password-999")
    assert (await login(client, plain_user.username, plain_user.password)).status_code == 429


def test_ipv6_clients_are_counted_per_64():
    from backend.new_services.user_management.login_throttle import ip_bucket

    assert ip_bucket("2001:db8:1:2:aaaa::1") == ip_bucket("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert ip_bucket("2001:db8:1:3::1") != ip_bucket("2001:db8:1:2::1")
    assert ip_bucket("203.0.113.5") == "203.0.113.5"
    assert ip_bucket("::ffff:203.0.113.5") == "203.0.113.5"


async def test_account_disabled_while_hashing_gets_no_session(client, plain_user, db, monkeypatch):
    from backend.new_services.user_management import auth_service

    real_check = auth_service.check_password

    async def verify_then_disable(settings, password_hash, password):
        result = await real_check(settings, password_hash, password)
        with db.cursor() as cur:  # an admin disables the account during the Argon2 work
            cur.execute("UPDATE user_management.users SET is_active = false WHERE id = %s", (plain_user.id,))
        return result

    monkeypatch.setattr(auth_service, "check_password", verify_then_disable)
    response = await login(client, plain_user.username, plain_user.password)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM user_management.sessions WHERE user_id = %s", (plain_user.id,))
        assert cur.fetchone()[0] == 1  # only the fixture's own session
