"""Loading cards and sets through `card_catalog.catalog_load.*` against a real database."""
from __future__ import annotations

import copy
import datetime as dt
import uuid
from decimal import Decimal

import orjson

from backend.new_services.card_catalog.catalog_load.bulk_file import BulkFile
from backend.new_services.card_catalog.catalog_load.normalize import SET_ID_NAMESPACE
from tests.fixtures.scryfall import SETS, modern_card, old_schema_card, sample_cards, uid, write_bulk

DAY = dt.date(2026, 11, 30)


async def load_cards(manager, **kwargs):
    return await manager.execute_service("card_catalog.catalog_load.load_cards", **kwargs)


async def load_sets(manager, **kwargs):
    return await manager.execute_service("card_catalog.catalog_load.load_sets", **kwargs)


def _xmins(db) -> dict:
    with db.cursor() as cur:
        out = {}
        for table in ("card_catalog.card_versions", "card_catalog.oracle_cards", "card_catalog.sets",
                      "card_catalog.external_identifiers", "pricing.price_observations", "pricing.latest_prices"):
            cur.execute(f"SELECT count(*), coalesce(sum(xmin::text::bigint), 0) FROM {table}")
            out[table] = cur.fetchone()
        return out


async def test_load_cards_writes_every_table(ingest_manager, db):
    await load_sets(ingest_manager, sets=copy.deepcopy(SETS))
    cards = sample_cards()
    counts = await load_cards(ingest_manager, cards=cards, observed_on=DAY, batch_size=7)
    assert (counts.inserted, counts.updated, counts.unchanged, counts.rejected) == (len(cards), 0, 0, 0)
    assert counts.sets_created == 1
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM card_catalog.card_versions")
        assert cur.fetchone()[0] == len(cards)
        cur.execute("SELECT code, name, set_type, origin FROM card_catalog.sets ORDER BY code")
        assert cur.fetchall() == [("old", "Old Set", "core", "scryfall_sets"), ("tst", "Test Set", "expansion", "scryfall_sets"),
                                  ("zzz", "Unknown Promo Set", "promo", "card")]
        # The older-schema cards (no set_id) hang off the /sets row of their code.
        cur.execute("SELECT s.set_id::text FROM card_catalog.card_versions v JOIN card_catalog.sets s USING (set_id) "
                    "WHERE v.card_version_id = %s", (uid("card:old:1000"),))
        assert cur.fetchone()[0] == uid("set:old")
        cur.execute("""SELECT name, collector_number, lang, rarity, finishes, price_usd, price_usd_foil, price_tix,
                              multiverse_ids, mtgo_id, arena_id, tcgplayer_id, cardmarket_id, prices_updated_at::date,
                              rarity_rank, collector_number_int, security_stamp, image_uris->>'small'
                       FROM card_catalog.card_versions WHERE card_version_id = %s""", (uid("card:tst:3"),))
        row = cur.fetchone()
        assert row[:8] == ("Test Card 3", "3", "en", "common", ["nonfoil", "foil"], Decimal("3.25"),
                           Decimal("4.50"), Decimal("0.03"))
        assert row[8:] == ([500003], 90003, 80003, 70003, 60003, DAY, 0, 3, "oval", "https://cards.scryfall.io/small/3.jpg")
        cur.execute("""SELECT name, layout, cmc, keywords, legalities->>'modern', edhrec_rank, source_rank
                       FROM card_catalog.oracle_cards WHERE oracle_id = %s""", (uid("oracle:3"),))
        assert cur.fetchone()[:6] == ("Test Card 3", "normal", 2, ["Reach"], "legal", 103)
        cur.execute("""SELECT source, external_id, finish FROM card_catalog.external_id_map
                       WHERE card_version_id = %s ORDER BY source, finish""", (uid("card:tst:3"),))
        assert cur.fetchall() == [("arena", "80003", None), ("cardmarket", "60003", None),
                                  ("mtgo", "90003", "nonfoil"), ("multiverse", "500003", None),
                                  ("scryfall", uid("card:tst:3"), None), ("tcgplayer", "70003", None)]
        # Scryfall's identifiers live on the printing; the table keeps other resolvers' links only.
        cur.execute("SELECT count(*) FROM card_catalog.external_identifiers")
        assert cur.fetchone()[0] == 0
        expected = [("nonfoil", "EUR", 10), ("nonfoil", "TIX", 3), ("foil", "USD", 450), ("nonfoil", "USD", 325)]
        cur.execute("""SELECT finish, currency, price_cents FROM pricing.price_observations
                       WHERE card_version_id = %s AND observed_on = %s ORDER BY currency, finish""",
                    (uid("card:tst:3"), DAY))
        assert cur.fetchall() == expected
        cur.execute("""SELECT finish, currency, price_cents FROM pricing.latest_prices
                       WHERE card_version_id = %s ORDER BY currency, finish""", (uid("card:tst:3"),))
        assert cur.fetchall() == expected


