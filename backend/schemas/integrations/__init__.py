"""Schemas of ingestion runs (ops.ingestion_runs / steps / resources)."""
