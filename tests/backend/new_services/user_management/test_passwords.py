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


async def test_passwords_are_compared_in_nfkc_form(settings):
    """A password registered with a decomposed accent (NFD, as some keyboards send it) works typed
    composed (NFC), and full-width digits are the digits."""
    decomposed, composed = "Cafe\u0301-Noir-42", "Caf\u00e9-Noir-42"
    stored = await passwords.hash_password(settings, decomposed)
    assert await passwords.verify_password(settings, stored, composed)
    assert await passwords.verify_password(settings, stored, decomposed)
    full_width = await passwords.hash_password(settings, "Secret-\uff11\uff12\uff13-plan")
    assert await passwords.verify_password(settings, full_width, "Secret-123-plan")


async def test_a_hash_made_before_normalising_still_verifies_and_asks_to_be_redone(settings):
    legacy = passwords.hasher_for(settings).hash("Cafe\u0301-Noir-42")   # the password hashed as typed
    assert await passwords.check_password(settings, legacy, "Cafe\u0301-Noir-42") == (True, True)
    assert await passwords.check_password(settings, legacy, "wrong-password-1") == (False, False)
    fresh = await passwords.hash_password(settings, "Cafe\u0301-Noir-42")
    assert await passwords.check_password(settings, fresh, "Caf\u00e9-Noir-42") == (True, False)


async def test_login_rehashes_a_legacy_unnormalised_hash(client, settings, plain_user, db):
    typed = "Cafe\u0301-Noir-42-legacy"
    with db.cursor() as cur:
        cur.execute("UPDATE user_management.users SET password_hash = %s WHERE id = %s",
                    (passwords.hasher_for(settings).hash(typed), plain_user.id))
    response = await client.post("/api/users/auth/token", data={"username": plain_user.username, "password": typed})
    assert response.status_code == 200
    with db.cursor() as cur:
        cur.execute("SELECT password_hash FROM user_management.users WHERE id = %s", (plain_user.id,))
        upgraded = cur.fetchone()[0]
    assert await passwords.check_password(settings, upgraded, typed) == (True, False)


@pytest.mark.parametrize(("password", "rule"), [
    (" " * 12, "must not be only spaces"),
    ("a" * 12, "must not be one character repeated"),
    ("\uff41" * 10, "must not be one character repeated"),     # full-width 'a', the same after NFKC
])
def test_trivial_passwords_are_refused(password, rule):
    with pytest.raises(UnprocessableError) as refused:
        passwords.check_password_policy(password, username="someone", email="someone@example.com")
    assert refused.value.details == {"field": "password", "rule": rule}
