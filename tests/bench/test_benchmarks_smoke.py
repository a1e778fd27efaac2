"""Each benchmark's --smoke mode, run as its own process against the test database server: a change
that breaks a benchmark (a moved module, a renamed key, a new start-up requirement) fails here.

Only that each one runs and prints its figures is checked, never the figures' values (no
wall-clock assertions). Only the listings benchmark needs ../shared/data (it skips without it): the
ingestion smoke run generates synthetic cards; the others vary real cards when the shared data is
there and synthetic ones otherwise, or generate their data in SQL.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest

from backend.new_services.card_catalog.catalog_load.bulk_file import BulkFile

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
NUMBER = r"[\d,]+(?:\.\d+)?"
TIMEOUT = 180


def run_bench(script: str, *args: str) -> tuple[str, int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("DATABASE_URL", "REDIS_URL", "BENCH_DATABASE_URL"):
        env.pop(name, None)
    proc = subprocess.Popen([sys.executable, str(BENCH / script), *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"{script} did not finish in {TIMEOUT}s\nstdout:\n{out}\nstderr:\n{err[-3000:]}")
    assert proc.returncode == 0, f"{script} exited {proc.returncode}\nstdout:\n{out}\nstderr:\n{err[-3000:]}"
    return out, proc.pid


def assert_lines(out: str, patterns: list[str]) -> None:
    for pattern in patterns:
        assert re.search(pattern, out, re.MULTILINE), f"no line matching {pattern!r} in:\n{out}"


def databases_named(server_url: str, fragment: str) -> list[str]:
    conn = psycopg2.connect(server_url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (f"%{fragment}%",))
            return [row[0] for row in cur.fetchall()]
    finally:
        conn.close()


def test_generate_cards_synthetic(tmp_path):
    out_file = tmp_path / "cards.json.gz"
    proc = subprocess.run([sys.executable, str(BENCH / "generate_cards.py"), "--count", "150", "--out",
                           str(out_file), "--synthetic"], cwd=ROOT, capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "wrote 150 printings" in proc.stdout
    cards = list(BulkFile(out_file))
    assert len(cards) == 150
    assert len({card["id"] for card in cards}) == 150


def test_scryfall_ingest_smoke(postgres_server_url):
    out, pid = run_bench("scryfall_ingest.py", "--smoke", "--synthetic", "--server-url", postgres_server_url)
    assert_lines(out, [
        rf"^smoke-cards-\d+\.json\.gz: {NUMBER} cards$",
        rf"^  plain COPY jsonb +{NUMBER} s +\({NUMBER} cards/s\)$",
        rf"^  first load +{NUMBER} s +\({NUMBER} cards/s, {NUMBER}x plain COPY, peak RSS {NUMBER} MB, "
        rf"loader CPU {NUMBER} s; inserted {NUMBER}, rejected {NUMBER}\)$",
        rf"^  unchanged re-load +{NUMBER} s +\({NUMBER} cards/s, {NUMBER}x faster, peak RSS {NUMBER} MB; "
        rf"unchanged {NUMBER}; catalog rows written: (0|SOME)\)$",
    ])
    assert databases_named(postgres_server_url, f"bench_scryfall_{pid}") == []


def test_catalog_api_smoke(postgres_server_url):
    out, pid = run_bench("catalog_api.py", "--smoke", "--server-url", postgres_server_url)
    figures = rf"{NUMBER} req/s  p50 +{NUMBER} ms  p95 +{NUMBER} ms  p99 +{NUMBER} ms  errors \d+ non-2xx"
    assert_lines(out, [
        rf"^generated {NUMBER} printings; loaded {NUMBER} \({NUMBER} inserted, {NUMBER} rejected\)",
        rf"^catalog: {NUMBER} printings, {NUMBER} oracle cards$",
        rf"^bare: SELECT \* by id \(round 1\) +{figures}",
        rf"^bare: the API's SQL \(round 1\) +{figures}",
        rf"^API card by id \(round 1\) +{figures}",
        rf"^card-by-id ratio API / bare SELECT \*: {NUMBER};  API / bare running the same SQL: {NUMBER}$",
        rf"^autocomplete +{figures}",
        rf"^fuzzy named \(200 or 404 ambiguous\) +{figures}",
        *(rf"^search {re.escape(q)} +{figures} \d+ .*total_count \d+ " for q in (
            "t:creature c:g mv<=3", 'o:"draw a card" f:modern', "lightning", "pow>=5 r:mythic")),
    ])
    assert databases_named(postgres_server_url, f"automana_bench_catalog_smoke_{pid}") == []


def test_auth_latency_smoke(postgres_server_url, redis_url):
    out, pid = run_bench("auth_latency.py", "--smoke", "--server-url", postgres_server_url, "--redis-url", redis_url)
    figures = rf"p50= *{NUMBER} ms  p95= *{NUMBER} ms  mean= *{NUMBER} ms  max= *{NUMBER} ms  throughput= *{NUMBER}/s"
    assert_lines(out, [
        r"^Argon2id: m=\d+ KiB, t=\d+, p=\d+; 2 concurrent clients",
        rf"^login  n=\d+ +{figures}",
        rf"^me     n=\d+ +{figures}",
        rf"^health n=\d+ +{figures}",
    ])
    assert databases_named(postgres_server_url, f"automana_bench_{pid}") == []


def test_price_history_smoke(postgres_server_url):
    out, pid = run_bench("price_history.py", "--smoke", "--server-url", postgres_server_url)
    assert_lines(out, [rf"^price_observations: {NUMBER} rows", rf"^history 1y: p50 {NUMBER} ms, p95 {NUMBER} ms",
                       rf"^movers 1w: p50 {NUMBER} ms", rf"^movers 1m: p50 {NUMBER} ms",
                       r"^history plan: \d+ partitions scanned"])
    assert databases_named(postgres_server_url, f"automana_bench_prices_smoke_{pid}") == []


def test_tcgplayer_listings_smoke(postgres_server_url, shared_data):
    out, pid = run_bench("tcgplayer_listings.py", "--smoke", "--server-url", postgres_server_url)
    assert_lines(out, [rf"^load: {NUMBER} rows in {NUMBER} s = {NUMBER} rows/s", rf"^re-run: {NUMBER} s, "
                       r"observations written 0", rf"^baseline A .*load / A = {NUMBER}x",
                       rf"^baseline B .*load / B = {NUMBER}x"])
    assert databases_named(postgres_server_url, f"automana_bench_listings_smoke_{pid}") == []


def test_collection_smoke(postgres_server_url):
    out, pid = run_bench("collection.py", "--smoke", "--server-url", postgres_server_url)
    percentiles = rf"p50 +{NUMBER} ms  p95 +{NUMBER} ms  n=\d+"
    assert_lines(out, [
        rf"^catalog: {NUMBER} printings generated \((real, varied|synthetic)\), {NUMBER} loaded$",
        *(rf"^import {name} +{NUMBER} rows \({NUMBER} MB\): {NUMBER} s = {NUMBER} rows/s; resolved {NUMBER}, "
          rf"entries {NUMBER}; peak RSS {NUMBER} MB" for name in ("manabox", "moxfield")),
        rf"^prices: {NUMBER} daily observations over \d+ days",
        rf"^history 1y \(first: builds the cache\) +{NUMBER} ms$",
        *(rf"^{re.escape(label)} +{percentiles}$" for label in (
            "value", "history 1y (cached)", "movers 1m", "entries page by name", "entries page by value",
            "entries page q=t:creature")),
    ])
    assert databases_named(postgres_server_url, f"automana_bench_collection_smoke_{pid}") == []


def test_search_language_smoke(postgres_server_url):
    out, pid = run_bench("search_language.py", "--smoke", "--server-url", postgres_server_url)
    figures = rf"p50 +{NUMBER} ms +p95 +{NUMBER} ms +n \d+"
    assert_lines(out, [r"^catalog: \d+ printings", rf"^random \(before: sort every match\) +{figures}",
                       rf"^random +{figures}", rf"^fuzzy named \(typos\) +{figures}", rf"^autocomplete .*{figures}",
                       rf"^search t:creature c:g +{figures}", rf"^regex o:/\^{{T}}:/ +{figures}"])
    assert databases_named(postgres_server_url, f"search_language_smoke_{pid}") == []


def test_search_cost_smoke(postgres_server_url, redis_url, redis_client):
    out, pid = run_bench("search_cost.py", "--smoke", "--server-url", postgres_server_url, "--redis-url", redis_url)
    figures = rf"{NUMBER} req/s  p50 +{NUMBER} ms  p95 +{NUMBER} ms  p99 +{NUMBER} ms  errors \d+ non-2xx"
    for config in ("gated", "relaxed"):
        assert f"[{config}: rate limit " in out
        assert re.search(rf"^card by id kept {NUMBER} of its unloaded throughput \({re.escape(config)}; load", out, re.M)
    assert_lines(out, [
        rf"^catalog: {NUMBER} printings, {NUMBER} oracle cards",
        rf"^card by id, unloaded \(1\) +{figures}",
        rf"^card by id, 4 attackers \(1\) +{figures}",
        rf"^attackers \(4 addresses\): {NUMBER} answers in {NUMBER} s",
        r"^  issue: -o:x x199 +\d+ answers \((400 x\d+|503 x\d+|, )+\)",
    ])
    assert databases_named(postgres_server_url, f"automana_bench_search_cost_smoke_{pid}") == []


def test_mixed_load_smoke(postgres_server_url, redis_url, redis_client):
    out, pid = run_bench("mixed_load.py", "--smoke", "--server-url", postgres_server_url, "--redis-url", redis_url)
    figures = rf"{NUMBER} answers +{NUMBER} req/s  p50 +{NUMBER} ms  p95 +{NUMBER} ms  p99 +{NUMBER} ms  errors \d+  shed \d+"
    assert_lines(out, [
        rf"^catalog: {NUMBER} printings; python, 4 connections",
        *(rf"^{kind} +{figures}" for kind in ("card", "autocomplete", "named", "search", "login")),
        rf"^total +{NUMBER} answers +{NUMBER} req/s  errors 0  shed",   # shed answers are counted apart
    ])
    assert databases_named(postgres_server_url, f"automana_bench_search_cost_smoke_{pid}") == []
