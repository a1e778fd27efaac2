"""Celery tasks: thin adapters that call registry keys."""
