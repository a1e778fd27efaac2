"""Structured logging: JSON outside dev, readable in dev; request/task ids on every record.

WARNING+ records and pipeline events are also stored in ops.log_records by the writer in
backend/repositories/ops/log_writer.py, which the composition root attaches."""
from __future__ import annotations

import contextvars
import logging
from typing import Any

import structlog

from backend.core.settings import Settings
from backend.request_handling.request_context import current_request_id

task_context_var: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("task_context", default=None)
user_context_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("log_user", default=None)

# Attributes of a LogRecord that are not "extra" context.
# (uvicorn adds `color_message`, the same text with terminal escape codes: never worth keeping.)
STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "color_message"}
CONTEXT_FIELDS = ("request_id", "task_id", "task_name", "user", "service_type", "status")


class ContextFilter(logging.Filter):
    """Copies the request id, task id/name and user from context variables onto each record."""

    def __init__(self, service_type: str):
        super().__init__()
        self.service_type = service_type

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        task = task_context_var.get()
        if task:
            record.task_id = getattr(record, "task_id", None) or task.get("task_id")
            record.task_name = getattr(record, "task_name", None) or task.get("task_name")
        if getattr(record, "user", None) is None:
            record.user = user_context_var.get()
        if getattr(record, "service_type", None) is None:
            record.service_type = self.service_type
        return True


def _add_record_context(logger: Any, method: str, event_dict: dict) -> dict:
    record: logging.LogRecord | None = event_dict.get("_record")
    if record is not None:
        for field in CONTEXT_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                event_dict.setdefault(field, value)
        for key, value in vars(record).items():
            if key not in STANDARD_ATTRS and key not in CONTEXT_FIELDS and not key.startswith("_"):
                event_dict.setdefault(key, value)
    return event_dict


def _shared_processors() -> list:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def configure_logging(settings: Settings, service_type: str = "api", *, console_level: str | None = None) -> None:
    """Console logging (idempotent: safe to call from the API, the worker and the CLI).

    `console_level` raises the threshold of the console only (the CLI keeps its screen for progress
    bars) while records still reach the database writer, which `attach_database_logging` adds.
    """
    shared = _shared_processors()
    renderer = structlog.processors.JSONRenderer() if settings.log_json else structlog.dev.ConsoleRenderer(colors=False)
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            _add_record_context,
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_automana_console", False):
            root.removeHandler(handler)
            handler.close()
    console = logging.StreamHandler()
    console.setFormatter(formatter)
    console.addFilter(ContextFilter(service_type))
    console._automana_console = True  # type: ignore[attr-defined]
    if console_level:
        console.setLevel(console_level.upper())
    root.addHandler(console)
    root.setLevel(settings.log_level.upper())
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def log_pipeline_event(logger: logging.Logger, message: str, *, status: str, **context: Any) -> None:
    """A pipeline run event: stored in ops.log_records whatever its level."""
    logger.info(message, extra={"persist": True, "service_type": "pipeline", "status": status, **context})
