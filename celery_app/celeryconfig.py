"""Celery settings, all from backend.core.settings; every beat entry is built here and only here."""
from __future__ import annotations

from celery.schedules import crontab

from backend.core.settings import Settings


def build_config(settings: Settings) -> dict:
    broker = settings.celery_broker_url or "redis://127.0.0.1:6379/0"
    return {
        "broker_url": broker,
        "result_backend": settings.celery_result_backend or broker,
        # JSON only: no pickle from the broker.
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "timezone": "UTC",
        "enable_utc": True,
        # A task is acknowledged after it finishes, and re-queued if its worker dies mid-way;
        # every task is therefore written to be safe to run twice.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        # Redelivery happens only after the visibility timeout: keep it above the longest task.
        "broker_transport_options": {"visibility_timeout": settings.celery_visibility_timeout_seconds},
        "result_backend_transport_options": {"visibility_timeout": settings.celery_visibility_timeout_seconds},
        "task_soft_time_limit": settings.celery_task_soft_time_limit_seconds,
        "task_time_limit": settings.celery_task_time_limit_seconds,
        "result_expires": 7 * 24 * 3600,
        "task_track_started": True,
        "worker_hijack_root_logger": False,
        "worker_max_tasks_per_child": 200,
        "broker_connection_retry_on_startup": True,
        "beat_schedule": beat_schedule(settings),
    }


def beat_schedule(settings: Settings) -> dict:
    """Periodic work. Each entry expires, so a backlog queued while workers were down is dropped."""
    scryfall = settings.scryfall
    schedule = {
        "ops-prune-log-records": {
            "task": "automana.ops.prune_log_records",
            "schedule": crontab(minute=17, hour=3),
            "options": {"expires": 6 * 3600},
        },
        "pricing-ensure-partitions": {
            "task": "automana.pricing.ensure_partitions",
            "schedule": crontab(minute=7, hour=2),
            "options": {"expires": 12 * 3600},
        },
        "user-management-prune-sessions": {
            "task": "automana.user_management.prune_sessions",
            "schedule": crontab(minute=43, hour=3),
            "options": {"expires": 6 * 3600},
        },
        # The /scryfall bulk files, from the catalog as it stands after the night's loads.
        "scryfall-compat-bulk-data": {
            "task": "automana.scryfall_compat.generate_bulk_data",
            "schedule": crontab(minute=30, hour=5),
            "options": {"expires": 6 * 3600},
        },
    }
    # Cached collection values and value histories follow entry changes and new prices (cheap when nothing changed).
    schedule["collection-refresh-values"] = {
        "task": "automana.collection.refresh_values",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 9 * 60},
    }
    if scryfall.schedule_enabled:
        # Scryfall refreshes its bulk files about every 12 hours; one load a day is plenty.
        schedule["scryfall-daily-ingest"] = {
            "task": "automana.scryfall.scheduled_run",
            "schedule": crontab(minute=scryfall.schedule_minute, hour=scryfall.schedule_hour),
            "kwargs": {"bulk_type": scryfall.bulk_type},
            "options": {"expires": scryfall.schedule_expires_seconds},
        }
    mtg_stock = settings.mtg_stock
    if mtg_stock.schedule_enabled:
        # MTGStocks stamps a day's prices at 00:00 UTC; one pass over the id range a day.
        schedule["mtg-stock-daily-load"] = {
            "task": "automana.mtg_stock.scheduled_load",
            "schedule": crontab(minute=mtg_stock.schedule_minute, hour=mtg_stock.schedule_hour),
            "kwargs": {"range_start": mtg_stock.schedule_range_start, "range_end": mtg_stock.schedule_range_end},
            "options": {"expires": mtg_stock.schedule_expires_seconds},
        }
    return schedule
