"""The public price routes against observations inserted on known days: history (ranges, filters,
422s), latest, the SVG chart parsed back, and movers."""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest


TODAY = dt.datetime.now(dt.timezone.utc).date()
SVG_NS = "{http://www.w3.org/2000/svg}"


def insert(db, rows):
    """(card, source code, finish, condition, currency, type, day, cents) -> observations + latest prices."""
    with db.cursor() as cur:
        for card, source, finish, condition, currency, price_type, day, cents in rows:
            cur.execute("SELECT pricing.ensure_observation_partitions(%s, %s)", (day, day))
            cur.execute(
                "INSERT INTO pricing.price_observations (card_version_id, source_id, finish, condition, currency,"
                " price_type, observed_on, price_cents) SELECT %s, source_id, %s, %s, %s, %s, %s, %s"
                " FROM pricing.price_sources WHERE code = %s",
                (card, finish, condition, currency, price_type, day, cents, source))
            cur.execute(
                "INSERT INTO pricing.latest_prices AS l (card_version_id, source_id, finish, condition, currency,"
                " price_type, observed_on, price_cents) SELECT %s, source_id, %s, %s, %s, %s, %s, %s"
                " FROM pricing.price_sources WHERE code = %s"
                " ON CONFLICT (card_version_id, source_id, finish, condition, currency, price_type) DO UPDATE"
                " SET price_cents = EXCLUDED.price_cents, observed_on = EXCLUDED.observed_on"
                " WHERE l.observed_on <= EXCLUDED.observed_on",
                (card, finish, condition, currency, price_type, day, cents, source))


@pytest.fixture
async def priced(catalog, db):
    """Two printings with Scryfall and MTGStocks prices on known days."""
    cards = sorted(catalog)[:3]
    a, b, c = cards
    # History is compared with what the store held before (the catalog load wrote its own day).
    with db.cursor() as cur:
        cur.execute("DELETE FROM pricing.price_observations")
        cur.execute("DELETE FROM pricing.latest_prices")
    rows = []
    for back in range(0, 400, 1):   # a daily series over more than a year
        day = TODAY - dt.timedelta(days=back)
        rows.append((a, "scryfall", "nonfoil", "NM", "USD", "market", day, 1000 + back))
    for back in (0, 3, 10):
        rows.append((a, "mtgstocks", "foil", "NM", "USD", "avg", TODAY - dt.timedelta(days=back), 5000 - back))
        rows.append((a, "scryfall", "foil", "NM", "EUR", "market", TODAY - dt.timedelta(days=back), 2000))
    # Movers over one week: b doubles, c halves, a moves 7 cents (from 1007 to 1000).
    rows += [(b, "scryfall", "nonfoil", "NM", "USD", "market", TODAY - dt.timedelta(days=7), 200),
             (b, "scryfall", "nonfoil", "NM", "USD", "market", TODAY, 400),
             (c, "scryfall", "nonfoil", "NM", "USD", "market", TODAY - dt.timedelta(days=7), 1000),
             (c, "scryfall", "nonfoil", "NM", "USD", "market", TODAY, 500)]
    insert(db, rows)
    return a, b, c


async def test_history_by_range_and_filters(client, priced):
    a, _, _ = priced
    body = (await client.get(f"/api/catalog/mtg/card-reference/{a}/prices",
                             params={"range": "1w", "source": "scryfall", "currency": "USD"})).json()
    assert body["success"] is True
    series = body["data"]["series"]
    assert [(s["source"], s["finish"], s["currency"], s["price_type"]) for s in series] == [
        ("scryfall", "nonfoil", "USD", "market")]
    points = series[0]["points"]
    assert [p["date"] for p in points] == [(TODAY - dt.timedelta(days=d)).isoformat() for d in range(7, -1, -1)]
    assert [p["price_cents"] for p in points] == [1000 + d for d in range(7, -1, -1)]

    year = (await client.get(f"/api/catalog/mtg/card-reference/{a}/prices", params={"range": "1y"})).json()["data"]
    counts = {(s["source"], s["finish"], s["currency"]): len(s["points"]) for s in year["series"]}
    assert counts == {("scryfall", "nonfoil", "USD"): 366, ("mtgstocks", "foil", "USD"): 3,
                      ("scryfall", "foil", "EUR"): 3}
    everything = (await client.get(f"/api/catalog/mtg/card-reference/{a}/prices", params={"range": "all"})).json()
    assert sum(len(s["points"]) for s in everything["data"]["series"]) == 400 + 6

    foil = (await client.get(f"/api/catalog/mtg/card-reference/{a}/prices",
                             params={"range": "1m", "finish": "foil", "price_type": "avg"})).json()["data"]
    assert [(s["source"], [p["price_cents"] for p in s["points"]]) for s in foil["series"]] == [
        ("mtgstocks", [4990, 4997, 5000])]


