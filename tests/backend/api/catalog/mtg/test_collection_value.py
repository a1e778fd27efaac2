"""Value, value history and movers, checked against hand-computed figures from prices written on known days."""
from __future__ import annotations

import datetime as dt

from tests.fixtures.collection import (
    BASE,
    BOLT_4ED,
    GOYF_FUT,
    GOYF_MM2,
    LOTUS,
    PONDER,
    SOL_RING,
    write_price,
)

DAY = dt.date(2026, 3, 1)


def day(n: int) -> dt.date:
    return DAY + dt.timedelta(days=n)


async def test_value_by_hand(client, db, owner, new_collection, add_entry):
    cid = (await new_collection(owner))["collection_id"]
    await add_entry(owner, cid, BOLT_4ED, quantity=4, purchase_price="1.50")
    await add_entry(owner, cid, GOYF_FUT, finish="foil", condition="LP", purchase_price="40",
                    purchase_currency="EUR")
    await add_entry(owner, cid, GOYF_MM2, quantity=2, condition="HP")
    await add_entry(owner, cid, LOTUS, purchase_price="10000")
    await add_entry(owner, cid, SOL_RING, quantity=3, purchase_price="2.00")
    await add_entry(owner, cid, PONDER, condition="MP")
    write_price(db, BOLT_4ED, 200, day=day(0))
    write_price(db, BOLT_4ED, 999, day=day(0), finish="foil")           # another finish: not ours
    write_price(db, GOYF_FUT, 10_000, day=day(0), finish="foil")
    write_price(db, GOYF_FUT, 3_000, day=day(0))                        # nonfoil: not ours
    write_price(db, GOYF_MM2, 3_000, day=day(0), currency="EUR")        # only in EUR: missing, not converted
    write_price(db, SOL_RING, 120, day=day(0))                          # scryfall is preferred ...
    write_price(db, SOL_RING, 150, day=day(1), source="tcgplayer")      # ... over tcgplayer
    write_price(db, PONDER, 75, day=day(0), source="mtgstocks")         # the only source: used
    value = (await client.get(f"{BASE}/{cid}/value", headers=owner.headers)).json()["data"]
    # 4 x 2.00 + 0.85 x 100.00 + 3 x 1.20 + round(0.70 x 0.75) = 8.00 + 85.00 + 3.60 + 0.53
    assert value["value_cents"] == 800 + 8500 + 360 + 53
    assert (value["entry_count"], value["card_count"], value["priced_entries"]) == (6, 12, 4)
    assert value["entries_without_price"] == 2 and value["entries_priced_only_in_other_currency"] == 1
    unpriced = {u["name"]: (u["reason"], u["other_currencies"]) for u in value["unpriced"]}
    assert unpriced == {"Tarmogoyf": ("other_currency_only", ["EUR"]), "Black Lotus": ("no_price", [])}
    # Cost basis: what was paid in USD (the EUR purchase is not converted).
    assert value["cost_basis_cents"] == 4 * 150 + 1_000_000 + 3 * 200 and value["cost_basis_entries"] == 3
    assert value["entries_without_cost_basis"] == 3
    # Gain over the entries with a price and a cost: (8.00 - 6.00) + (3.60 - 6.00)
    assert value["value_of_cost_basis_entries_cents"] == 800 + 360
    assert value["unrealised_gain_cents"] == (800 - 600) + (360 - 600)
    assert value["prices_as_of"] == "2026-03-01" and value["cost_to_complete_cents"] is None
    assert value["condition_multipliers"]["LP"] == 0.85
    listed = (await client.get(f"{BASE}/", headers=owner.headers)).json()["data"]
    assert listed[0]["value_cents"] == value["value_cents"]


async def test_cached_value_follows_entries_price_loads_and_settings(client, db, service_manager, owner,
                                                                     new_collection, add_entry, fixture_cards, app):
    cid = (await new_collection(owner))["collection_id"]
    await add_entry(owner, cid, BOLT_4ED, quantity=4)
    write_price(db, BOLT_4ED, 200, day=day(0))

    async def value() -> int:
        response = await client.get(f"{BASE}/{cid}/value", headers=owner.headers)
        assert response.status_code == 200, response.text
        return response.json()["data"]["value_cents"]

    def stored(sql: str = "SELECT value_cents FROM user_collection.value_summary WHERE collection_id = %s"):
        with db.cursor() as cur:
            cur.execute(sql, (cid,))
            return cur.fetchone()

    assert await value() == 800
    # While contents, settings and prices are unchanged the answer is the stored summary, not a new sum.
    stored("UPDATE user_collection.value_summary SET value_cents = 777 WHERE collection_id = %s RETURNING 1")
    assert await value() == 777
    # An entry change: computed again.
    await add_entry(owner, cid, BOLT_4ED, quantity=1)
    assert await value() == 1000
    # A Scryfall load with a new price for the printing (the catalog loader's price writes): computed again.
    card = next(c for c in fixture_cards if c["id"] == BOLT_4ED)
    await service_manager.execute_service("card_catalog.catalog_load.load_cards",
                                          cards=[{**card, "prices": {**card.get("prices", {}), "usd": "3.00"}}],
                                          observed_on=day(5), force=True)
    assert await value() == 1500
    # Other valuation settings: computed again (NM x 0.5).
    app.state.settings.collection_condition_multipliers["NM"] = 0.5
    assert await value() == 750
    app.state.settings.collection_condition_multipliers["NM"] = 1.0
    assert await value() == 1500
    listed = (await client.get(f"{BASE}/{cid}", headers=owner.headers)).json()["data"]
    assert listed["value_cents"] == 1500 and (listed["entry_count"], listed["card_count"]) == (1, 5)


