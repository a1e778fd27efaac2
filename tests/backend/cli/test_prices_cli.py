"""`automana ingest tcgplayer-listings | mtg-stock`: real CLI processes (no network)."""
from __future__ import annotations

from tests.backend.cli.test_ingest_cli import _cli

HEADER = ("id,product_name,product_line,set_name,quantity,condition,sponsored,user_listing,product_id_id,"
          "seller_key_id,last_updated,price\n")


def test_tcgplayer_listings_file_loads_with_a_summary(database_url, db, tmp_path):
    dump = tmp_path / "main_listing.csv"
    dump.write_text(HEADER
                    + "1,Card,Magic The Gathering,Set,-1,Near Mint,0,0,86,1,2020-07-27T12:00:00,0.25\n"
                    + "2,Card,Magic The Gathering,Set,-1,Slightly Crumpled,0,0,86,2,2020-07-27T12:00:00,0.30\n"
                    + "3,Card,Magic The Gathering,Set,-1,Near Mint,0,0,86,3,2020-07-27T12:00:00,N/A\n")
    done = _cli("ingest", "tcgplayer-listings", "--file", str(dump), database_url=database_url)
    assert done.returncode == 0, done.stderr
    assert "succeeded" in done.stderr and "unknown_condition 1" in done.stderr and "missing_price 1" in done.stderr
    with db.cursor() as cur:
        cur.execute("SELECT pipeline, status, triggered_by FROM ops.ingestion_runs")
        assert cur.fetchall() == [("tcgplayer_listings", "succeeded", "cli")]
        cur.execute("SELECT reason FROM pricing.tcgplayer_listing_rejects ORDER BY reason")
        assert [r[0] for r in cur.fetchall()] == ["missing_price", "unknown_condition", "unresolved_product"]


def test_bad_arguments_exit_2(database_url, tmp_path):
    missing = _cli("ingest", "tcgplayer-listings", "--file", str(tmp_path / "none.csv"), database_url=database_url)
    assert missing.returncode == 2
    both = _cli("ingest", "mtg-stock", "--range", "1-5", "--ids", "3", database_url=database_url)
    assert both.returncode == 2 and "exactly one" in both.stderr
    backwards = _cli("ingest", "mtg-stock", "--range", "9-5", database_url=database_url)
    assert backwards.returncode == 2