async def test_price_observations_match_latest_prices(ingest_manager, db):
    await load_cards(ingest_manager, cards=sample_cards(), observed_on=DAY)
    with db.cursor() as cur:
        cur.execute("""SELECT card_version_id, finish, currency, price_cents FROM pricing.price_observations
                       WHERE observed_on = %s EXCEPT
                       SELECT card_version_id, finish, currency, price_cents FROM pricing.latest_prices""", (DAY,))
        assert cur.fetchall() == []
        cur.execute("SELECT count(*) FROM pricing.price_observations WHERE price_type = 'market' AND condition = 'NM'")
        # 26 modern cards with usd, usd_foil, eur, tix each, plus the reversible/transform/unknown-set ones.
        assert cur.fetchone()[0] == 4 * 28


async def test_reload_of_unchanged_cards_writes_nothing(ingest_manager, db):
    cards = sample_cards()
    await load_cards(ingest_manager, cards=copy.deepcopy(cards), observed_on=DAY, batch_size=8)
    before = _xmins(db)
    counts = await load_cards(ingest_manager, cards=copy.deepcopy(cards), observed_on=DAY, batch_size=5)
    assert (counts.inserted, counts.updated, counts.unchanged) == (0, 0, len(cards))
    assert counts.oracle_inserted == counts.oracle_updated == 0
    assert _xmins(db) == before


async def test_changed_cards_are_updated(ingest_manager, db):
    cards = sample_cards()
    await load_cards(ingest_manager, cards=copy.deepcopy(cards), observed_on=DAY)
    changed = copy.deepcopy(cards)
    changed[0]["prices"]["usd"] = "99.99"                 # a price move
    changed[1]["flavor_text"] = "New flavour."            # a printing change
    changed[2]["oracle_text"] = "Errata."                 # an oracle change
    changed[3]["multiverse_ids"] = [777]                  # an identifier change
    next_day = DAY + dt.timedelta(days=1)
    counts = await load_cards(ingest_manager, cards=changed, observed_on=next_day)
    assert (counts.inserted, counts.updated, counts.unchanged) == (0, 4, len(cards) - 4)
    assert counts.oracle_updated == 1
    with db.cursor() as cur:
        cur.execute("SELECT price_usd FROM card_catalog.card_versions WHERE card_version_id = %s", (changed[0]["id"],))
        assert float(cur.fetchone()[0]) == 99.99
        cur.execute("""SELECT observed_on, price_cents FROM pricing.price_observations
                       WHERE card_version_id = %s AND currency = 'USD' AND finish = 'nonfoil' ORDER BY observed_on""",
                    (changed[0]["id"],))
        assert cur.fetchall() == [(DAY, 125), (next_day, 9999)]
        cur.execute("""SELECT observed_on, price_cents FROM pricing.latest_prices
                       WHERE card_version_id = %s AND currency = 'USD' AND finish = 'nonfoil'""", (changed[0]["id"],))
        assert cur.fetchone() == (next_day, 9999)
        cur.execute("SELECT flavor_text FROM card_catalog.card_versions WHERE card_version_id = %s", (changed[1]["id"],))
        assert cur.fetchone()[0] == "New flavour."
        cur.execute("SELECT oracle_text FROM card_catalog.oracle_cards WHERE oracle_id = %s", (changed[2]["oracle_id"],))
        assert cur.fetchone()[0] == "Errata."
        cur.execute("""SELECT external_id FROM card_catalog.external_id_map
                       WHERE card_version_id = %s AND source = 'multiverse'""", (changed[3]["id"],))
        assert cur.fetchall() == [("777",)]


