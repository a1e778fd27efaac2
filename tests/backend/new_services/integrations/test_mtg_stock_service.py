"""The MTGStocks pipeline against the fake MTGStocks server and the real database: a full run
(resolution by Scryfall id, TCGplayer id, set + number, variant tags; 404, ambiguous, unresolved and
malformed prints kept as rejects), a re-run that adds nothing, 429s, a server dying midway and the
next run resuming, and rejects resolved after the catalog gains the missing printing."""
from __future__ import annotations

import copy
import datetime as dt
import uuid

import orjson
import pytest

from backend.integrations.mtg_stock.errors import MtgStockError
from tests.fixtures.mtg_stock import make_print, make_prices

START = dt.date(2024, 3, 1)


@pytest.fixture
def settings(settings):
    """Three print ids per task, so a load has several chunks."""
    return settings.model_copy(update={"mtg_stock": settings.mtg_stock.model_copy(update={"ids_per_task": 3})})


def _card(catalog, name, set_code):
    return next(c for c in catalog.values() if c["name"] == name and c["set"] == set_code)


@pytest.fixture
def prints(catalog, fake_mtg_stock):
    """Eight print ids: four resolvable, one 404, one ambiguous, one unresolved, one malformed."""
    fake = fake_mtg_stock.fake
    bolt = _card(catalog, "Lightning Bolt", "4ed")
    goyf = _card(catalog, "Tarmogoyf", "mm2")
    lotus = _card(catalog, "Black Lotus", "lea")
    no_ids = {"tcg_id": None, "multiverse_id": None, "scryfallId": None}
    fake.add_print(make_print(101, "Lightning Bolt", set_abbreviation="4ED", collector_number=208,
                              scryfallId=bolt["id"]),
                   make_prices(START, 5, avg=1.25, market=1.5, foil=None))
    fake.add_print(make_print(102, "Tarmogoyf", set_abbreviation="MM2", collector_number=None,
                              tcg_id=goyf["tcgplayer_id"]),
                   make_prices(START, 3, low=80.0, avg=95.5, high=120.0))
    fake.add_print(make_print(103, "Black Lotus", set_abbreviation="LEA", collector_number=232, **no_ids),
                   make_prices(START, 2, avg=20000.0))
    # Counterspell: TCGplayer id 2509 is shared by three printings (6ed, tpr, and the sld etched one).
    fake.add_print(make_print(105, "Counterspell", set_abbreviation="ZZZ", collector_number=None, tcg_id=2509,
                              multiverse_id=None, scryfallId=None),
                   make_prices(START, 2, avg=1.0))
    fake.add_print(make_print(106, "Counterspell (Foil Etched)", set_abbreviation="SLD", collector_number=None,
                              tcg_id=2509, multiverse_id=None, scryfallId=None),
                   make_prices(START, 4, avg=7.0, foil=9.0))
    fake.add_print(make_print(107, "Novel Card", set_abbreviation="4ED", collector_number=500, **no_ids),
                   make_prices(START, 3, avg=2.0))
    fake.add_print(make_print(108, "Lightning Bolt", set_abbreviation="4ED", collector_number=208),
                   {"avg": [[1709251200000, 1.0, "extra"]]})
    return {"bolt": bolt["id"], "goyf": goyf["id"], "lotus": lotus["id"],
            "sld_counterspell": next(i for i, c in catalog.items() if c["name"] == "Counterspell" and c["set"] == "sld")}


IDS = [101, 102, 103, 104, 105, 106, 107, 108]
# Points per resolved print: bolt 5 days x (avg, market); goyf 3 x 3; lotus 2; sld counterspell 4 days of
# avg where the foil series (explicit) wins the day for the etched-only print.
EXPECTED_POINTS = 10 + 9 + 2 + 4


async def _load(service_manager, fake_mtg_stock, fake_clock, ids=IDS, **options):
    started = await service_manager.execute_service(
        "integrations.mtg_stock.start_load", print_ids=ids, base_url=fake_mtg_stock.base_url, enqueue=False,
        triggered_by="test", **options)
    result = await service_manager.execute_service("integrations.mtg_stock.run_load", run_id=started["run_id"],
                                                   clock=fake_clock.as_clock())
    return started["run_id"], result


def _observations(db):
    with db.cursor() as cur:
        cur.execute("SELECT o.card_version_id::text, o.finish, o.price_type, o.observed_on, o.price_cents"
                    " FROM pricing.price_observations o JOIN pricing.price_sources s USING (source_id)"
                    " WHERE s.code = 'mtgstocks' ORDER BY 1, 2, 3, 4")
        return cur.fetchall()


def _rejects(db):
    with db.cursor() as cur:
        cur.execute("SELECT print_id, reason FROM pricing.mtgstock_rejects ORDER BY print_id")
        return dict(cur.fetchall())


