"""Clients (and local fake servers) for the external services AutoMana talks to."""
