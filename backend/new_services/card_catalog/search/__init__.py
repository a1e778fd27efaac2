"""Scryfall-style query language: parser (text -> syntax tree) and compiler (tree -> SQL)."""
