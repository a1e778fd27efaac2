"""The search section of the settings (SEARCH_*): read from the environment, the rate limit
checked at start-up, the concurrency default derived from the pool."""
from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from backend.core.settings import SearchSettings, Settings, load_settings


def test_search_settings_come_from_search_variables(tmp_path, monkeypatch):
    from backend.core import settings as settings_module

    monkeypatch.setattr(settings_module, "ENV_DIR", tmp_path)
    monkeypatch.setenv("ENV", "dev")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SEARCH_RATE_LIMIT", "5/second; 100/minute")
    monkeypatch.setenv("SEARCH_MAX_CONCURRENT", "3")
    monkeypatch.setenv("SEARCH_QUEUE_SECONDS", "0.5")
    monkeypatch.setenv("SEARCH_STATEMENT_TIMEOUT_MS", "1500")
    search = load_settings().search
    assert [str(item) for item in search.rate_limits] == ["5 per 1 second", "100 per 1 minute"]
    assert (search.max_concurrent, search.queue_seconds, search.statement_timeout_ms) == (3, 0.5, 1500)


def test_an_unreadable_rate_limit_is_refused_at_start_up():
    with pytest.raises(ValidationError, match="couldn't parse rate limit string 'lots'"):
        Settings(search={"rate_limit": "lots"})
    with pytest.raises(ValidationError):
        Settings(search={"statement_timeout_ms": 0})


def test_an_empty_rate_limit_switches_it_off():
    assert Settings(search={"rate_limit": "  "}).search.rate_limits == []


def test_default_concurrency_is_half_the_pool_at_most_half_the_cores():
    cores = os.cpu_count() or 2
    assert Settings(db_pool_max_size=10).search.max_concurrent == max(1, min(5, cores // 2))
    assert Settings(db_pool_max_size=1).search.max_concurrent == 1
    assert Settings(db_pool_max_size=10, search=SearchSettings(max_concurrent=7)).search.max_concurrent == 7
