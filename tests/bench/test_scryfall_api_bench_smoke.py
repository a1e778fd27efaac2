"""bench/scryfall_api.py --smoke runs and prints its figures (never checks their values)."""
from __future__ import annotations

import re

from tests.bench.test_benchmarks_smoke import NUMBER, assert_lines, databases_named, run_bench


def test_scryfall_api_smoke(postgres_server_url):
    out, pid = run_bench("scryfall_api.py", "--smoke", "--server-url", postgres_server_url)
    figures = rf"{NUMBER} req/s  p50 +{NUMBER} ms  p95 +{NUMBER} ms  p99 +{NUMBER} ms  errors \d+ non-2xx"
    assert_lines(out, [
        rf"^catalog: {NUMBER} printings \({NUMBER} with their card object\), {NUMBER} oracle cards$",
        rf"^native card by id \(round 1\) +{figures}",
        rf"^/scryfall card by id \(round 1\) +{figures}",
        rf"^card-by-id req/s ratio /scryfall / native: {NUMBER}$",
        *(rf"^/scryfall search {re.escape(q)} +{figures} .* total \d+ " for q in (
            "t:creature c:g mv<=3", 'o:"draw a card" f:modern', "lightning", "pow>=5 r:mythic")),
        *(rf"^bulk {t} +\d+ objects +{NUMBER} s" for t in (
            "all_cards", "default_cards", "oracle_cards", "unique_artwork", "rulings")),
        rf"^bulk data generation: {NUMBER} s for all five files$",
    ])
    assert databases_named(postgres_server_url, f"automana_bench_scryfall_smoke_{pid}") == []
