"""What a collection is worth: now (value, cost basis, gain, what is unpriced, a wishlist's cost to
complete), day by day (the value its current contents had each day), and which entries moved most.

The current value is cached per collection (user_collection.value_summary) with the contents version,
valuation settings and prices version (pricing.latest_prices_version) it was computed from: while all
three match, the answer is one row; the first read after a change computes it again, and the periodic
refresh recomputes stale ones so that readers seldom have to.

The daily series is cached per collection (user_collection.value_history) and kept current without
touching the pricing tables: a change of the entries or of the valuation settings rebuilds it, new
price days are appended (the last few days are always recomputed, catching same-day corrections),
and the periodic refresh compares each collection's observation count and newest day with what its
cache has seen (a backfill or a correction of older days rebuilds it).
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal
from typing import Any

from backend.core.settings import Settings
from backend.new_services.service_manager import service
from backend.new_services.user_collection.collection_service import owned_collection
from backend.new_services.user_collection.valuation import Valuation

logger = logging.getLogger(__name__)
RANGE_DAYS = {"1m": 30, "3m": 91, "1y": 365, "all": None}
REDO_DAYS = 3          # recent days recomputed on every refresh (same-day price corrections)
UNPRICED_LISTED = 100
MOVERS_LISTED = 20


async def value_summary(value_repository, collection: dict, valuation: Valuation) -> dict[str, Any]:
    """The collection's current value figures: the cached summary when it was computed from these
    contents, settings and prices, else computed now (one pass over the entries and their prices) and
    cached for the next reader."""
    collection_id = collection["collection_id"]
    cached = await value_repository.current_summary(collection_id, contents_version=collection["contents_version"],
                                                    valuation_key=valuation.key)
    if cached is not None:
        return cached
    prices_version = await value_repository.prices_version()   # before the prices are read
    await value_repository.serial_plans()
    summary = await value_repository.collection_value(collection_id, **valuation.params,
                                                      unpriced_listed=UNPRICED_LISTED)
    await value_repository.save_summary(collection_id, contents_version=collection["contents_version"],
                                        valuation_key=valuation.key, prices_version=prices_version, summary=summary)
    return summary


@service("user_collection.value.get", repositories=["collection", "value"])
async def collection_value(*, collection_repository, value_repository, settings: Settings, owner_id: str,
                           collection_id: uuid.UUID) -> dict[str, Any]:
    collection = await owned_collection(collection_repository, owner_id, collection_id)
    valuation = Valuation.of(settings, collection["currency"])
    totals = await value_summary(value_repository, collection, valuation)
    answer = {
        "collection_id": collection_id, "kind": collection["kind"], "currency": valuation.currency,
        "value_cents": totals["value_cents"], "entry_count": totals["entry_count"],
        "card_count": totals["card_count"], "priced_entries": totals["priced_entries"],
        "entries_without_price": totals["entry_count"] - totals["priced_entries"],
        "entries_priced_only_in_other_currency": totals["other_currency_only"],
        "unpriced": totals["unpriced"],
        "prices_as_of": totals["prices_as_of"],
        "condition_multipliers": valuation.multipliers, "price_sources": valuation.sources,
        "cost_basis_cents": totals["cost_basis_cents"], "cost_basis_entries": totals["cost_basis_entries"],
        "entries_without_cost_basis": totals["entry_count"] - totals["cost_basis_entries"],
        "value_of_cost_basis_entries_cents": totals["value_of_cost_basis_entries_cents"],
        "unrealised_gain_cents": totals["unrealised_gain_cents"],
    }
    if collection["kind"] == "wishlist":
        # Not cached: it depends on the owner's other collections too.
        answer.update(await _cost_to_complete(collection_repository, value_repository, owner_id, collection_id,
                                              valuation))
    return answer


async def _cost_to_complete(collection_repository, value_repository, owner_id: str, collection_id: uuid.UUID,
                            valuation: Valuation) -> dict[str, int]:
    """What buying the wanted copies not already held in the owner's other collections costs. Copies held
    count against the wanted ones of the same printing and finish, cheapest wanted condition first."""
    owned = await collection_repository.owned_copies(uuid.UUID(owner_id), collection_id)
    entries = await value_repository.priced_entries(collection_id, **valuation.params)
    entries.sort(key=lambda e: (e["unit_price_cents"] is None, e["unit_price_cents"] or 0))
    wanted = held = cost = 0
    for entry in entries:
        key = (entry["card_version_id"], entry["finish"])
        covered = min(owned.get(key, 0), entry["quantity"])
        owned[key] = owned.get(key, 0) - covered
        wanted += entry["quantity"]
        held += covered
        if entry["unit_price_cents"] is not None:
            cost += (entry["quantity"] - covered) * entry["unit_price_cents"]
    return {"cost_to_complete_cents": cost, "copies_wanted": wanted, "copies_owned": held}


# -- value history ---------------------------------------------------------------------------------

async def _rebuild(value_repository, collection: dict, valuation: Valuation, newest: dt.date | None) -> None:
    collection_id = collection["collection_id"]
    deltas = await value_repository.history_deltas(collection_id, **valuation.params, after=None)
    await value_repository.clear_history(collection_id)
    if deltas:
        await value_repository.append_history(collection_id, first=deltas[0]["day"], last=deltas[-1]["day"],
                                              base=Decimal(0), deltas=deltas)
    await value_repository.save_history_state(
        collection_id, contents_version=collection["contents_version"], valuation_key=valuation.key,
        observed_through=deltas[-1]["day"] if deltas else None, newest_seen=newest)


async def _extend(value_repository, collection: dict, valuation: Valuation, state: dict,
                  newest: dt.date | None) -> None:
    """Recompute the series from a few days before its end (and append the new days)."""
    collection_id = collection["collection_id"]
    first_day, _ = await value_repository.history_bounds(collection_id)
    redo_from = state["observed_through"] - dt.timedelta(days=REDO_DAYS)
    if first_day is None or redo_from < first_day:
        await _rebuild(value_repository, collection, valuation, newest)
        return
    base = await value_repository.history_value_on(collection_id, redo_from)
    deltas = await value_repository.history_deltas(collection_id, **valuation.params, after=redo_from)
    await value_repository.clear_history(collection_id, after=redo_from)
    last = deltas[-1]["day"] if deltas else redo_from
    if deltas:
        await value_repository.append_history(collection_id, first=redo_from + dt.timedelta(days=1), last=last,
                                              base=base, deltas=deltas)
    await value_repository.save_history_state(
        collection_id, contents_version=collection["contents_version"], valuation_key=valuation.key,
        observed_through=last, newest_seen=newest)


async def refresh_history(collection_repository, value_repository, settings: Settings, collection: dict, *,
                          verify_counts: bool = False) -> str:
    """Bring one collection's cached series up to date; returns what was done (fresh|extended|rebuilt)."""
    valuation = Valuation.of(settings, collection["currency"])
    collection_id = collection["collection_id"]
    state = await value_repository.history_state(collection_id)
    newest = await value_repository.newest_observation()
    stale = (state is None or state["contents_version"] != collection["contents_version"]
             or state["valuation_key"] != valuation.key)
    if not stale and not verify_counts and (newest is None or (state["newest_seen"] and newest <= state["newest_seen"])):
        return "fresh"
    # Someone may be refreshing it right now: take the collection's lock and look again.
    collection = await collection_repository.lock_by_id(collection_id)
    if collection is None:
        return "fresh"
    state = await value_repository.history_state(collection_id)
    if (state is None or state["contents_version"] != collection["contents_version"]
            or state["valuation_key"] != valuation.key or state["observed_through"] is None):
        await _rebuild(value_repository, collection, valuation, newest)
        return "rebuilt"
    if verify_counts:
        check = await value_repository.history_check(collection_id, **valuation.params,
                                                     through=state["observed_through"])
        if check["count_through"] != state["observation_count"]:
            await _rebuild(value_repository, collection, valuation, newest)   # older days were changed
            return "rebuilt"
    elif state["newest_seen"] and newest is not None and newest <= state["newest_seen"]:
        return "fresh"
    await _extend(value_repository, collection, valuation, state, newest)
    return "extended"