async def test_malformed_cards_are_rejected_while_the_rest_load(ingest_manager, db):
    cards = sample_cards()
    bad_price_type = modern_card(4000, mtgo_id="not a number")
    no_id = modern_card(4001)
    no_id.pop("id")
    cards[5:5] = [bad_price_type, no_id, "not an object"]
    counts = await load_cards(ingest_manager, cards=cards, run_id=None, observed_on=DAY, batch_size=4)
    assert counts.rejected == 3
    assert counts.inserted == len(cards) - 3
    with db.cursor() as cur:
        cur.execute("SELECT scryfall_id, reason, payload IS NOT NULL FROM card_catalog.card_rejects ORDER BY id")
        rejects = cur.fetchall()
    assert (uid("card:tst:4000"), "field 'mtgo_id': expected `int | null`, got `str`", True) in rejects
    assert (None, "field 'id' is missing", True) in rejects
    assert any(r[1] == "card must be a JSON object, got str" for r in rejects)


async def test_duplicate_ids_in_one_batch_are_loaded_once(ingest_manager, db):
    first = modern_card(1)
    again = modern_card(1, flavor_text="Later copy wins.")
    counts = await load_cards(ingest_manager, cards=[first, again, modern_card(2)], observed_on=DAY)
    assert counts.inserted == 2
    with db.cursor() as cur:
        cur.execute("SELECT flavor_text FROM card_catalog.card_versions WHERE card_version_id = %s", (first["id"],))
        assert cur.fetchone()[0] == "Later copy wins."


async def test_oracle_row_comes_from_the_best_printing_whatever_the_order(ingest_manager, db):
    older = modern_card(1, released_at="2001-01-01", edhrec_rank=5)
    newer = modern_card(2, released_at="2024-01-01", edhrec_rank=9, oracle_id=older["oracle_id"])
    await load_cards(ingest_manager, cards=[newer], observed_on=DAY)
    counts = await load_cards(ingest_manager, cards=[older], observed_on=DAY)
    assert counts.oracle_updated == 0
    with db.cursor() as cur:
        cur.execute("SELECT edhrec_rank FROM card_catalog.oracle_cards WHERE oracle_id = %s", (older["oracle_id"],))
        assert cur.fetchone()[0] == 9


async def test_async_iterable_input(ingest_manager):
    async def stream():
        for card in sample_cards(10):
            yield card

    counts = await load_cards(ingest_manager, cards=stream(), observed_on=DAY, batch_size=3)
    assert counts.inserted == 10


async def test_card_created_set_is_adopted_when_sets_arrive(ingest_manager, db):
    await load_cards(ingest_manager, cards=[old_schema_card(1)], observed_on=DAY)
    derived = str(uuid.uuid5(SET_ID_NAMESPACE, "old"))
    with db.cursor() as cur:
        cur.execute("SELECT set_id::text, origin FROM card_catalog.sets WHERE code = 'old'")
        assert cur.fetchone() == (derived, "card")
    counts = await load_sets(ingest_manager, sets=copy.deepcopy(SETS))
    assert counts.inserted == 2
    with db.cursor() as cur:
        cur.execute("SELECT set_id::text, origin, name FROM card_catalog.sets WHERE code = 'old'")
        assert cur.fetchone() == (uid("set:old"), "scryfall_sets", "Old Set")
        cur.execute("SELECT set_id::text FROM card_catalog.card_versions")
        assert cur.fetchone()[0] == uid("set:old")
        cur.execute("SELECT count(*) FROM card_catalog.sets WHERE set_id = %s", (derived,))
        assert cur.fetchone()[0] == 0
    again = await load_sets(ingest_manager, sets=copy.deepcopy(SETS))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


