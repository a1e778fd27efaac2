"""The TCGplayer listings load on a slice of the real dump (plus two bad rows), checked against
aggregates computed from the file by the reader itself: resolved products' English listings become
daily low and median ('market') prices per printing, finish and condition with their listing count;
bad rows and unresolved products are rejects with a reason; a re-run adds nothing."""
from __future__ import annotations

import csv
import gzip
import io
from collections import Counter

import pytest

from backend.integrations.tcgplayer.listings import Listing, ListingReject, aggregate_listings, iter_listings

SLICE_ROWS = 4000


@pytest.fixture
def listing_slice(shared_data, tmp_path):
    source = shared_data / "tcgplayer-listings-2020" / "main_listing.csv.gz"
    with gzip.open(source, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [row for _, row in zip(range(SLICE_ROWS), reader)]
    bad_condition, no_price = list(rows[0]), list(rows[1])
    bad_condition[header.index("condition")] = "Slightly Crumpled"
    no_price[header.index("price")] = "N/A"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([header, *rows, bad_condition, no_price])
    path = tmp_path / "main_listing.csv.gz"
    path.write_bytes(gzip.compress(out.getvalue().encode()))
    return path


@pytest.fixture
def linked(listing_slice, catalog, db):
    """The five most listed products of the slice linked (as MTGJSON would) to five catalog printings
    that have no TCGplayer id of their own in the way."""
    listings = [r for r in iter_listings(listing_slice) if isinstance(r, Listing) and r.language == "en"]
    top = [product for product, _ in Counter(r.product_id for r in listings).most_common(5)]
    cards = sorted(catalog)[:5]
    with db.cursor() as cur:
        cur.execute("UPDATE card_catalog.card_versions SET tcgplayer_id = NULL, tcgplayer_etched_id = NULL"
                    " WHERE tcgplayer_id = ANY(%s) OR tcgplayer_etched_id = ANY(%s)", (top, top))
        for product, card in zip(top, cards):
            cur.execute("INSERT INTO pricing.mtgjson_links (scryfall_id, set_code, tcgplayer_product_id)"
                        " VALUES (%s, 'x', %s)", (card, product))
    return dict(zip(top, cards))


def _tcgplayer_rows(db):
    with db.cursor() as cur:
        cur.execute("SELECT o.card_version_id::text, o.finish, o.condition, o.price_type, o.observed_on,"
                    " o.price_cents, o.listing_count FROM pricing.price_observations o"
                    " JOIN pricing.price_sources s USING (source_id) WHERE s.code = 'tcgplayer' ORDER BY 1, 2, 3, 4")
        return cur.fetchall()


def _prices_version(db) -> int:
    with db.cursor() as cur:
        cur.execute("SELECT version FROM pricing.latest_prices_version")
        return cur.fetchone()[0]


async def test_slice_loads_as_the_file_says(service_manager, listing_slice, linked, db):
    version_before = _prices_version(db)
    result = await service_manager.execute_service("pricing.listing.load_file", path=str(listing_slice))
    records = list(iter_listings(listing_slice))
    rejects = Counter(r.reason for r in records if isinstance(r, ListingReject))
    listings = [r for r in records if isinstance(r, Listing)]
    english = [r for r in listings if r.language == "en"]
    assert result["status"] == "succeeded"
    assert result["rows"] == SLICE_ROWS + 2 == len(records)
    assert result["rejects"] == dict(rejects) and rejects["unknown_condition"] >= 1 and rejects["missing_price"] >= 1
    assert result["listings_other_language"] == len(listings) - len(english)
    assert result["products"] == len({r.product_id for r in english})
    assert result["products_resolved"] == 5
    assert result["products_unresolved"] == result["products"] - 5

    expected = []
    for group in aggregate_listings(r for r in english if r.product_id in linked):
        card = linked[group.product_id]
        expected += [(card, group.finish, group.condition, "low", group.observed_on, group.low_cents, group.listings),
                     (card, group.finish, group.condition, "market", group.observed_on, group.market_cents,
                      group.listings)]
    assert _tcgplayer_rows(db) == sorted(expected)
    assert result["observations_written"] == len(expected)
    with db.cursor() as cur:
        cur.execute("SELECT reason, count(*), sum(listings) FROM pricing.tcgplayer_listing_rejects GROUP BY reason")
        stored = {reason: (n, total) for reason, n, total in cur.fetchall()}
        assert stored["unknown_condition"][0] == rejects["unknown_condition"]
        assert stored["unresolved_product"][0] == result["products_unresolved"]
        cur.execute("SELECT count(*) FROM pricing.latest_prices l JOIN pricing.price_sources s USING (source_id)"
                    " WHERE s.code = 'tcgplayer'")
        assert cur.fetchone()[0] == len(expected)
    # Current prices changed: caches of them (collection values) can tell from the version.
    version_after = _prices_version(db)
    assert version_after > version_before

    again = await service_manager.execute_service("pricing.listing.load_file", path=str(listing_slice))
    assert again["observations_written"] == 0 and again["latest_changed"] == 0
    assert _tcgplayer_rows(db) == sorted(expected)
    assert _prices_version(db) == version_after     # nothing changed, nothing to recompute


async def test_an_unreadable_file_is_refused_and_leaves_nothing(service_manager, tmp_path, db):
    bad = tmp_path / "main_listing.csv"
    bad.write_text("no,listing,columns\n1,2,3\n")
    from backend.request_handling.errors import BadRequestError

    with pytest.raises(BadRequestError, match="missing columns"):
        await service_manager.execute_service("pricing.listing.load_file", path=str(bad))
    with db.cursor() as cur:
        cur.execute("SELECT status FROM ops.ingestion_runs WHERE pipeline = 'tcgplayer_listings'")
        assert cur.fetchall() == [("failed",)]
        cur.execute("SELECT count(*) FROM pricing.tcgplayer_listing_rejects")
        assert cur.fetchone()[0] == 0