@service("user_collection.value.history", repositories=["collection", "value"])
async def value_history(*, collection_repository, value_repository, settings: Settings, owner_id: str,
                        collection_id: uuid.UUID, range: str = "1y") -> dict[str, Any]:
    collection = await owned_collection(collection_repository, owner_id, collection_id)
    await refresh_history(collection_repository, value_repository, settings, collection)
    first_day, last_day = await value_repository.history_bounds(collection_id)
    answer = {"collection_id": collection_id, "currency": collection["currency"], "range": range,
              "start": None, "end": last_day, "points": [], "change_cents": None}
    if last_day is None:
        return answer
    days = RANGE_DAYS[range]
    start = first_day if days is None else max(first_day, last_day - dt.timedelta(days=days))
    points = await value_repository.history_series(collection_id, start)
    answer.update(start=start, points=points, change_cents=points[-1]["value_cents"] - points[0]["value_cents"])
    return answer


@service("user_collection.value.movers", repositories=["collection", "value"])
async def movers(*, collection_repository, value_repository, settings: Settings, owner_id: str,
                 collection_id: uuid.UUID, range: str = "1m", limit: int = MOVERS_LISTED) -> dict[str, Any]:
    """The entries whose value changed most between the start of the range and now (their newest price in
    the week up to the start day, or their first price after it, against their current price)."""
    collection = await owned_collection(collection_repository, owner_id, collection_id)
    valuation = Valuation.of(settings, collection["currency"])
    end = (await value_summary(value_repository, collection, valuation))["prices_as_of"]
    answer = {"collection_id": collection_id, "currency": valuation.currency, "range": range, "start": None,
              "end": end, "gainers": [], "losers": []}
    if end is None:
        return answer
    days = RANGE_DAYS[range]
    start = dt.date(1990, 1, 1) if days is None else end - dt.timedelta(days=days)
    await value_repository.serial_plans()
    rows = await value_repository.movers(collection_id, **valuation.params, start=start)
    for row in rows:
        row["change_cents"] = row["end_value_cents"] - row["start_value_cents"]
        row["change_percent"] = (round(100 * row["change_cents"] / row["start_value_cents"], 2)
                                 if row["start_value_cents"] else None)
    ranked = sorted(rows, key=lambda r: (-r["change_cents"], r["name"], str(r["entry_id"])))
    answer["start"] = None if days is None else start
    answer["gainers"] = [r for r in ranked if r["change_cents"] > 0][:limit]
    answer["losers"] = [r for r in reversed(ranked) if r["change_cents"] < 0][:limit]
    return answer


