"""Repositories of the Scryfall-compatible API (card objects, sets, rulings, catalogs, bulk files)."""
