"""Pricing: price history for cards, and its presentation (SVG charts)."""