async def test_refresh_recomputes_stale_values_and_renamed_sort_names(client, db, service_manager, owner,
                                                                      new_collection, add_entry):
    cid = (await new_collection(owner))["collection_id"]
    await add_entry(owner, cid, BOLT_4ED, quantity=2)
    await add_entry(owner, cid, SOL_RING)
    write_price(db, BOLT_4ED, 200, day=day(0))
    assert (await client.get(f"{BASE}/{cid}/value", headers=owner.headers)).json()["data"]["value_cents"] == 400
    write_price(db, BOLT_4ED, 300, day=day(1))                          # prices moved: the summary is stale
    with db.cursor() as cur:                                            # the catalog renames a printing
        cur.execute("UPDATE card_catalog.card_versions SET name = 'Zap Ring' WHERE card_version_id = %s", (SOL_RING,))
    done = await service_manager.execute_service("user_collection.value.refresh", force=True)
    assert done["values_recomputed"] == 1 and done["renamed_entries"] == 1
    with db.cursor() as cur:
        cur.execute("SELECT s.value_cents, s.prices_version = p.version FROM user_collection.value_summary s,"
                    " pricing.latest_prices_version p WHERE s.collection_id = %s", (cid,))
        assert cur.fetchone() == (600, True)
    names = [e["name"] for e in (await client.get(f"{BASE}/{cid}/entries", headers=owner.headers)).json()["data"]]
    assert names == ["Lightning Bolt", "Zap Ring"]
    again = await service_manager.execute_service("user_collection.value.refresh", force=True)
    assert again["values_recomputed"] == 0 and again["renamed_entries"] == 0


async def test_value_in_euros_and_configured_multipliers(client, db, owner, new_collection, add_entry, app):
    app.state.settings.collection_condition_multipliers["LP"] = 0.5
    cid = (await new_collection(owner, currency="EUR"))["collection_id"]
    await add_entry(owner, cid, GOYF_MM2, quantity=2, condition="LP")
    await add_entry(owner, cid, BOLT_4ED)
    write_price(db, GOYF_MM2, 3_001, day=day(0), currency="EUR")
    write_price(db, BOLT_4ED, 200, day=day(0))                          # USD only: missing in a EUR collection
    value = (await client.get(f"{BASE}/{cid}/value", headers=owner.headers)).json()["data"]
    assert value["currency"] == "EUR" and value["value_cents"] == 3001    # 2 x 0.5 x 30.01
    assert value["unpriced"][0]["other_currencies"] == ["USD"]


async def test_wishlist_cost_to_complete(client, db, owner, new_collection, add_entry):
    have = (await new_collection(owner, name="Have"))["collection_id"]
    wants = (await new_collection(owner, name="Wants", kind="wishlist"))["collection_id"]
    await add_entry(owner, have, BOLT_4ED, quantity=4)
    await add_entry(owner, have, GOYF_FUT, finish="foil", condition="HP")
    await add_entry(owner, wants, BOLT_4ED, quantity=6)
    await add_entry(owner, wants, GOYF_FUT, finish="foil")
    await add_entry(owner, wants, GOYF_MM2)
    write_price(db, BOLT_4ED, 200, day=day(0))
    write_price(db, GOYF_FUT, 10_000, day=day(0), finish="foil")
    write_price(db, GOYF_MM2, 5_000, day=day(0))
    value = (await client.get(f"{BASE}/{wants}/value", headers=owner.headers)).json()["data"]
    assert value["copies_wanted"] == 8 and value["copies_owned"] == 5
    assert value["cost_to_complete_cents"] == 2 * 200 + 5_000            # 2 more bolts and the mm2 goyf
    assert value["value_cents"] == 6 * 200 + 10_000 + 5_000


