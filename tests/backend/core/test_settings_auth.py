"""The account and session settings: OWASP floor for Argon2id, Secure cookies outside dev, sane timeouts."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from backend.core.settings import Settings


def test_defaults_meet_owasp_minimum():
    settings = Settings(env="test")
    assert settings.argon2_memory_cost_kib >= 19_456 and settings.argon2_time_cost >= 2
    assert settings.argon2_parallelism >= 1


def test_weaker_than_owasp_parameters_are_refused():
    with pytest.raises(ValidationError, match="OWASP"):
        Settings(env="test", argon2_memory_cost_kib=8192, argon2_time_cost=1)


def test_cookie_is_secure_everywhere_but_dev():
    assert Settings(env="dev").session_cookie_secure is False
    assert Settings(env="test").session_cookie_secure is True
    assert Settings(env="prod").session_cookie_secure is True
    assert Settings(env="prod", session_cookie_secure=False).session_cookie_secure is False  # explicit opt-out


def test_idle_timeout_cannot_exceed_lifetime():
    with pytest.raises(ValidationError, match="idle"):
        Settings(env="test", session_idle_timeout_seconds=10_000, session_absolute_lifetime_seconds=5_000)
