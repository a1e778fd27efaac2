"""Scryfall: HTTP client, configuration and a local fake server speaking the same wire format."""
