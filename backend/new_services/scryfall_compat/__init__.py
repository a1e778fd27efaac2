"""The Scryfall-compatible API: Scryfall's objects over our own catalog."""
