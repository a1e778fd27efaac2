"""MTGJSON: a streaming reader of per-set files that links Scryfall ids to marketplace ids."""
