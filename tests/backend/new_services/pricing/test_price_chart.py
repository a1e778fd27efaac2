"""The SVG price chart, parsed back with ElementTree: structure, points, axes, escaping, empty state,
tick spacing over short and long ranges, and byte-for-byte determinism."""
from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from backend.new_services.pricing.price_chart import PALETTE, ChartSeries, render_price_chart

NS = {"svg": "http://www.w3.org/2000/svg"}
START = dt.date(2024, 1, 1)


def days(count: int, every: int = 1, cents=lambda i: 100 + i) -> list[tuple[dt.date, int]]:
    return [(START + dt.timedelta(days=i), cents(i)) for i in range(0, count, every)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def axis_labels(root: ET.Element, anchor: str) -> list[str]:
    return [t.text for g in root.findall("svg:g", NS) if g.get("text-anchor") == anchor
            for t in g.findall("svg:text", NS)]


def test_one_polyline_per_series_with_every_point():
    series = [ChartSeries("Scryfall · nonfoil", days(60)),
              ChartSeries("Scryfall · foil", days(60, every=7, cents=lambda i: 400 + 3 * i)),
              ChartSeries("Cardmarket · trend", days(45, every=2))]
    root = parse(render_price_chart(series=series, title="Lightning Bolt", currency="USD"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("viewBox"), root.get("version"), root.get("role")) == ("0 0 720 360", "1.1", "img")
    assert root.get("aria-label") == "Lightning Bolt" and root.find("svg:title", NS).text == "Lightning Bolt"
    lines = root.findall(".//svg:polyline", NS)
    assert len(lines) == 3
    assert [len(line.get("points").split()) for line in lines] == [60, 9, 23]
    assert [line.get("stroke") for line in lines] == list(PALETTE[:3])
    assert [line.find("svg:title", NS).text for line in lines] == [s.label for s in series]
    for line in lines:
        xs = [float(p.split(",")[0]) for p in line.get("points").split()]
        assert xs == sorted(xs) and all(72 <= x <= 720 for x in xs)
    legend = texts(root)[-3:]
    assert legend == ["Scryfall · nonfoil", "Scryfall · foil", "Cardmarket · trend"]


def test_axis_labels_are_nice_prices_and_dates():
    root = parse(render_price_chart(series=[ChartSeries("a", days(31, cents=lambda i: 5 * i))],
                                    title="t", currency="USD"))
    assert axis_labels(root, "end") == ["$0.00", "$0.50", "$1.00", "$1.50"]
    assert axis_labels(root, "middle") == ["Jan 1", "Jan 8", "Jan 15", "Jan 22", "Jan 29"]


@pytest.mark.parametrize("currency, expected", [("EUR", "€2"), ("eur", "€2"), ("TIX", "2 TIX"), ("usd", "$2")])
def test_currency_symbols(currency, expected):
    root = parse(render_price_chart(series=[ChartSeries("a", days(10, cents=lambda i: 100 * i))],
                                    title="t", currency=currency))
    assert expected in axis_labels(root, "end")


def test_prices_far_from_zero_zoom_in():
    root = parse(render_price_chart(series=[ChartSeries("a", days(10, cents=lambda i: 9500 + 100 * i))],
                                    title="t", currency="USD"))
    assert axis_labels(root, "end") == ["$94", "$96", "$98", "$100", "$102", "$104"]


@pytest.mark.parametrize("span_days, pattern", [
    (7, r"(Jan|Feb) \d{1,2}"),                  # days
    (90, r"(Jan|Feb|Mar|Apr) \d{1,2}"),         # weeks (Mondays)
    (700, r"[A-Z][a-z]{2} 20\d\d"),            # months
    (3800, r"20\d\d"),                          # years
])
def test_date_ticks_fit_the_range(span_days, pattern):
    points = [(START, 100), (START + dt.timedelta(days=span_days), 200)]
    root = parse(render_price_chart(series=[ChartSeries("a", points)], title="t", currency="USD"))
    labels = axis_labels(root, "middle")
    assert 2 <= len(labels) <= 8 and all(re.fullmatch(pattern, label) for label in labels), labels


def test_text_from_data_is_escaped():
    label, title = 'Evil <script>&"\'', 'Title <b>&amp; "x"'
    svg = render_price_chart(series=[ChartSeries(label, days(3))], title=title, currency='<U&"')
    assert "<script>" not in svg and "<b>" not in svg
    root = parse(svg)
    assert root.get("aria-label") == title and root.find("svg:title", NS).text == title
    assert label in texts(root) and title in texts(root)
    assert root.find(".//svg:polyline/svg:title", NS).text == label
    assert any(text.endswith(' <U&"') for text in axis_labels(root, "end"))


def test_control_characters_are_dropped_so_the_document_stays_well_formed():
    root = parse(render_price_chart(series=[ChartSeries("bad\x00\x07label", days(3))], title="t\x1b",
                                    currency="USD"))
    assert "badlabel" in texts(root)


def test_empty_input_shows_a_no_data_state():
    for series in ([], [ChartSeries("Scryfall · foil", [])]):
        root = parse(render_price_chart(series=series, title="Black Lotus", currency="USD"))
        assert root.findall(".//svg:polyline", NS) == []
        assert "No price data" in texts(root)
        assert "no price data" in root.find("svg:desc", NS).text


def test_a_series_without_points_stays_in_the_legend_and_one_point_gets_a_dot():
    series = [ChartSeries("empty", []), ChartSeries("single", [(START, 250)])]
    root = parse(render_price_chart(series=series, title="t", currency="USD"))
    [line] = root.findall(".//svg:polyline", NS)
    assert len(line.get("points").split()) == 1 and line.get("stroke") == PALETTE[1]
    assert len(root.findall(".//svg:circle", NS)) == 1
    assert {"empty (no data)", "single"} <= set(texts(root))


def test_many_series_cycle_the_palette_dashed_and_wrap_the_legend():
    series = [ChartSeries(f"Series number {i}", days(20, cents=lambda d, i=i: 100 * i + d)) for i in range(10)]
    root = parse(render_price_chart(series=series, title="t", currency="USD"))
    lines = root.findall(".//svg:polyline", NS)
    assert len(lines) == 10 and lines[8].get("stroke") == PALETTE[0] and lines[8].get("stroke-dasharray")
    legend_ys = {t.get("y") for t in root.findall(".//svg:g[@font-size='12']/svg:text", NS)}
    assert len(legend_ys) == 3


def test_output_is_deterministic_and_independent_of_point_order():
    points = days(40, cents=lambda i: 100 + (i * 37) % 50)
    first = render_price_chart(series=[ChartSeries("a", points)], title="t", currency="USD", width=500, height=300)
    again = render_price_chart(series=[ChartSeries("a", list(reversed(points)))], title="t", currency="USD",
                               width=500, height=300)
    assert first == again
    assert parse(first).get("viewBox") == "0 0 500 300"
