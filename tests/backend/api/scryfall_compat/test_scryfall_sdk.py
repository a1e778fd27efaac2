"""The npm scryfall-sdk, unmodified, against a live AutoMana (its ENDPOINT_API pointed at the test
server). Skips cleanly when node/npm are not installed or the package cannot be installed."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.backend.api.scryfall_compat.conftest import PAGED_COUNT, PAGED_SET
from tests.backend.api.scryfall_compat.test_sets_rulings import GOYF, mtgjson_card, mtgjson_file

CLIENT = Path(__file__).with_name("scryfall_sdk_client.js")
SDK_VERSION = "5"


@pytest.fixture(scope="session")
def scryfall_sdk(tmp_path_factory) -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed")
    folder = tmp_path_factory.mktemp("scryfall-sdk")
    result = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", f"scryfall-sdk@{SDK_VERSION}"],
                            cwd=folder, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        pytest.skip(f"npm could not install scryfall-sdk: {result.stderr[-300:]}")
    shutil.copy(CLIENT, folder / CLIENT.name)
    return folder


async def test_scryfall_sdk_main_calls(scryfall_sdk, live_server, service_manager, paged_catalog, catalog,
                                       settings, tmp_path):
    mtgjson_file(tmp_path, "fut", [mtgjson_card(GOYF, None, "Tarmogoyf")])
    await service_manager.execute_service("scryfall_compat.mtgjson.load", directory=str(tmp_path))
    settings.scryfall_bulk_dir = tmp_path / "bulk"
    await service_manager.execute_service("scryfall_compat.bulk_data.generate", types=["rulings"])
    run = subprocess.run(["node", CLIENT.name, live_server + "/scryfall", PAGED_SET, GOYF], cwd=scryfall_sdk,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert len(out["searchNames"]) == len(set(out["searchNames"])) == PAGED_COUNT
    assert out["named"]["name"] == "Lightning Bolt" and out["named"]["legalInVintage"] is True
    assert out["named"]["uri"].startswith(live_server + "/scryfall/cards/")
    assert out["fuzzy"] == "Tarmogoyf" and "Lightning Bolt" in out["autocomplete"]
    assert out["random"] == "Tarmogoyf"
    assert out["collection"] == ["Black Lotus", "Lightning Bolt"]
    assert out["collectionNotFound"] == [{"name": "Nope"}]
    assert out["bySet"] == "fr" and out["byId"] == "Tarmogoyf" and out["byMultiverse"] == "Lightning Bolt"
    assert out["rulings"] == ["2007-05-01", "2021-03-19"] and out["rulingsBySet"] == 2
    assert "4ed" in out["sets"] and out["setByCode"] >= 2
    assert "{W}" in out["symbols"] and out["mana"]["cost"] == "{2}{W}{W}"
    assert "Lightning Bolt" in out["cardNames"] and "Elf" in out["creatureTypes"]
    assert out["bulkTypes"] == ["rulings"]
    assert out["notFound"] == {"status": 404, "code": "not_found", "object": "error"}
