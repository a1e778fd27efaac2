"""Repositories: all SQL lives here, one folder per domain."""
