"""Public price reads: one printing's daily history (as data or an SVG chart), its latest prices
from every source, and the market's biggest risers and fallers over a range."""
from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from typing import Any

from backend.new_services.pricing.price_chart import ChartSeries, render_price_chart
from backend.new_services.service_manager import service
from backend.request_handling.errors import NotFoundError, UnprocessableError
from backend.schemas.pricing.price import MAX_CHART_SERIES, MAX_HISTORY_POINTS, MAX_MOVERS, RANGE_DAYS

SOURCE_LABELS = {"scryfall": "Scryfall", "mtgstocks": "MTGStocks", "tcgplayer": "TCGplayer",
                 "cardmarket": "Cardmarket", "ebay": "eBay"}


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def _range_bounds(range_: str) -> tuple[dt.date | None, dt.date]:
    if range_ not in RANGE_DAYS:
        raise UnprocessableError(f"unknown range {range_!r}", details={"field": "range", "allowed": list(RANGE_DAYS)})
    today = _today()
    days = RANGE_DAYS[range_]
    return (None if days is None else today - dt.timedelta(days=days)), today


async def _source_id(price_repository, source: str | None) -> int | None:
    if source is None:
        return None
    sources = await price_repository.source_ids()
    if source not in sources:
        raise UnprocessableError(f"unknown source {source!r}",
                                 details={"field": "source", "allowed": sorted(sources)})
    return sources[source]


async def _history(price_repository, *, card_id: uuid.UUID, range_: str, source: str | None, finish: str | None,
                   currency: str | None, price_type: str | None, condition: str | None) -> dict[str, Any]:
    first_day, last_day = _range_bounds(range_)
    source_id = await _source_id(price_repository, source)
    if not await price_repository.card_exists(card_id):
        raise NotFoundError(f"card {card_id} does not exist", details={"card_id": str(card_id)})
    rows = await price_repository.history(
        card_id, first_day=first_day or dt.date(1990, 1, 1), last_day=last_day, source_id=source_id, finish=finish,
        currency=currency, price_type=price_type, condition=condition, limit=MAX_HISTORY_POINTS + 1)
    truncated = len(rows) > MAX_HISTORY_POINTS
    series: dict[tuple, list[tuple]] = defaultdict(list)
    for row in rows[:MAX_HISTORY_POINTS]:
        series[(row["source"], row["finish"], row["condition"], row["currency"], row["price_type"])].append(
            (row["observed_on"], row["price_cents"], row["listing_count"]))
    return {"card_id": card_id, "range": range_, "first_day": first_day, "last_day": last_day,
            "truncated": truncated,
            "series": [{"source": s, "finish": f, "condition": c, "currency": cur, "price_type": t,
                        "points": [{"date": day, "price_cents": cents, "listing_count": count}
                                   for day, cents, count in sorted(points)]}
                       for (s, f, c, cur, t), points in sorted(series.items())]}


@service("pricing.price.history", repositories=["price"], scope="autocommit")
async def history(*, price_repository, card_id: uuid.UUID, range: str = "1y", source: str | None = None,
                  finish: str | None = None, currency: str | None = None, price_type: str | None = None,
                  condition: str | None = None) -> dict[str, Any]:
    """Daily points of one printing, one series per (source, finish, condition, currency, type)."""
    return await _history(price_repository, card_id=card_id, range_=range, source=source, finish=finish,
                          currency=currency, price_type=price_type, condition=condition)


@service("pricing.price.latest", repositories=["price"], scope="autocommit")
async def latest(*, price_repository, card_id: uuid.UUID) -> list[dict[str, Any]]:
    """The newest price of every series of one printing (from latest_prices, never history)."""
    rows = await price_repository.latest(card_id)
    if not rows and not await price_repository.card_exists(card_id):
        raise NotFoundError(f"card {card_id} does not exist", details={"card_id": str(card_id)})
    return rows


@service("pricing.price.chart", repositories=["price"], scope="autocommit")
async def chart(*, price_repository, card_id: uuid.UUID, range: str = "1y", source: str | None = None,
                finish: str | None = None, currency: str = "USD", price_type: str = "market",
                condition: str | None = "NM", width: int = 720, height: int = 360) -> str:
    """An SVG chart of one printing's history: one line per source and finish (one currency and
    price type, so the lines share an axis)."""
    data = await _history(price_repository, card_id=card_id, range_=range, source=source, finish=finish,
                          currency=currency, price_type=price_type, condition=condition)
    label = await price_repository.card_label(card_id)
    lines = []
    for one in data["series"][:MAX_CHART_SERIES]:
        name = SOURCE_LABELS.get(one["source"], one["source"])
        suffix = f" · {one['condition']}" if one["condition"] != "NM" else ""
        lines.append(ChartSeries(f"{name} · {one['finish']}{suffix}",
                                 [(p["date"], p["price_cents"]) for p in one["points"]]))
    title = f"{label['name']} ({label['set_code'].upper()} #{label['collector_number']}) · {price_type} {currency}"
    return render_price_chart(series=lines, title=title, currency=currency, width=width, height=height)


@service("pricing.price.movers", repositories=["price"], scope="autocommit")
async def movers(*, price_repository, range: str = "1w", source: str = "scryfall", currency: str = "USD",
                 price_type: str = "market", min_price_cents: int = 100, limit: int = 20) -> dict[str, Any]:
    """Biggest risers and fallers of one source between its newest day and `range` earlier (the
    newest day of that source on or before then), among prices of at least `min_price_cents` on both days."""
    days = RANGE_DAYS.get(range)
    if days is None:
        raise UnprocessableError(f"unknown range {range!r} for movers",
                                 details={"field": "range", "allowed": [r for r, d in RANGE_DAYS.items() if d]})
    source_id = await _source_id(price_repository, source)
    limit = max(1, min(limit, MAX_MOVERS))
    now_day = await price_repository.last_day(source_id=source_id, currency=currency, price_type=price_type,
                                              on_or_before=_today())
    then_day = None
    if now_day is not None:
        then_day = await price_repository.last_day(source_id=source_id, currency=currency, price_type=price_type,
                                                   on_or_before=now_day - dt.timedelta(days=days))
    result = {"source": source, "currency": currency, "price_type": price_type, "range": range,
              "min_price_cents": min_price_cents, "now_day": now_day, "then_day": then_day,
              "risers": [], "fallers": []}
    if now_day is None or then_day is None:
        return result
    for direction, key in (("up", "risers"), ("down", "fallers")):
        rows = await price_repository.movers(source_id=source_id, currency=currency, price_type=price_type,
                                             now_day=now_day, then_day=then_day, min_cents=min_price_cents,
                                             limit=limit, direction=direction)
        result[key] = [{"card_id": row["card_version_id"], **row} for row in rows]
    return result


@service("pricing.price.ensure_partitions", repositories=["price"])
async def ensure_partitions(*, price_repository, months_ahead: int = 3) -> dict[str, Any]:
    """Month partitions of price_observations from this month to `months_ahead` ahead (beat, daily)."""
    today = _today()
    months_ahead = max(0, min(months_ahead, 24))
    last = dt.date(today.year + (today.month - 1 + months_ahead) // 12, (today.month - 1 + months_ahead) % 12 + 1, 1)
    created = await price_repository.ensure_partitions(today.replace(day=1), last)
    return {"created": created, "through": last}
