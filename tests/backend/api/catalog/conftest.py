"""Catalog API tests use the fixture catalog."""
from tests.fixtures.catalog import catalog, fixture_cards  # noqa: F401