async def test_load_sets_rejects_malformed_sets(ingest_manager):
    counts = await load_sets(ingest_manager, sets=[{"code": "x"}, copy.deepcopy(SETS[0])])
    assert (counts.inserted, counts.rejected) == (1, 1)


# -- bulk files ------------------------------------------------------------------------------------

async def test_invalid_json_line_is_rejected_alone(tmp_path, ingest_manager, db):
    cards = sample_cards(6)
    lines = [orjson.dumps(c).decode() for c in cards]
    lines.insert(2, '{"object": "card", "id": broken')
    (tmp_path / "bad.json").write_text("[\n" + ",\n".join(lines) + "\n]\n")
    counts = await load_cards(ingest_manager, cards=BulkFile(tmp_path / "bad.json"), observed_on=DAY)
    assert (counts.inserted, counts.rejected) == (6, 1)
    with db.cursor() as cur:
        cur.execute("SELECT reason FROM card_catalog.card_rejects")
        assert cur.fetchone()[0].startswith("invalid JSON")


async def test_unchanged_lines_are_skipped_before_parsing(tmp_path, ingest_manager, db, monkeypatch):
    cards = sample_cards(12)
    path = write_bulk(tmp_path / "cards.json.gz", cards)
    first = await load_cards(ingest_manager, cards=BulkFile(path).records(), observed_on=DAY)
    assert first.inserted == 12
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM card_catalog.card_versions WHERE source_hash IS NOT NULL")
        assert cur.fetchone()[0] == 12
    import backend.new_services.card_catalog.catalog_load.batches as loader

    parsed = []
    real = loader.normalize_card
    monkeypatch.setattr(loader, "normalize_card", lambda card, *rest: parsed.append(card.id) or real(card, *rest))
    # Same bytes: nothing parsed. A field we do not store changed: parsed, compared, not written.
    cards[0]["related_uris"] = {"edhrec": "https://example.org/changed"}
    write_bulk(path, cards)
    before = _xmins(db)
    again = await load_cards(ingest_manager, cards=BulkFile(path).records(), observed_on=DAY)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 12)
    assert parsed == [cards[0]["id"]]
    assert _xmins(db) == before


async def test_card_with_a_nul_character_is_rejected_alone(tmp_path, ingest_manager, db):
    cards = sample_cards(6)
    cards[1]["flavor_text"] = "bad\u0000text"
    path = write_bulk(tmp_path / "cards.json.gz", cards)
    counts = await load_cards(ingest_manager, cards=BulkFile(path).records(), observed_on=DAY)
    assert (counts.inserted, counts.rejected) == (len(cards) - 1, 1)
    with db.cursor() as cur:
        cur.execute("SELECT scryfall_id, reason FROM card_catalog.card_rejects")
        assert cur.fetchone() == (cards[1]["id"], "card contains a NUL character (\\u0000)")


async def test_card_the_database_refuses_is_isolated_and_rejected(ingest_manager, db):
    cards = sample_cards(9)
    cards[3]["flavor_text"] = "nul\x00inside"     # valid JSON and card, but Postgres text refuses it
    counts = await load_cards(ingest_manager, cards=cards, observed_on=DAY, batch_size=100)
    assert (counts.inserted, counts.rejected, counts.seen) == (len(cards) - 1, 1, len(cards))
    with db.cursor() as cur:
        cur.execute("SELECT scryfall_id, reason FROM card_catalog.card_rejects")
        card_id, reason = cur.fetchone()
        cur.execute("SELECT count(*) FROM card_catalog.card_versions")
        assert cur.fetchone()[0] == len(cards) - 1
    assert card_id == cards[3]["id"]
    assert reason.startswith("database refused the card: CharacterNotInRepertoireError")


