"""Request and response models of the Scryfall-compatible API."""
