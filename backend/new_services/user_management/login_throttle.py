"""Login throttling in Redis: failures counted per (account, client IP) and per client IP.

Counting an account per IP means an attacker can only lock the account for *their* addresses;
the owner signing in from elsewhere is unaffected. Windows are fixed (they start at the first
failure and are not extended by refused attempts), so any block ends by itself.
"""
from __future__ import annotations

import hashlib
import ipaddress

from redis.exceptions import RedisError

from backend.core.settings import Settings
from backend.request_handling.errors import RateLimitedError, ServiceUnavailableError

KEY_PREFIX = "automana:login:fail"


def ip_bucket(ip: str) -> str:
    """IPv6 clients usually own a whole /64: count it as one address, or rotating costs nothing."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class LoginThrottle:
    def __init__(self, redis, settings: Settings):
        if redis is None:
            # Fail closed: without counters, login would be open to unlimited guessing.
            raise ServiceUnavailableError("login is unavailable: the rate limiter (Redis) is not configured")
        self.redis = redis
        self.window = settings.login_failure_window_seconds
        self.max_per_account = settings.login_max_failures_per_account
        self.max_per_ip = settings.login_max_failures_per_ip

    @staticmethod
    def _account_key(account: str, ip: str) -> str:
        digest = hashlib.sha256(f"{account.strip().lower()}|{ip}".encode()).hexdigest()[:32]
        return f"{KEY_PREFIX}:acct:{digest}"

    @staticmethod
    def _ip_key(ip: str) -> str:
        return f"{KEY_PREFIX}:ip:{ip_bucket(ip)}"

    async def check(self, account: str, ip: str) -> None:
        """Raise 429 (with Retry-After) when this account-from-this-IP or this IP is over its limit."""
        account_key, ip_key = self._account_key(account, ip), self._ip_key(ip)
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.get(account_key).ttl(account_key).get(ip_key).ttl(ip_key)
                account_count, account_ttl, ip_count, ip_ttl = await pipe.execute()
        except RedisError:
            raise ServiceUnavailableError("login is unavailable: the rate limiter cannot be reached") from None
        if account_count is not None and int(account_count) >= self.max_per_account:
            raise RateLimitedError("too many failed logins for this account; try again later",
                                   retry_after=account_ttl if account_ttl > 0 else self.window)
        if ip_count is not None and int(ip_count) >= self.max_per_ip:
            raise RateLimitedError("too many failed logins from this address; try again later",
                                   retry_after=ip_ttl if ip_ttl > 0 else self.window)

    async def record_failure(self, account: str, ip: str) -> None:
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                for key in (self._account_key(account, ip), self._ip_key(ip)):
                    pipe.set(key, 0, ex=self.window, nx=True).incr(key)
                await pipe.execute()
        except RedisError:
            raise ServiceUnavailableError("login is unavailable: the rate limiter cannot be reached") from None

    async def record_success(self, account: str, ip: str) -> None:
        await self.redis.delete(self._account_key(account, ip))
