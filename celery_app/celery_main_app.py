"""The Celery app. Tasks are thin adapters over registry keys (see celery_app/tasks/)."""
from __future__ import annotations

from celery import Celery, signals

from backend.core.logging_config import configure_logging, task_context_var
from backend.core.settings import get_settings
from celery_app.celeryconfig import build_config

TASK_MODULES = ["celery_app.tasks.registry_tasks", "celery_app.tasks.ops_tasks",
                "celery_app.tasks.user_tasks", "celery_app.tasks.scryfall_tasks", "celery_app.tasks.catalog_tasks",
                "celery_app.tasks.mtg_stock_tasks", "celery_app.tasks.price_tasks",
                "celery_app.tasks.collection_tasks", "celery_app.tasks.scryfall_compat_tasks"]


def create_celery_app() -> Celery:
    app = Celery("automana")
    app.conf.update(build_config(get_settings()))
    app.conf.include = list(TASK_MODULES)
    return app


celery_app = create_celery_app()


@signals.worker_process_init.connect
def _init_worker_process(**_: object) -> None:
    # Each prefork child builds its own composition root (sockets must not be shared across fork).
    from celery_app.worker_runtime import get_runtime

    configure_logging(get_settings(), "worker")
    get_runtime().start()


@signals.worker_process_shutdown.connect
def _close_worker_process(**_: object) -> None:
    from celery_app.worker_runtime import shutdown_runtime

    shutdown_runtime()


@signals.setup_logging.connect
def _setup_logging(**_: object) -> None:
    configure_logging(get_settings(), "worker")


@signals.worker_init.connect
def _store_parent_logs(**_: object) -> None:
    # The parent process (which reports lost and timed-out children) stores its warnings too, on
    # a sync pool of its own; children replace the handler with one on their own pool.
    from backend.repositories.ops.log_writer import attach_database_logging
    from backend.runtime import open_sync_pool

    settings = get_settings()
    if settings.database_url:
        attach_database_logging(settings, open_sync_pool(settings), "worker")


@signals.task_prerun.connect
def _bind_task_context(task_id=None, task=None, **_: object) -> None:
    task_context_var.set({"task_id": task_id, "task_name": getattr(task, "name", None)})


@signals.task_postrun.connect
def _clear_task_context(**_: object) -> None:
    task_context_var.set(None)
