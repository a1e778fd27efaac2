"""MTGStocks settings: polite defaults, checked values, and typos refused."""
from __future__ import annotations

import pydantic
import pytest

from backend.integrations.mtg_stock.config import MtgStockSettings


def test_defaults_are_polite():
    settings = MtgStockSettings()
    assert settings.base_url == "https://api.mtgstocks.com"
    assert settings.requests_per_second == 1.0
    assert settings.user_agent.startswith("AutoMana/")
    # One task's requests at the polite rate stay well under a few minutes' worth of work.
    assert settings.ids_per_task * 2 / settings.requests_per_second <= 600


@pytest.mark.parametrize("bad", [{"requests_per_second": 0}, {"max_retries": -1}, {"schedule_hour": 24},
                                 {"ids_per_task": 0}, {"requests_per_secnd": 2}])
def test_bad_or_misspelt_values_are_refused(bad):
    with pytest.raises(pydantic.ValidationError):
        MtgStockSettings(**bad)