async def test_duplicate_ids_across_concurrent_batches_are_loaded_once(ingest_manager, db):
    cards = [modern_card(1), modern_card(2), modern_card(1), modern_card(2), modern_card(3)]
    counts = await load_cards(ingest_manager, cards=cards, observed_on=DAY, batch_size=1, writers=3)
    assert counts.inserted + counts.unchanged == 5 and counts.inserted == 3
    with db.cursor() as cur:
        cur.execute("SELECT count(*) FROM card_catalog.card_versions")
        assert cur.fetchone()[0] == 3
        cur.execute("SELECT count(*) FROM pricing.price_observations WHERE card_version_id = %s", (cards[0]["id"],))
        assert cur.fetchone()[0] == 4


async def test_rows_believed_new_but_already_stored_fall_back_to_the_upsert(ingest_manager, db, monkeypatch):
    """New printings and oracle cards are COPied straight in; when another process wrote one of
    them meanwhile (simulated: the loader is told nothing is stored), the batch goes through the
    set-based upsert instead: nothing fails, nothing is duplicated, nothing unchanged is rewritten."""
    from backend.repositories.card_catalog.catalog_load_repository import CatalogLoadRepository

    cards = sample_cards(10)
    await load_cards(ingest_manager, cards=copy.deepcopy(cards), observed_on=DAY)
    before = _xmins(db)

    async def nothing_stored(self, ids):
        return {}
    monkeypatch.setattr(CatalogLoadRepository, "version_hashes", nothing_stored)
    monkeypatch.setattr(CatalogLoadRepository, "oracle_hashes", nothing_stored)
    counts = await load_cards(ingest_manager, cards=copy.deepcopy(cards), observed_on=DAY)
    assert (counts.inserted, counts.updated, counts.unchanged, counts.rejected) == (0, 0, 10, 0)
    assert counts.oracle_inserted == counts.oracle_updated == 0
    assert _xmins(db) == before


async def test_external_id_map_and_resolver(ingest_manager, db):
    card = modern_card(3)
    await load_cards(ingest_manager, cards=[card], observed_on=DAY)
    with db.cursor() as cur:
        # A link another resolver made (MTGStocks), with a lower priority than Scryfall's own ids.
        cur.execute("""INSERT INTO card_catalog.external_identifiers (source, external_id, card_version_id, priority,
                                                                      resolved_by)
                       VALUES ('mtgstocks', '4242', %s, 50, 'set_number')""", (card["id"],))
        cur.execute("SELECT card_version_id::text, finish, resolved_by FROM card_catalog.resolve_external_id(%s, %s)",
                    ("mtgo", str(card["mtgo_id"])))
        assert cur.fetchall() == [(card["id"], "nonfoil", "scryfall")]
        for source, external_id in (("tcgplayer", card["tcgplayer_id"]), ("arena", card["arena_id"]),
                                    ("cardmarket", card["cardmarket_id"]), ("multiverse", card["multiverse_ids"][0]),
                                    ("scryfall", card["id"]), ("mtgstocks", "4242")):
            cur.execute("SELECT card_version_id::text FROM card_catalog.resolve_external_id(%s, %s)",
                        (source, str(external_id)))
            assert cur.fetchall() == [(card["id"],)], source
        # Malformed or out-of-range ids find nothing instead of raising.
        for source, external_id in (("mtgo", "abc"), ("tcgplayer", "99999999999"), ("scryfall", "nope"),
                                    ("multiverse", "-1"), ("unknown", "1")):
            cur.execute("SELECT count(*) FROM card_catalog.resolve_external_id(%s, %s)", (source, external_id))
            assert cur.fetchone()[0] == 0, (source, external_id)
        cur.execute("""SELECT source, priority FROM card_catalog.external_id_map WHERE card_version_id = %s
                       AND source IN ('mtgstocks', 'tcgplayer') ORDER BY priority""", (card["id"],))
        assert cur.fetchall() == [("tcgplayer", 10), ("mtgstocks", 50)]


def test_batches_start_small_and_double_up_to_the_batch_size():
    from itertools import islice

    from backend.new_services.card_catalog.catalog_load.bulk_load import STARTING_BATCH_SIZE, _batch_sizes
    assert list(islice(_batch_sizes(2500), 6)) == [STARTING_BATCH_SIZE * 2 ** i for i in range(4)] + [2500, 2500]
    assert list(islice(_batch_sizes(7), 3)) == [7, 7, 7]
