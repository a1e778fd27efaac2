"""System repositories: what the health checks read."""
