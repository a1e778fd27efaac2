"""Shared data of the /scryfall tests."""
from __future__ import annotations

import pytest

from tests.fixtures.scryfall import modern_card

# A set big enough for three pages of 175 (search paging).
PAGED_SET = "pgs"
PAGED_COUNT = 400


@pytest.fixture
async def paged_catalog(service_manager, catalog) -> list[dict]:
    cards = [modern_card(n, set_code=PAGED_SET, name=f"Paged Card {n:03d}") for n in range(1, PAGED_COUNT + 1)]
    counts = await service_manager.execute_service("card_catalog.catalog_load.load_cards", cards=cards)
    assert counts.rejected == 0
    return cards
