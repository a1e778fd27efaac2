"""Celery application: workers run registry service keys and the named pipelines."""
