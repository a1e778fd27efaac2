"""Structured logging: JSON outside dev, readable in dev; request/task ids on every record;
WARNING+ records and pipeline events persisted to ops.log_records by a background writer."""
from __future__ import annotations

import atexit
import contextvars
import logging
import os
import queue
import threading
from typing import Any

import orjson
import psycopg2
import structlog

from backend.core.database import normalise_dsn
from backend.core.settings import Settings
from backend.request_handling.request_context import current_request_id

task_context_var: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("task_context", default=None)
user_context_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("log_user", default=None)

# Attributes of a LogRecord that are not "extra" context.
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_CONTEXT_FIELDS = ("request_id", "task_id", "task_name", "user", "service_type", "status")


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
        for field in _CONTEXT_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                event_dict.setdefault(field, value)
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key not in _CONTEXT_FIELDS and not key.startswith("_"):
                event_dict.setdefault(key, value)
    return event_dict


class DatabaseLogHandler(logging.Handler):
    """Queues records and writes them in batches from one thread over its own psycopg2 connection.

    The queue is bounded: under a log storm records are dropped rather than growing memory.
    Records a failed write would produce are not re-logged to the database (no feedback loop).
    """

    def __init__(self, database_url: str, *, max_queue: int = 10_000):
        super().__init__(level=logging.DEBUG)
        self._dsn = normalise_dsn(database_url)
        self._max_queue = max_queue
        self._start_writer()

    def _start_writer(self) -> None:
        # Threads do not survive fork (Celery prefork children): each process starts its own writer.
        self._pid = os.getpid()
        self._queue: queue.Queue[dict | None] = queue.Queue(maxsize=self._max_queue)
        self._thread = threading.Thread(target=self._run, name="db-log-writer", daemon=True)
        self._thread.start()

    @staticmethod
    def wants(record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or bool(getattr(record, "persist", False))

    def emit(self, record: logging.LogRecord) -> None:
        if not self.wants(record) or record.name.startswith("automana.logwriter"):
            return
        if self._pid != os.getpid():
            self._start_writer()
        try:
            context = {k: v for k, v in vars(record).items()
                       if k not in _STANDARD_ATTRS and k not in _CONTEXT_FIELDS and k != "persist"
                       and not k.startswith("_")}
            if record.exc_info and record.exc_info[0] is not None:
                context["exception"] = record.exc_info[0].__name__
            row = {
                "level": record.levelname,
                "logger": record.name,
                "message": record.getMessage()[:8000],
                "service_type": getattr(record, "service_type", None) or "api",
                "request_id": getattr(record, "request_id", None),
                "task_id": getattr(record, "task_id", None),
                "task_name": getattr(record, "task_name", None),
                "username": getattr(record, "user", None),
                "status": getattr(record, "status", None),
                "context": orjson.dumps(context, default=str).decode(),
            }
            self._queue.put_nowait(row)
        except queue.Full:
            pass
        except Exception:  # a logging handler must never raise into the caller
            self.handleError(record)

    def _run(self) -> None:
        conn = None
        while True:
            row = self._queue.get()
            if row is None:
                self._queue.task_done()
                break
            batch = [row]
            while len(batch) < 500:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.task_done()
                    self._queue.put(None)
                    break
                batch.append(nxt)
            try:
                if conn is None or conn.closed:
                    conn = psycopg2.connect(self._dsn, application_name="automana-logwriter")
                with conn, conn.cursor() as cur:
                    cur.executemany(
                        """INSERT INTO ops.log_records
                           (level, logger, message, service_type, request_id, task_id, task_name,
                            username, status, context)
                           VALUES (%(level)s, %(logger)s, %(message)s, %(service_type)s, %(request_id)s,
                                   %(task_id)s, %(task_name)s, %(username)s, %(status)s, %(context)s::jsonb)""",
                        batch,
                    )
            except psycopg2.Error:
                if conn is not None:
                    conn.close()
                conn = None
            finally:
                for _ in batch:
                    self._queue.task_done()
        if conn is not None:
            conn.close()

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until queued records are written (used by tests and at shutdown)."""
        if not self._thread.is_alive():
            return
        done = threading.Event()

        def waiter() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=waiter, daemon=True).start()
        done.wait(timeout)

    def close(self) -> None:
        if self._thread.is_alive() and self._pid == os.getpid():
            self.flush()
            try:
                self._queue.put_nowait(None)
            except queue.Full:
                pass
        super().close()


_db_handler: DatabaseLogHandler | None = None


def configure_logging(settings: Settings, service_type: str = "api", *, console_level: str | None = None) -> None:
    """Idempotent: safe to call from the API lifespan, the worker and the CLI.

    `console_level` raises the threshold of the console only (the CLI keeps its screen for progress
    bars) while records still reach the database writer.
    """
    global _db_handler
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
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
        if getattr(handler, "_automana", False):
            root.removeHandler(handler)
            if handler is not _db_handler:
                handler.close()
    console = logging.StreamHandler()
    console.setFormatter(formatter)
    console.addFilter(ContextFilter(service_type))
    console._automana = True  # type: ignore[attr-defined]
    if console_level:
        console.setLevel(console_level.upper())
    root.addHandler(console)
    root.setLevel(settings.log_level.upper())
    if settings.log_to_database and settings.database_url:
        if _db_handler is None or _db_handler._dsn != normalise_dsn(settings.database_url):
            if _db_handler is not None:
                _db_handler.close()
            _db_handler = DatabaseLogHandler(settings.database_url)
        _db_handler.filters.clear()
        _db_handler.addFilter(ContextFilter(service_type))
        _db_handler._automana = True  # type: ignore[attr-defined]
        root.addHandler(_db_handler)
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def flush_database_logs(timeout: float = 5.0) -> None:
    if _db_handler is not None:
        _db_handler.flush(timeout)


# Short-lived processes (the CLI) must not exit with records still queued.
atexit.register(flush_database_logs)


def log_pipeline_event(logger: logging.Logger, message: str, *, status: str, **context: Any) -> None:
    """A pipeline run event: stored in ops.log_records whatever its level."""
    logger.info(message, extra={"persist": True, "service_type": "pipeline", "status": status, **context})
