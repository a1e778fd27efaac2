"""The search gate: what a search costs a client, and how many searches run at once.

A search is the catalog's costly read: it may scan much of the catalog and holds a pooled
connection while it runs, so a few clients repeating costly queries could otherwise take every
connection and starve cheap reads (card by id). The gate answers them quickly instead:

- a rate limit per client address (sliding-window counters in Redis, `SEARCH_RATE_LIMIT`):
  429 `rate_limited` with Retry-After. Without Redis it fails open (warning at most once a
  minute): availability of the catalog matters more, and the slots below still bound the cost;
- at most `SEARCH_MAX_CONCURRENT` searches at once in this process; a search waits at most
  `SEARCH_QUEUE_SECONDS` for a slot, then 503 `search_busy` with Retry-After.

The statement timeout of a search is set by the search itself (backend/repositories/kit.py).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import AsyncIterator

import redis.asyncio as aioredis
from limits.aio.storage import RedisStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from backend.core.settings import Settings
from backend.request_handling.errors import RateLimitedError, ServiceUnavailableError

logger = logging.getLogger("automana.search_gate")

KEY_PREFIX = "automana:search"
# A search does not wait for a slow Redis: one attempt, short timeouts, then it fails open.
REDIS_TIMEOUT_SECONDS = 0.5
WARNING_INTERVAL_SECONDS = 60.0
BUSY_RETRY_AFTER_SECONDS = 1


class SearchBusyError(ServiceUnavailableError):
    """Every search slot stayed taken for the whole queue time: load shed on purpose."""

    code = "search_busy"
    shed = True


class SearchGate:
    def __init__(self, settings: Settings):
        search = settings.search
        self.rate_limits = search.rate_limits
        self.max_concurrent = search.max_concurrent
        self.queue_seconds = search.queue_seconds
        self._slots = asyncio.Semaphore(search.max_concurrent)
        self._running = 0
        self._waiting = 0
        self._last_warning: float | None = None
        self._busy_since_warning = 0
        self._last_busy_warning: float | None = None
        self._pool: aioredis.ConnectionPool | None = None
        self._limiter: SlidingWindowCounterRateLimiter | None = None
        if self.rate_limits:
            if settings.redis_url:
                self._pool = aioredis.ConnectionPool.from_url(
                    settings.redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS,
                    socket_connect_timeout=REDIS_TIMEOUT_SECONDS, retry=Retry(NoBackoff(), 0))
                storage = RedisStorage("async+redis://", implementation="redispy", key_prefix=KEY_PREFIX,
                                       wrap_exceptions=True, connection_pool=self._pool)
                self._limiter = SlidingWindowCounterRateLimiter(storage)
            else:
                logger.warning("SEARCH_RATE_LIMIT is set but no Redis is configured: searches are not "
                               "rate limited (the concurrency limit still applies)")

    @property
    def running(self) -> int:
        """Searches holding a slot now."""
        return self._running

    @property
    def waiting(self) -> int:
        """Searches waiting for a slot now."""
        return self._waiting

    async def check_rate(self, client: str) -> None:
        """Count one search for `client` (an address bucket); 429 when it is over any of its limits."""
        if self._limiter is None:
            return
        try:
            for item in self.rate_limits:
                if not await self._limiter.hit(item, client):
                    stats = await self._limiter.get_window_stats(item, client)
                    raise RateLimitedError(
                        f"too many searches from this address (at most {item}); try again later",
                        retry_after=math.ceil(stats.reset_time - time.time()),
                        details={"limit": str(item)})
        except StorageError as exc:
            self._warn_failing_open(exc)

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the search slots for the block; 503 search_busy when none frees in time."""
        self._waiting += 1
        try:
            async with asyncio.timeout(self.queue_seconds):
                await self._slots.acquire()
        except TimeoutError:
            self._note_busy()
            raise SearchBusyError(
                "too many searches are running; try again in a moment",
                retry_after=BUSY_RETRY_AFTER_SECONDS, details={"max_concurrent": self.max_concurrent}) from None
        finally:
            self._waiting -= 1
        self._running += 1
        try:
            yield
        finally:
            self._running -= 1
            self._slots.release()

    def _warn_failing_open(self, exc: StorageError) -> None:
        now = time.monotonic()
        if self._last_warning is None or now - self._last_warning >= WARNING_INTERVAL_SECONDS:
            self._last_warning = now
            logger.warning("search rate limiter unavailable (%s): searches are let through unlimited",
                           type(exc.storage_error).__name__)

    def _note_busy(self) -> None:
        """One warning a minute at most, counting the searches answered search_busy since the last."""
        self._busy_since_warning += 1
        now = time.monotonic()
        if self._last_busy_warning is None or now - self._last_busy_warning >= WARNING_INTERVAL_SECONDS:
            logger.warning("all %d search slots stayed busy for %g s: %d search(es) answered 503 search_busy "
                           "since the last warning", self.max_concurrent, self.queue_seconds,
                           self._busy_since_warning)
            self._last_busy_warning, self._busy_since_warning = now, 0

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.disconnect()
