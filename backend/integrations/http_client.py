"""One polite HTTP client for every integration: identified requests, a request-rate limit, and
retries with exponential backoff and jitter on 429/5xx and transport errors, honouring Retry-After.

Time is injected (a `Clock`), so tests neither wait nor read the wall clock.
"""
from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

logger = logging.getLogger(__name__)

# 429 asks us to slow down; 5xx from a busy or restarting server usually pass. Other 4xx will not.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Clock:
    """Where the client reads time and how it waits: monotonic time for spacing requests, wall time
    for Retry-After HTTP dates, and an async sleep. Tests pass a fake that only moves on demand."""

    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    wall: Callable[[], float] = time.time


SYSTEM_CLOCK = Clock()


@dataclass(frozen=True, kw_only=True)
class HttpPolicy:
    """How one integration talks to its server: who we are, how fast, how patiently."""

    base_url: str
    user_agent: str
    timeout_seconds: float = 30.0
    max_retries: int = 3              # retries after the first attempt
    backoff_base_seconds: float = 0.5
    backoff_max_seconds: float = 60.0  # also caps a Retry-After hint, so one answer cannot stall a task
    requests_per_second: float = 1.0  # request starts per second; 0 means unlimited
    headers: Mapping[str, str] = field(default_factory=dict)   # sent on every request, after the defaults
    follow_redirects: bool = True
    name: str = "http"                 # names the integration in log lines

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.requests_per_second < 0:
            raise ValueError("requests_per_second must be >= 0")
        if self.timeout_seconds <= 0 or self.backoff_base_seconds < 0 or self.backoff_max_seconds < 0:
            raise ValueError("timeout must be > 0 and backoff times >= 0")

    @classmethod
    def from_settings(cls, settings: Any, *, name: str, headers: Mapping[str, str] | None = None) -> HttpPolicy:
        """A policy from any settings object with the usual attribute names (base_url, user_agent,
        timeout_seconds, max_retries, backoff_base_seconds, backoff_max_seconds, requests_per_second)."""
        return cls(
            base_url=settings.base_url, user_agent=settings.user_agent,
            timeout_seconds=settings.timeout_seconds, max_retries=settings.max_retries,
            backoff_base_seconds=settings.backoff_base_seconds, backoff_max_seconds=settings.backoff_max_seconds,
            requests_per_second=settings.requests_per_second, headers=dict(headers or {}), name=name,
        )


class RetriesExhausted(RuntimeError):
    """Every attempt failed with a retryable status or a transport error. Integrations translate it
    into their own error type."""

    def __init__(self, message: str, *, status: int | None, attempts: int, last_error: str):
        super().__init__(message)
        self.status = status          # status of the last answer; None if the last attempt got no answer
        self.attempts = attempts
        self.last_error = last_error


def retry_after_seconds(value: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date (measured against `now`).
    None when absent or unreadable; a date in the past gives 0."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


class RateLimiter:
    """At most `rate` request starts per second, spaced evenly (no bursts), shared by concurrent callers.
    The limit is per limiter, i.e. per client instance."""

    def __init__(self, rate: float, *, clock: Clock = SYSTEM_CLOCK):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._clock = clock
        self._next = -math.inf
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        # The lock makes concurrent callers queue, so each one books its own slot.
        async with self._lock:
            now = self._clock.monotonic()
            if self._next > now:
                await self._clock.sleep(self._next - now)
                now = self._next
            self._next = now + self.interval


class PoliteHttpClient:
    """An `httpx.AsyncClient` that identifies itself, keeps to a request rate, and retries what is
    worth retrying. Non-retryable answers (2xx, 3xx, most 4xx) are returned to the caller as they are."""

    def __init__(self, policy: HttpPolicy, *, transport: httpx.AsyncBaseTransport | None = None,
                 clock: Clock | None = None, jitter: Callable[[], float] = random.random):
        self.policy = policy
        self.base_url = policy.base_url.rstrip("/")
        self.clock = clock or SYSTEM_CLOCK
        self._jitter = jitter
        self._limiter = RateLimiter(policy.requests_per_second, clock=self.clock)
        self._http = httpx.AsyncClient(
            headers={"User-Agent": policy.user_agent, "Accept": "application/json", **policy.headers},
            timeout=httpx.Timeout(policy.timeout_seconds),
            transport=transport,
            follow_redirects=policy.follow_redirects,
        )

    async def __aenter__(self) -> PoliteHttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def url(self, path_or_url: str) -> str:
        """An absolute URL is used as is (paging links, download URIs); a path is joined to base_url."""
        return path_or_url if path_or_url.startswith(("http://", "https://")) else f"{self.base_url}{path_or_url}"

    def build_request(self, method: str, path_or_url: str, **kwargs: Any) -> httpx.Request:
        """A request carrying the client's headers; bodies must be bytes so a retry can send them again."""
        return self._http.build_request(method, self.url(path_or_url), **kwargs)

    async def get(self, path_or_url: str, *, params: Mapping[str, Any] | None = None,
                  headers: Mapping[str, str] | None = None) -> httpx.Response:
        return await self.send(self.build_request("GET", path_or_url, params=params, headers=headers))

    def retry_delay(self, attempt: int, response: httpx.Response | None = None) -> float:
        """Seconds to wait before retry number `attempt + 1`: the server's Retry-After if it gave one,
        else exponential backoff with jitter (half to full of base * 2**attempt); both capped."""
        cap = self.policy.backoff_max_seconds
        hinted = None
        if response is not None:
            hinted = retry_after_seconds(response.headers.get("retry-after"), now=self.clock.wall)
        if hinted is not None:
            return min(hinted, cap)
        delay = self.policy.backoff_base_seconds * (2 ** attempt)
        # Jitter spreads out clients that failed together, so they do not come back together.
        return min(delay * (0.5 + self._jitter() / 2), cap)

    async def sleep(self, seconds: float) -> None:
        await self.clock.sleep(seconds)

    async def send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        """Send within the rate limit, retrying 429/5xx and transport errors; returns the first answer
        with a non-retryable status, or raises RetriesExhausted."""
        attempts = self.policy.max_retries + 1
        last_error = ""
        response: httpx.Response | None = None
        for attempt in range(attempts):
            await self._limiter.wait()
            response = None
            try:
                response = await self._http.send(request, stream=stream)
            except httpx.TransportError as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                last_error = f"HTTP {response.status_code}"
                await response.aclose()
            if attempt + 1 == attempts:
                break
            delay = self.retry_delay(attempt, response)
            logger.info("%s %s %s: %s, retrying in %.2fs", self.policy.name, request.method, request.url,
                        last_error, delay)
            await self.clock.sleep(delay)
        raise RetriesExhausted(f"{request.method} {request.url} failed after {attempts} attempts: {last_error}",
                               status=response.status_code if response is not None else None,
                               attempts=attempts, last_error=last_error)
