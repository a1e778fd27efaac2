"""Pricing domain schemas."""
