"""Accounts, authentication, sessions and roles."""
