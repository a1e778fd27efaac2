"""Test configuration: real Postgres and Redis (the machine's when TEST_* URLs are set, else embedded)."""
pytest_plugins = [
    "tests.fixtures.services",
    "tests.fixtures.app",
    "tests.fixtures.users",
    "tests.fixtures.scryfall",
    "tests.fixtures.celery",
    "tests.fixtures.catalog",
    "tests.fixtures.clock",
    "tests.fixtures.mtg_stock",
    "tests.fixtures.faults",
    "tests.fixtures.collection",
]