@service("user_collection.value.refresh", repositories=["collection", "entry", "value"], scope="steps")
async def refresh(*, uow, settings: Settings, redis=None, force: bool = False) -> dict[str, Any]:
    """Periodic: recompute the cached values that contents, settings or prices made stale (so readers find
    them current), give entries of renamed printings their new sort name, and, when price observations were
    written since the last pass, bring every cached value series up to date. Each collection in its own
    short transaction; never reads more than one collection's printings' observations at a time."""
    usd, eur = (Valuation.of(settings, currency) for currency in ("USD", "EUR"))
    async with uow.session() as repos:
        renamed = await repos.entry.refresh_sort_names()
        stale = await repos.value.stale_summaries(usd_key=usd.key, eur_key=eur.key)
        activity = await repos.value.price_activity()
        collections = await repos.value.collections_with_history()
    for collection_id in stale:
        async with uow.step() as repos:
            collection = await repos.collection.lock_by_id(collection_id)   # its contents as of now
            if collection is not None:
                await value_summary(repos.value, collection, Valuation.of(settings, collection["currency"]))
    done = {"renamed_entries": renamed, "values_recomputed": len(stale)}
    mark_key = "automana:user_collection:price_activity"
    if not force and redis is not None and (await redis.get(mark_key) or b"").decode() == activity:
        return {**done, "checked": 0, "activity": "unchanged"}
    counts = {"fresh": 0, "extended": 0, "rebuilt": 0}
    for row in collections:
        async with uow.step() as repos:
            result = await refresh_history(repos.collection, repos.value, settings, row, verify_counts=True)
        counts[result] += 1
    if redis is not None:
        await redis.set(mark_key, activity)
    if counts["rebuilt"] or counts["extended"] or renamed or stale:
        logger.info("collection values refreshed: %s", {**done, **counts})
    return {**done, "checked": len(collections), **counts}