async def test_value_history_follows_observations(client, db, owner, new_collection, add_entry, service_manager):
    cid = (await new_collection(owner))["collection_id"]
    await add_entry(owner, cid, BOLT_4ED, quantity=2)
    await add_entry(owner, cid, GOYF_MM2, condition="LP")
    write_price(db, BOLT_4ED, 100, day=day(0), latest=False)
    write_price(db, BOLT_4ED, 150, day=day(2), latest=False)
    write_price(db, BOLT_4ED, 120, day=day(5))
    write_price(db, GOYF_MM2, 2_000, day=day(1), latest=False)
    write_price(db, GOYF_MM2, 1_000, day=day(5))

    async def series(range_: str = "all") -> list[tuple[str, int]]:
        response = await client.get(f"{BASE}/{cid}/value/history", params={"range": range_}, headers=owner.headers)
        assert response.status_code == 200, response.text
        return [(p["day"], p["value_cents"]) for p in response.json()["data"]["points"]]

    # A printing keeps its last price on days without an observation.
    expected = [("2026-03-01", 200), ("2026-03-02", 200 + 1700), ("2026-03-03", 300 + 1700),
                ("2026-03-04", 2000), ("2026-03-05", 2000), ("2026-03-06", 240 + 850)]
    assert await series() == expected
    assert await series("1m") == expected
    history = (await client.get(f"{BASE}/{cid}/value/history", headers=owner.headers)).json()["data"]
    assert history["end"] == "2026-03-06" and history["change_cents"] == 1090 - 200

    # New days: the periodic refresh appends them.
    write_price(db, BOLT_4ED, 130, day=day(6))
    done = await service_manager.execute_service("user_collection.value.refresh", force=True)
    assert done["extended"] == 1
    assert (await series())[-2:] == [("2026-03-06", 1090), ("2026-03-07", 260 + 850)]

    # A correction of an older day (a backfill): the refresh sees the count change and rebuilds.
    write_price(db, BOLT_4ED, 500, day=day(3), latest=False)
    done = await service_manager.execute_service("user_collection.value.refresh", force=True)
    assert done["rebuilt"] == 1
    assert (await series())[3:5] == [("2026-03-04", 1000 + 1700), ("2026-03-05", 1000 + 1700)]

    # Changed contents: the next read rebuilds the series for the new contents.
    await add_entry(owner, cid, BOLT_4ED, quantity=1)
    assert (await series())[0] == ("2026-03-01", 300)
    # A pass with nothing new recomputes only the last days (same-day corrections), and the series stays.
    before = await series()
    again = await service_manager.execute_service("user_collection.value.refresh", force=True)
    assert again["rebuilt"] == 0 and await series() == before


async def test_history_of_a_collection_without_prices(client, owner, new_collection, add_entry):
    cid = (await new_collection(owner))["collection_id"]
    await add_entry(owner, cid, LOTUS)
    history = (await client.get(f"{BASE}/{cid}/value/history", headers=owner.headers)).json()["data"]
    assert history["points"] == [] and history["end"] is None
    movers = (await client.get(f"{BASE}/{cid}/movers", headers=owner.headers)).json()["data"]
    assert movers["gainers"] == [] and movers["losers"] == []


async def test_movers(client, db, owner, new_collection, add_entry):
    cid = (await new_collection(owner))["collection_id"]
    await add_entry(owner, cid, BOLT_4ED, quantity=2)
    await add_entry(owner, cid, GOYF_MM2)
    await add_entry(owner, cid, SOL_RING)
    end = dt.date(2026, 3, 31)
    write_price(db, BOLT_4ED, 100, day=dt.date(2026, 2, 25), latest=False)   # within the week before the start
    write_price(db, BOLT_4ED, 50, day=dt.date(2026, 2, 10), latest=False)    # older: not the start price
    write_price(db, BOLT_4ED, 300, day=end)
    write_price(db, GOYF_MM2, 2_000, day=dt.date(2026, 3, 10), latest=False)   # no price at the start: its first
    write_price(db, GOYF_MM2, 1_000, day=end)
    write_price(db, SOL_RING, 500, day=dt.date(2026, 2, 1), latest=False)
    write_price(db, SOL_RING, 500, day=end)
    movers = (await client.get(f"{BASE}/{cid}/movers", params={"range": "1m"}, headers=owner.headers)).json()["data"]
    assert movers["start"] == "2026-03-01" and movers["end"] == "2026-03-31"
    assert [(m["name"], m["start_value_cents"], m["end_value_cents"], m["change_cents"], m["change_percent"])
            for m in movers["gainers"]] == [("Lightning Bolt", 200, 600, 400, 200.0)]
    assert [(m["name"], m["change_cents"]) for m in movers["losers"]] == [("Tarmogoyf", -1000)]
    bad = await client.get(f"{BASE}/{cid}/movers", params={"range": "2w"}, headers=owner.headers)
    assert bad.status_code == 422
