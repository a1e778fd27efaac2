"""Data access for accounts, roles and sessions (user_management schema)."""
