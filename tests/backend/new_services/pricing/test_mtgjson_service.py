"""MTGJSON identifier links from real per-set files: every printing's ids stored once, a re-load
changes nothing, and the links count the printings the catalog has."""
from __future__ import annotations

import shutil

from backend.integrations.mtgjson.reader import MtgjsonCardIds, read_set_directory

SETS = ("LEA.json.gz", "4ED.json.gz")


async def test_links_load_once_and_reload_unchanged(service_manager, shared_data, tmp_path, catalog, db):
    for name in SETS:
        shutil.copy(shared_data / "mtgjson" / "sets-2022-04" / name, tmp_path / name)
    printings = [r for r in read_set_directory(tmp_path) if isinstance(r, MtgjsonCardIds)]
    first = await service_manager.execute_service("pricing.mtgjson.load_links", directory=str(tmp_path))
    assert first["files"] == 2 and first["inserted"] == len({p.scryfall_id for p in printings}) == first["links"]
    assert first["links_with_tcgplayer"] == len({p.scryfall_id for p in printings if p.tcgplayer_product_id})
    # Black Lotus (LEA) and Lightning Bolt / Grizzly Bears (4ED) are in the test catalog.
    in_catalog = {str(p.scryfall_id) for p in printings} & set(catalog)
    assert first["links_in_catalog"] == len(in_catalog) >= 3
    again = await service_manager.execute_service("pricing.mtgjson.load_links", directory=str(tmp_path))
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, first["links"])
    with db.cursor() as cur:
        cur.execute("SELECT tcgplayer_product_id FROM pricing.mtgjson_links WHERE scryfall_id = %s",
                    (next(i for i, c in catalog.items() if c["name"] == "Black Lotus"),))
        assert cur.fetchone()[0] is not None