async def test_full_run_resolves_loads_and_keeps_rejects(service_manager, fake_mtg_stock, fake_clock, prints, db):
    run_id, result = await _load(service_manager, fake_mtg_stock, fake_clock)
    assert result["status"] == "succeeded" and result["chunks_done"] == 3
    assert (result["resolved"], result["not_found"], result["ambiguous"], result["unresolved"],
            result["malformed"]) == (4, 1, 1, 1, 1)
    rows = _observations(db)
    assert len(rows) == EXPECTED_POINTS == result["observations_written"]
    bolt = [r for r in rows if r[0] == prints["bolt"]]
    assert {(r[1], r[2]) for r in bolt} == {("nonfoil", "avg"), ("nonfoil", "market")}
    assert [r[4] for r in bolt if r[2] == "avg"] == [125] * 5
    etched = [r for r in rows if r[0] == prints["sld_counterspell"]]
    assert {r[1] for r in etched} == {"etched"} and [r[4] for r in etched] == [900] * 4
    assert {r[0] for r in rows} == {prints["bolt"], prints["goyf"], prints["lotus"], prints["sld_counterspell"]}
    assert _rejects(db) == {104: "not_found", 105: "ambiguous", 107: "unresolved", 108: "malformed_response"}
    with db.cursor() as cur:
        cur.execute("SELECT array_length(candidates, 1) FROM pricing.mtgstock_rejects WHERE print_id = 105")
        assert cur.fetchone()[0] == 2           # 6ed and tpr: the etched sld one is not plain
        cur.execute("SELECT count(*) FROM pricing.latest_prices l JOIN pricing.price_sources s USING (source_id)"
                    " WHERE s.code = 'mtgstocks' AND l.observed_on = %s", (START + dt.timedelta(days=4),))
        assert cur.fetchone()[0] == 2                 # bolt's avg and market on its last day
        cur.execute("SELECT finish, observed_on, price_cents FROM pricing.latest_prices JOIN pricing.price_sources"
                    " USING (source_id) WHERE card_version_id = %s AND code = 'mtgstocks'", (prints["sld_counterspell"],))
        assert cur.fetchall() == [("etched", START + dt.timedelta(days=3), 900)]
        cur.execute("SELECT resolved_by FROM pricing.mtgstock_prints WHERE print_id IN (101, 102, 103, 106)"
                    " ORDER BY print_id")
        assert [r[0] for r in cur.fetchall()] == ["scryfall_id", "tcgplayer", "set_number", "tcgplayer"]
    status = await service_manager.execute_service("integrations.mtg_stock.status", run_id=run_id)
    assert status["status"] == "succeeded" and status["chunks_done"] == 3
    assert status["progress"]["fetched"] == 8 and status["rejects"]["ambiguous"] == 1
    # Polite: every request identified, never faster than one a second on the (fake) clock.
    times = fake_mtg_stock.behaviour.request_times
    assert all(b - a >= 0.999 for a, b in zip(times, times[1:]))
    assert all("AutoMana" in headers.get("user-agent", "") for _, headers in fake_mtg_stock.behaviour.request_headers)


async def test_a_rerun_adds_nothing(service_manager, fake_mtg_stock, fake_clock, prints, db):
    await _load(service_manager, fake_mtg_stock, fake_clock)
    before = _observations(db)
    requests_before = len(fake_mtg_stock.behaviour.requests)
    _, again = await _load(service_manager, fake_mtg_stock, fake_clock, refetch_after_seconds=0)
    assert again["status"] == "succeeded" and again["fetched"] == 8
    assert again["observations_written"] == 0 and again["latest_changed"] == 0
    assert len(fake_mtg_stock.behaviour.requests) > requests_before        # it did ask again
    assert _observations(db) == before
    # Within the refetch window, a run asks nothing at all.
    requests_before = len(fake_mtg_stock.behaviour.requests)
    _, third = await _load(service_manager, fake_mtg_stock, fake_clock)
    assert third["already_fetched"] == 8 and len(fake_mtg_stock.behaviour.requests) == requests_before


async def test_429s_are_waited_out(service_manager, fake_mtg_stock, fake_clock, prints, db):
    fake_mtg_stock.behaviour.fail_next_with_429 = 2
    fake_mtg_stock.behaviour.retry_after_seconds = 5
    _, result = await _load(service_manager, fake_mtg_stock, fake_clock, ids=[101, 102])
    assert result["status"] == "succeeded" and result["resolved"] == 2
    assert fake_mtg_stock.behaviour.statuses[:2] == [429, 429]
    assert fake_clock.sleeps.count(5) >= 2


