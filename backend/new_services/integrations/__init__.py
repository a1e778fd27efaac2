"""Integration services: pipelines that bring external data in (Scryfall, MTGStock, ...)."""
