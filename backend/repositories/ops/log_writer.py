"""The log writer: WARNING+ records and pipeline events stored in ops.log_records, from a thread.

Attached by the composition root (backend/runtime.py) with its sync pool; detached on shutdown.
"""
from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
from typing import Any

import orjson
import psycopg2

from backend.core.database import SyncPool
from backend.core.logging_config import CONTEXT_FIELDS, STANDARD_ATTRS, ContextFilter
from backend.core.settings import Settings
from backend.repositories.base import load_queries


def _clean(value: Any, limit: int) -> Any:
    """Text Postgres can store: NUL characters (which text columns refuse) replaced, length bounded."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")[:limit]
    return value


def _context_json(context: dict[str, Any]) -> str:
    # orjson escapes NUL as \u0000, which jsonb refuses too; a huge context keeps its start only.
    text = orjson.dumps(context, default=str).decode().replace("\\u0000", "\\ufffd")
    if len(text) > _MAX_CONTEXT:
        text = orjson.dumps({"truncated": text[:2000]}).decode()
    return text


class DatabaseLogHandler(logging.Handler):
    """Queues records and writes them in batches from one thread, through the composition root's
    sync pool (backend/runtime.py).

    The queue is bounded: under a log storm records are dropped rather than growing memory. Values
    are made storable before they are queued (no NUL, bounded lengths); a batch the database
    refuses is retried row by row so one bad record never loses the others; while the database is
    unreachable the batch is kept and retried with backoff; a writer thread that died is replaced. Records a failed write produces are not re-logged to the database (no loop).
    """

    def __init__(self, pool: SyncPool, *, max_queue: int = 10_000):
        super().__init__(level=logging.DEBUG)
        self.pool = pool
        self._max_queue = max_queue
        self._start_writer()

    def _start_writer(self) -> None:
        self._pid = os.getpid()
        self._queue: queue.Queue[dict | None] = queue.Queue(maxsize=self._max_queue)
        self._closing = threading.Event()
        self._spawn_thread()

    def _spawn_thread(self) -> None:
        self._thread = threading.Thread(target=self._run, name="db-log-writer", daemon=True)
        self._thread.start()

    @property
    def owned_by_this_process(self) -> bool:
        # Threads and pooled connections do not survive fork (Celery prefork children): a child
        # attaches a handler on its own pool and must leave its parent's alone.
        return self._pid == os.getpid()

    @staticmethod
    def wants(record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or bool(getattr(record, "persist", False))

    def emit(self, record: logging.LogRecord) -> None:
        if not self.wants(record) or record.name.startswith(_WRITER_LOGGER) or not self.owned_by_this_process:
            return
        if not self._thread.is_alive() and not self._closing.is_set():
            # Supervision: whatever killed the writer, its replacement drains the same queue.
            self._spawn_thread()
        try:
            context = {k: v for k, v in vars(record).items()
                       if k not in STANDARD_ATTRS and k not in CONTEXT_FIELDS and k != "persist"
                       and not k.startswith("_")}
            if record.exc_info and record.exc_info[0] is not None:
                context["exception"] = record.exc_info[0].__name__
            row = {
                "level": record.levelname,
                "logger": _clean(record.name, 200),
                "message": _clean(record.getMessage(), 8000),
                "service_type": _clean(getattr(record, "service_type", None) or "api", 50),
                "request_id": _clean(getattr(record, "request_id", None), 200),
                "task_id": _clean(getattr(record, "task_id", None), 200),
                "task_name": _clean(getattr(record, "task_name", None), 200),
                "username": _clean(getattr(record, "user", None), 200),
                "status": _clean(getattr(record, "status", None), 50),
                "context": _context_json(context),
            }
            self._queue.put_nowait(row)
        except queue.Full:
            pass
        except Exception:  # a logging handler must never raise into the caller
            self.handleError(record)

    def _run(self) -> None:
        while True:
            row = self._queue.get()
            if row is None:
                self._queue.task_done()
                return
            batch = [row]
            stop = False
            while len(batch) < 500:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.task_done()
                    stop = True
                    break
                batch.append(nxt)
            try:
                self._store(batch)
            except Exception:  # never let the writer thread die: the next batch tries again
                _writer_logger.exception("could not store %d log records", len(batch))
            finally:
                for _ in batch:
                    self._queue.task_done()
            if stop:
                return

    def _store(self, batch: list[dict]) -> None:
        """Write `batch`, waiting out a database that is down (backing off up to 30 s between tries);
        records queued meanwhile wait in the bounded queue. Only shutdown gives up on them."""
        delay = RETRY_FIRST_DELAY
        while True:
            try:
                self._write(batch)
                return
            except psycopg2.OperationalError:
                if self._closing.is_set():
                    raise
                if delay == RETRY_FIRST_DELAY:
                    _writer_logger.warning("database unreachable; keeping %d log records until it is back",
                                           len(batch))
                self._closing.wait(delay)
                delay = min(delay * 2, RETRY_MAX_DELAY)

    def _write(self, batch: list[dict]) -> None:
        for attempt in (1, 2):
            try:
                with self.pool.transaction() as conn, conn.cursor() as cur:
                    cur.executemany(_INSERT_LOG_RECORD, batch)
                return
            except psycopg2.OperationalError:
                if attempt == 2:   # the database is gone for now: the caller waits and retries
                    raise
                # The pooled connection died (server restart): the pool discards it; a fresh one.
            except psycopg2.Error:
                break
        for row in batch:   # the database refused the batch: keep every row it accepts
            try:
                with self.pool.transaction() as conn, conn.cursor() as cur:
                    cur.execute(_INSERT_LOG_RECORD, row)
            except psycopg2.Error as exc:
                _writer_logger.warning("log record refused by the database: %s", type(exc).__name__)

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
        if self._thread.is_alive() and self.owned_by_this_process:
            self.flush()
            self._closing.set()   # a writer still waiting for the database gives up now
            try:
                self._queue.put_nowait(None)
            except queue.Full:
                pass
            self._thread.join(timeout=5)
        super().close()


_MAX_CONTEXT = 100_000
RETRY_FIRST_DELAY = 0.5
RETRY_MAX_DELAY = 30.0
_WRITER_LOGGER = "automana.logwriter"
_writer_logger = logging.getLogger(_WRITER_LOGGER)
_INSERT_LOG_RECORD = load_queries(__file__, "log_queries.sql").insert_log_record
_db_handler: DatabaseLogHandler | None = None


def attach_database_logging(settings: Settings, pool: SyncPool, service_type: str) -> None:
    """Store WARNING+ records and pipeline events in ops.log_records through `pool` (a no-op when
    LOG_TO_DATABASE is off). Replaces the handler attached before, if any."""
    global _db_handler
    if not settings.log_to_database:
        return
    detach_database_logging()
    handler = DatabaseLogHandler(pool)
    handler.addFilter(ContextFilter(service_type))
    logging.getLogger().addHandler(handler)
    _db_handler = handler


def detach_database_logging() -> None:
    """Flush and remove the database handler (its pool stays open: the caller owns it)."""
    global _db_handler
    handler, _db_handler = _db_handler, None
    if handler is None:
        return
    logging.getLogger().removeHandler(handler)
    if handler.owned_by_this_process:
        handler.close()


def flush_database_logs(timeout: float = 5.0) -> None:
    if _db_handler is not None and _db_handler.owned_by_this_process:
        _db_handler.flush(timeout)


# Short-lived processes (the CLI) must not exit with records still queued.
atexit.register(flush_database_logs)