async def test_a_dying_server_fails_the_run_and_the_next_run_resumes(service_manager, fake_mtg_stock, fake_clock,
                                                                     prints, db):
    fake_mtg_stock.behaviour.die_after_requests = 7       # 101-103 answered (6 requests), then 104's 404
    started = await service_manager.execute_service(
        "integrations.mtg_stock.start_load", print_ids=IDS, base_url=fake_mtg_stock.base_url, enqueue=False)
    run_id = started["run_id"]
    with pytest.raises(MtgStockError):
        await service_manager.execute_service("integrations.mtg_stock.run_load", run_id=run_id,
                                              clock=fake_clock.as_clock())
    run = await service_manager.execute_service("integrations.mtg_stock.status", run_id=run_id)
    assert run["status"] == "failed" and "mtgstocks" in (run["error"] or "").lower()
    loaded = _observations(db)
    assert {r[0] for r in loaded} == {prints["bolt"], prints["goyf"], prints["lotus"]}

    fake_mtg_stock.behaviour.die_after_requests = None
    served_before = len(fake_mtg_stock.behaviour.requests)
    _, resumed = await _load(service_manager, fake_mtg_stock, fake_clock)
    assert resumed["status"] == "succeeded"
    assert resumed["already_fetched"] >= 3
    asked = fake_mtg_stock.behaviour.requests[served_before:]
    assert not any(path.startswith(("/prints/101", "/prints/102", "/prints/103")) for path in asked)
    everything = _observations(db)
    assert len(everything) == EXPECTED_POINTS and len(set(everything)) == len(everything)


async def test_rejects_resolve_after_the_catalog_gains_the_printing(service_manager, fake_mtg_stock, fake_clock,
                                                                     prints, catalog, db):
    await _load(service_manager, fake_mtg_stock, fake_clock)
    assert _rejects(db)[107] == "unresolved"
    novel = copy.deepcopy(_card(catalog, "Lightning Bolt", "4ed"))
    novel.update(id=str(uuid.uuid4()), oracle_id=str(uuid.uuid4()), name="Novel Card", collector_number="500",
                 tcgplayer_id=None, multiverse_ids=[], cardmarket_id=None)
    counts = await service_manager.execute_service("card_catalog.catalog_load.load_cards", cards=[novel])
    assert counts.inserted == 1
    retried = await service_manager.execute_service("integrations.mtg_stock.retry_rejects")
    assert retried["resolved"] == 1 and retried["retried"] == 2          # 107 resolves; 105 stays ambiguous
    assert 107 not in _rejects(db)
    assert sum(1 for r in _observations(db) if r[0] == novel["id"]) == 3


async def test_a_catalog_file_load_queues_the_reject_retry(service_manager, fake_mtg_stock, fake_clock, prints,
                                                           catalog, db, tmp_path, redis_client):
    await _load(service_manager, fake_mtg_stock, fake_clock)
    novel = copy.deepcopy(_card(catalog, "Lightning Bolt", "4ed"))
    novel.update(id=str(uuid.uuid4()), oracle_id=str(uuid.uuid4()), name="Novel Card", collector_number="500",
                 tcgplayer_id=None, multiverse_ids=[], cardmarket_id=None)
    path = tmp_path / "cards.json"
    path.write_bytes(orjson.dumps([novel]))
    result = await service_manager.execute_service("integrations.scryfall.load_file", path=str(path))
    assert result["status"] == "succeeded"
    # Queued to the broker (no worker here): the message names the retry task.
    queued = [orjson.loads(m) for m in redis_client.lrange("celery", 0, -1)]
    assert [m["headers"]["task"] for m in queued] == ["automana.mtg_stock.retry_rejects"]
    await service_manager.execute_service("integrations.mtg_stock.retry_rejects")   # as the worker would
    assert 107 not in _rejects(db)


async def test_tokens_and_art_cards_resolve_to_their_own_sets(service_manager, fake_mtg_stock, fake_clock, catalog, db):
    fake = fake_mtg_stock.fake
    no_ids = {"tcg_id": None, "multiverse_id": None, "scryfallId": None, "collector_number": None}
    # Scryfall keeps tokens in 't'+set and art cards in 'a'+set; MTGStocks names them "X Token" / "X (Art Card)".
    fake.add_print(make_print(201, "Fell Beast's Shriek (Art Card)", set_abbreviation="LTC", **no_ids),
                   make_prices(START, 2, avg=0.5))
    fake.add_print(make_print(202, "Goblin Token", set_abbreviation="P03", **no_ids), make_prices(START, 2, avg=0.25))
    _, result = await _load(service_manager, fake_mtg_stock, fake_clock, ids=[201, 202])
    assert result["resolved"] == 2, _rejects(db)
    with db.cursor() as cur:
        cur.execute("SELECT p.print_id, v.set_code, v.layout FROM pricing.mtgstock_prints p"
                    " JOIN card_catalog.card_versions v USING (card_version_id) ORDER BY 1")
        assert cur.fetchall() == [(201, "altc", "art_series"), (202, "p03", "token")]
