"""Card catalog domain."""
