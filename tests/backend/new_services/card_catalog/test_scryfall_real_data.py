"""Real Scryfall bulk files from ../shared/data: counts and a sample of fields against the source."""
from __future__ import annotations

import gzip
import itertools

import orjson
import pytest

from backend.new_services.card_catalog.catalog_load.normalize import price_to_cents
from tests.fixtures.scryfall import set_scryfall_settings

pytestmark = pytest.mark.real_data

PRICE_COLUMNS = {"usd": "price_usd", "usd_foil": "price_usd_foil", "usd_etched": "price_usd_etched",
                 "eur": "price_eur", "eur_foil": "price_eur_foil", "tix": "price_tix"}


def _source_cards(path):
    with gzip.open(path) as f:
        return orjson.loads(f.read())


def _check_sample(db, cards, step: int) -> None:
    with db.cursor() as cur:
        for card in itertools.islice(cards, 0, None, step):
            cur.execute("""SELECT oracle_id::text, name, set_code, collector_number, lang, rarity, finishes,
                                  multiverse_ids, tcgplayer_id, layout, price_usd, price_usd_foil, price_usd_etched,
                                  price_eur, price_eur_foil, price_tix
                           FROM card_catalog.card_versions WHERE card_version_id = %s""", (card["id"],))
            row = cur.fetchone()
            assert row is not None, card["id"]
            oracle_id = card.get("oracle_id") or card["card_faces"][0]["oracle_id"]
            finishes = card.get("finishes") or [f for f in ("nonfoil", "foil") if card.get(f)]
            assert row[:10] == (oracle_id, card["name"], card["set"], card["collector_number"], card["lang"],
                                card["rarity"], finishes, card.get("multiverse_ids") or [], card.get("tcgplayer_id"),
                                card["layout"]), card["id"]
            prices = card.get("prices") or {}
            for key, value in zip(PRICE_COLUMNS, row[10:]):
                expected = price_to_cents(prices.get(key))
                assert (None if value is None else int(value * 100)) == expected, (card["id"], key)
            cur.execute("SELECT type_line, oracle_text FROM card_catalog.oracle_cards WHERE oracle_id = %s",
                        (oracle_id,))
            assert cur.fetchone() is not None


async def test_modern_file_loads_fully(shared_data, ingest_manager, db, scryfall_env, settings):
    set_scryfall_settings(settings, batch_size=1000)
    path = shared_data / "scryfall" / "cards-2022-2026.json.gz"
    cards = _source_cards(path)
    result = await ingest_manager.execute_service("integrations.scryfall.load_file", path=str(path))
    assert result["seen"] == len(cards) == 5289
    assert (result["inserted"], result["rejected"]) == (5289, 0)
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM card_catalog.card_versions")
        assert cur.fetchone()[0] == 5289
        cur.execute("SELECT count(*) FROM card_catalog.card_versions WHERE jsonb_array_length(card_faces) > 1")
        assert cur.fetchone()[0] == sum(1 for c in cards if len(c.get("card_faces") or []) > 1)
        cur.execute("SELECT count(DISTINCT card_version_id) FROM pricing.latest_prices")
        assert cur.fetchone()[0] == sum(1 for c in cards if any(price_to_cents(v) for v in (c.get("prices") or {}).values()))
        cur.execute("SELECT count(DISTINCT set_code) FROM card_catalog.card_versions")
        assert cur.fetchone()[0] == len({c["set"] for c in cards})
    _check_sample(db, cards, step=97)
    again = await ingest_manager.execute_service("integrations.scryfall.load_file", path=str(path))
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 5289)


async def test_older_schema_file_loads(shared_data, ingest_manager, db, scryfall_env, settings):
    set_scryfall_settings(settings, batch_size=5000)
    path = shared_data / "scryfall" / "default-cards-2019.json.gz"
    cards = _source_cards(path)
    result = await ingest_manager.execute_service("integrations.scryfall.load_file", path=str(path))
    assert result["seen"] == len(cards) == 45851
    assert result["rejected"] == 0 and result["inserted"] == 45851
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM card_catalog.card_rejects")
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT count(*) FROM card_catalog.sets WHERE origin = 'card'")
        assert cur.fetchone()[0] == len({c["set"] for c in cards})
        # Gleemax (two printings) has a mana value of 1,000,000.
        cur.execute("SELECT DISTINCT cmc FROM card_catalog.oracle_cards WHERE name = 'Gleemax'")
        assert cur.fetchall() == [(1000000,)]
    _check_sample(db, cards, step=911)