async def test_history_refuses_bad_range_and_unknown_source(client, priced):
    a, _, _ = priced
    bad_range = await client.get(f"/api/catalog/mtg/card-reference/{a}/prices", params={"range": "2y"})
    assert bad_range.status_code == 422 and "range" in bad_range.text
    unknown = await client.get(f"/api/catalog/mtg/card-reference/{a}/prices", params={"source": "nosuchmarket"})
    assert unknown.status_code == 422
    assert "nosuchmarket" in unknown.json()["error"]["message"]
    missing = await client.get("/api/catalog/mtg/card-reference/00000000-0000-0000-0000-000000000000/prices")
    assert missing.status_code == 404


async def test_latest_lists_every_source(client, priced):
    a, _, _ = priced
    rows = (await client.get(f"/api/catalog/mtg/card-reference/{a}/prices/latest")).json()["data"]
    assert {(r["source"], r["finish"], r["currency"], r["price_type"], r["price_cents"]) for r in rows} == {
        ("scryfall", "nonfoil", "USD", "market", 1000), ("mtgstocks", "foil", "USD", "avg", 5000),
        ("scryfall", "foil", "EUR", "market", 2000)}
    assert all(r["observed_on"] == TODAY.isoformat() for r in rows)


async def test_chart_is_valid_svg_with_one_line_per_source_and_finish(client, priced, catalog):
    a, _, _ = priced
    response = await client.get(f"/api/catalog/mtg/card-reference/{a}/prices/chart.svg",
                                params={"range": "1m", "condition": "NM", "currency": "USD", "price_type": "market"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG_NS}svg"
    lines = root.findall(f".//{SVG_NS}polyline")
    assert len(lines) == 1
    assert len(lines[0].get("points").split()) == 31      # one point per day of the month, both ends included
    assert catalog[a]["name"] in root.find(f"{SVG_NS}title").text
    empty = await client.get(f"/api/catalog/mtg/card-reference/{a}/prices/chart.svg", params={"currency": "TIX"})
    assert b"No price data" in empty.content


async def test_movers_rank_risers_and_fallers(client, priced):
    a, b, c = priced
    body = (await client.get("/api/catalog/mtg/prices/movers",
                             params={"range": "1w", "source": "scryfall", "min_price": "1"})).json()["data"]
    assert body["now_day"] == TODAY.isoformat() and body["then_day"] == (TODAY - dt.timedelta(days=7)).isoformat()
    assert [(m["card_id"], m["then_cents"], m["now_cents"], m["change_percent"]) for m in body["risers"]] == [
        (b, 200, 400, 100.0)]
    assert [(m["card_id"], m["change_percent"]) for m in body["fallers"]] == [(c, -50.0), (a, -0.7)]
    # min_price applies to both days: b's 2.00 start keeps it out at 3.00.
    high = (await client.get("/api/catalog/mtg/prices/movers", params={"range": "1w", "min_price": "3"})).json()
    assert high["data"]["risers"] == []
    bad = await client.get("/api/catalog/mtg/prices/movers", params={"source": "nosuchmarket"})
    assert bad.status_code == 422


async def test_deleting_a_printing_deletes_its_prices_and_used_sources_stay(client, priced, admin_headers, db):
    a, b, _ = priced
    assert (await client.delete(f"/api/catalog/mtg/card-reference/{a}", headers=admin_headers)).status_code == 200
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM pricing.price_observations WHERE card_version_id = %s", (a,))
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT count(*) FROM pricing.latest_prices WHERE card_version_id = %s", (a,))
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT count(*) FROM pricing.price_observations WHERE card_version_id = %s", (b,))
        assert cur.fetchone()[0] == 2
        with pytest.raises(Exception, match="cannot be deleted"):
            cur.execute("DELETE FROM pricing.price_sources WHERE code = 'scryfall'")
        cur.execute("DELETE FROM pricing.price_sources WHERE code = 'ebay'")   # no prices: allowed
