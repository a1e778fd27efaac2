"""Argon2id hashing, rehash on parameter change, the dummy-hash path for unknown users, the password policy."""
from __future__ import annotations

import pytest

from backend.new_services.user_management import passwords
from backend.request_handling.errors import UnprocessableError


async def test_hash_and_verify(settings):
    stored = await passwords.hash_password(settings, "Correct-Horse-77")
    assert stored.startswith("$argon2id$")
    assert await passwords.verify_password(settings, stored, "Correct-Horse-77")
    assert not await passwords.verify_password(settings, stored, "correct-horse-77")
    assert not await passwords.verify_password(settings, "not-a-hash", "Correct-Horse-77")


async def test_unknown_user_costs_a_full_verification_with_current_parameters(settings, monkeypatch):
    calls = []
    real_verify = passwords._verify

    def counting_verify(hasher, password_hash, password):
        calls.append(password_hash)
        return real_verify(hasher, password_hash, password)

    monkeypatch.setattr(passwords, "_verify", counting_verify)
    assert await passwords.verify_password(settings, None, "anything-at-all") is False
    assert len(calls) == 1
    params = f"m={settings.argon2_memory_cost_kib},t={settings.argon2_time_cost},p={settings.argon2_parallelism}"
    assert calls[0].startswith("$argon2id$") and params in calls[0]


async def test_login_rehashes_when_parameters_change(client, settings, plain_user, db):
    with db.cursor() as cur:
        cur.execute("SELECT password_hash, password_changed_at FROM user_management.users WHERE id = %s",
                    (plain_user.id,))
        before, changed_at = cur.fetchone()
    settings.argon2_time_cost += 1
    response = await client.post("/api/users/auth/token",
                                 data={"username": plain_user.username, "password": plain_user.password})
    assert response.status_code == 200
    with db.cursor() as cur:
        cur.execute("SELECT password_hash, password_changed_at FROM user_management.users WHERE id = %s",
                    (plain_user.id,))
        after, changed_at_after = cur.fetchone()
    assert before != after
    assert f"t={settings.argon2_time_cost}," in after
    assert changed_at_after == changed_at  # a re-hash is not a password change
    assert not passwords.needs_rehash(settings, after)


@pytest.mark.parametrize("password, rule", [
    ("Sh0rt!", "at least 8"),
    ("a" * 129, "at most 128"),
    ("trustno1", "too common"),
    ("Baseball1", "too common"),
    ("Jace-Beleren", "your username"),
])
def test_password_policy(password, rule):
    with pytest.raises(UnprocessableError, match=rule):
        passwords.check_password_policy(password, username="jace-beleren", email="jace@example.com")


def test_good_password_passes_policy():
    passwords.check_password_policy("Jace-Reads-Minds-42", username="jace", email="jace@example.com")
    assert len(passwords.COMMON_PASSWORDS) > 10_000
