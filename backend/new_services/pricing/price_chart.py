"""Render price history as a standalone SVG 1.1 document: hand-written, deterministic (same input,
same bytes), every text escaped, readable by screen readers, with an explicit empty state.

A series missing some days is drawn as one line through the points it has: a gap is interpolated
visually, never filled with invented points. Points are sorted by date; a one-point series also
gets a dot so it is visible.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from html import escape
from typing import NamedTuple

# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies), yellow last since
# it is faint on white; after one round the colours repeat dashed.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€"}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Candidate date-tick spacings, finest first; the first one giving few enough ticks wins.
DATE_STEPS = (("day", 1), ("day", 2), ("week", 1), ("week", 2), ("month", 1), ("month", 2),
              ("month", 3), ("month", 6), ("year", 1), ("year", 2), ("year", 5), ("year", 10),
              ("year", 20), ("year", 50))
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, X_LABELS_HEIGHT, LEGEND_ROW = 72, 36, 44, 26, 20
CHAR_WIDTH = 7      # rough width of one 12px sans-serif character, for legend layout
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class ChartSeries(NamedTuple):
    label: str                                  # e.g. "Scryfall · foil"
    points: Sequence[tuple[dt.date, int]]       # (day, price in cents)


def render_price_chart(*, series: list[ChartSeries], title: str, currency: str,
                       width: int = 720, height: int = 360) -> str:
    drawn = [sorted(s.points) for s in series]
    dates = [day for points in drawn for day, _ in points]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(title)}" '
           f'font-family="Helvetica, Arial, sans-serif">',
           f"<title>{_esc(title)}</title>"]
    if not dates:
        out += [f"<desc>{_esc(title)}: no price data.</desc>",
                f'<rect width="{width}" height="{height}" fill="#ffffff"/>', _title(title, width),
                f'<text x="{width / 2:.1f}" y="{height / 2:.1f}" text-anchor="middle" font-size="14" '
                f'fill="#666666">No price data</text>', "</svg>"]
        return "\n".join(out) + "\n"

    labels = [s.label + ("" if points else " (no data)") for s, points in zip(series, drawn)]
    legend_rows = _legend_rows(labels, width)
    left, right = MARGIN_LEFT, width - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, height - X_LABELS_HEIGHT - LEGEND_ROW * len(legend_rows) - 8
    first, last = min(dates), max(dates)
    if first == last:       # one day: centre it in a three-day window
        first, last = first - dt.timedelta(days=1), last + dt.timedelta(days=1)
    low, high, step = _price_axis([cents for points in drawn for _, cents in points])
    span_days = (last - first).days

    def x_of(day: dt.date) -> float:
        return left + (right - left) * (day - first).days / span_days

    def y_of(cents: int) -> float:
        return bottom - (bottom - top) * (cents - low) / (high - low)

    names = ", ".join(s.label for s in series)
    out += [f"<desc>{_esc(f'{title}: prices from {min(dates)} to {max(dates)}; series: {names}.')}</desc>",
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>', _title(title, width),
            '<g stroke="#e5e5e5" stroke-width="1">']
    y_ticks = range(low, high + 1, step)
    x_ticks = _date_ticks(first, last, max(2, (right - left) // 80))
    out += [f'<line x1="{left}" y1="{y_of(c):.1f}" x2="{right}" y2="{y_of(c):.1f}"/>' for c in y_ticks]
    out += [f'<line x1="{x_of(d):.1f}" y1="{top}" x2="{x_of(d):.1f}" y2="{bottom}"/>' for d, _ in x_ticks]
    out += ["</g>", f'<g stroke="#333333" stroke-width="1"><line x1="{left}" y1="{bottom}" x2="{right}" '
            f'y2="{bottom}"/><line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}"/></g>',
            '<g font-size="11" fill="#333333" text-anchor="end">']
    out += [f'<text x="{left - 6}" y="{y_of(c) + 4:.1f}">{_esc(_money(c, step, currency))}</text>'
            for c in y_ticks]
    out += ['</g>', '<g font-size="11" fill="#333333" text-anchor="middle">']
    out += [f'<text x="{x_of(d):.1f}" y="{bottom + 16}">{_esc(label)}</text>' for d, label in x_ticks]
    out.append('</g>')
    out.append('<g fill="none" stroke-width="2" stroke-linejoin="round" stroke-linecap="round">')
    for index, (one, points) in enumerate(zip(series, drawn)):
        if not points:
            continue
        coords = " ".join(f"{x_of(d):.1f},{y_of(c):.1f}" for d, c in points)
        out.append(f'<polyline points="{coords}" {_stroke(index)}><title>{_esc(one.label)}</title></polyline>')
        if len(points) == 1:
            out.append(f'<circle cx="{x_of(points[0][0]):.1f}" cy="{y_of(points[0][1]):.1f}" r="3" '
                       f'fill="{PALETTE[index % len(PALETTE)]}"/>')
    out.append("</g>")
    out += _legend(legend_rows, labels, bottom + X_LABELS_HEIGHT + 8)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _esc(text: str) -> str:
    return escape(_NOT_XML.sub("", str(text)), quote=True)


def _title(title: str, width: int) -> str:
    return (f'<text x="{width / 2:.1f}" y="26" text-anchor="middle" font-size="16" font-weight="bold" '
            f'fill="#222222">{_esc(title)}</text>')


def _stroke(index: int) -> str:
    dash = ' stroke-dasharray="6 3"' if index >= len(PALETTE) else ""
    return f'stroke="{PALETTE[index % len(PALETTE)]}"{dash}'


def _price_axis(values: list[int]) -> tuple[int, int, int]:
    """(low, high, step) in cents, on 1/2/5 x 10^n steps. The axis starts at zero unless every
    price stays above half the highest one: then it zooms in so the movement shows."""
    low, high = min(values), max(values)
    if low >= 0 and (2 * low < high or low == high):
        low = 0
    if high == low:
        high = low + 100
    raw = (high - low) / 5
    magnitude = 10 ** max(0, math.floor(math.log10(raw))) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return (low // step) * step, -(-high // step) * step, step


def _money(cents: int, step: int, currency: str) -> str:
    sign, cents = ("-" if cents < 0 else ""), abs(cents)
    amount = f"{cents // 100:,}" + (f".{cents % 100:02d}" if step % 100 else "")
    code = currency.upper()
    symbol = CURRENCY_SYMBOLS.get(code)
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {code}"


def _date_ticks(first: dt.date, last: dt.date, max_ticks: int) -> list[tuple[dt.date, str]]:
    for unit, size in DATE_STEPS:
        ticks = list(_ticks(first, last, unit, size, max_ticks + 1))
        if len(ticks) <= max_ticks:
            return [(day, _date_label(day, unit)) for day in ticks]
    return [(first, _date_label(first, "year")), (last, _date_label(last, "year"))]


def _ticks(first: dt.date, last: dt.date, unit: str, size: int, limit: int):
    """Aligned tick days in [first, last] (days on multiples of `size`, weeks on Mondays, months on
    the 1st, years on 1 January), stopping after `limit`."""
    if unit in ("day", "week"):
        period = size * (7 if unit == "week" else 1)
        ordinal = first.toordinal()
        # date.toordinal() of a Monday is ≡ 1 (mod 7); day ticks align to multiples of their size.
        anchor = 1 if unit == "week" else 0
        ordinal += (anchor - ordinal) % period
        days = (dt.date.fromordinal(o) for o in range(ordinal, last.toordinal() + 1, period))
    else:
        months = size * (12 if unit == "year" else 1)
        index = first.year * 12 + first.month - 1 + (first.day > 1)
        index += -index % months
        days = (dt.date(i // 12, i % 12 + 1, 1) for i in range(index, last.year * 12 + last.month, months))
    for count, day in enumerate(days):
        if count >= limit:
            return
        yield day


def _date_label(day: dt.date, unit: str) -> str:
    if unit == "year":
        return str(day.year)
    if unit == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    return f"{MONTHS[day.month - 1]} {day.day}"


def _legend_rows(labels: list[str], width: int) -> list[list[int]]:
    """Series indexes per legend row, filling rows left to right."""
    rows: list[list[int]] = [[]]
    used = 0
    for index, label in enumerate(labels):
        item = _legend_item_width(label)
        if rows[-1] and used + item > width - MARGIN_LEFT - MARGIN_RIGHT:
            rows.append([])
            used = 0
        rows[-1].append(index)
        used += item
    return rows


def _legend_item_width(label: str) -> int:
    return 34 + CHAR_WIDTH * len(label) + 14     # swatch, gap, text, space before the next item


def _legend(rows: list[list[int]], labels: list[str], top: int) -> list[str]:
    out = ['<g font-size="12" fill="#222222">']
    for row_number, row in enumerate(rows):
        x, y = MARGIN_LEFT, top + LEGEND_ROW * row_number
        for index in row:
            out.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 26}" y2="{y - 4}" stroke-width="3" '
                       f'{_stroke(index)}/><text x="{x + 32}" y="{y}">{_esc(labels[index])}</text>')
            x += _legend_item_width(labels[index])
    out.append("</g>")
    return out
