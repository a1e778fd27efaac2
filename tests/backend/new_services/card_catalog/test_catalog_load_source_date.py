"""An older file never overwrites newer data: each printing keeps the day of the data it was written
from (source_date), and a load dated earlier skips it unless forced. Real Postgres."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.fixtures.scryfall import modern_card

NEW = dt.date(2026, 11, 30)
OLD = dt.date(2019, 6, 1)
OLD_HOST = "https://img.scryfall.com/cards/small/1.jpg"


async def load_cards(manager, **kwargs):
    return await manager.execute_service("card_catalog.catalog_load.load_cards", **kwargs)


def old_version_of(card: dict) -> dict:
    """The same printing as a 2019 dump had it: another price, the old image host, older oracle text."""
    card = dict(card)
    card["prices"] = {**card["prices"], "usd": "0.50", "usd_foil": None}
    card["image_uris"] = {"small": OLD_HOST}
    card["oracle_text"] = "Old wording."
    return card


def printing(db, card_id: str) -> tuple:
    with db.cursor() as cur:
        cur.execute("""SELECT v.price_usd, v.price_usd_foil, v.image_uris->>'small', v.source_date,
                              d.document->'image_uris'->>'small', d.document->'prices'->>'usd', o.oracle_text
                       FROM card_catalog.card_versions v
                       JOIN card_catalog.card_documents d USING (card_version_id)
                       JOIN card_catalog.oracle_cards o USING (oracle_id)
                       WHERE v.card_version_id = %s""", (card_id,))
        return cur.fetchone()


def usd_prices(db, card_id: str) -> tuple[list, tuple]:
    with db.cursor() as cur:
        cur.execute("""SELECT observed_on, price_cents FROM pricing.price_observations
                       WHERE card_version_id = %s AND currency = 'USD' AND finish = 'nonfoil' ORDER BY observed_on""",
                    (card_id,))
        history = cur.fetchall()
        cur.execute("""SELECT observed_on, price_cents FROM pricing.latest_prices
                       WHERE card_version_id = %s AND currency = 'USD' AND finish = 'nonfoil'""", (card_id,))
        return history, cur.fetchone()


async def test_older_load_keeps_newer_printings_and_adds_missing_ones(ingest_manager, db):
    current, same = modern_card(1), modern_card(2)
    await load_cards(ingest_manager, cards=[current, same], observed_on=NEW)
    stored = printing(db, current["id"])
    assert stored == (Decimal("1.25"), Decimal("2.50"), "https://cards.scryfall.io/small/1.jpg", NEW,
                      "https://cards.scryfall.io/small/1.jpg", "1.25", "Ability 1.")

    missing = modern_card(3)
    counts = await load_cards(ingest_manager, cards=[old_version_of(current), same, missing], observed_on=OLD)
    assert (counts.inserted, counts.updated, counts.unchanged, counts.skipped_older) == (1, 0, 1, 1)
    assert counts.oracle_updated == 0
    # The catalog row, its card document and its oracle card are as the newer load left them.
    assert printing(db, current["id"]) == stored
    # The older day's price joins the history; the latest price stays the newer day's.
    assert usd_prices(db, current["id"]) == ([(OLD, 50), (NEW, 125)], (NEW, 125))
    # A printing the catalog lacked is inserted, dated by the older load.
    assert printing(db, missing["id"])[3] == OLD
    # The same older data again changes nothing and is reported again.
    again = await load_cards(ingest_manager, cards=[old_version_of(current)], observed_on=OLD)
    assert (again.updated, again.skipped_older) == (0, 1)
    assert counts.as_dict()["skipped_older"] == 1


async def test_forced_older_load_reverts_the_printing(ingest_manager, db):
    current = modern_card(1)
    await load_cards(ingest_manager, cards=[current], observed_on=NEW)
    counts = await load_cards(ingest_manager, cards=[old_version_of(current)], observed_on=OLD, force=True)
    assert (counts.updated, counts.skipped_older, counts.oracle_updated) == (1, 0, 1)
    assert printing(db, current["id"]) == (Decimal("0.50"), None, OLD_HOST, OLD, OLD_HOST, "0.50", "Old wording.")
    # Latest prices are the newest day's observation whatever the catalog row says.
    assert usd_prices(db, current["id"]) == ([(OLD, 50), (NEW, 125)], (NEW, 125))
    # Now dated OLD, the printing takes any newer data again.
    counts = await load_cards(ingest_manager, cards=[current], observed_on=NEW)
    assert (counts.updated, counts.skipped_older) == (1, 0)
    assert printing(db, current["id"])[:4] == (Decimal("1.25"), Decimal("2.50"), "https://cards.scryfall.io/small/1.jpg",
                                               NEW)


async def test_same_day_and_newer_loads_still_update(ingest_manager, db):
    current = modern_card(1)
    await load_cards(ingest_manager, cards=[old_version_of(current)], observed_on=OLD)
    counts = await load_cards(ingest_manager, cards=[current], observed_on=OLD)
    assert (counts.updated, counts.skipped_older) == (1, 0)
    assert printing(db, current["id"])[3] == OLD
