"""User collection domain."""
