"""The `automana` command line."""
