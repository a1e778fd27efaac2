"""Password hashing (Argon2id through argon2-cffi: the only hashing code path) and password policy."""
from __future__ import annotations

import asyncio
import functools
import unicodedata

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from backend.core.settings import Settings
from backend.request_handling.errors import UnprocessableError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128

# The 30,000 most common leaked passwords shipped with zxcvbn; shorter ones fail the length rule anyway.
COMMON_PASSWORDS = frozenset(p for p in FREQUENCY_LISTS["passwords"] if len(p) >= MIN_PASSWORD_LENGTH)


@functools.lru_cache(maxsize=8)
def _argon2(time_cost: int, memory_cost: int, parallelism: int) -> tuple[PasswordHasher, str]:
    """The hasher for these parameters and a dummy hash made with it.

    The dummy is made here, on first use of the parameters by *any* login, so the first unknown-user
    login does not cost one hash more than the first known-user login.
    """
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism,
                            hash_len=32, salt_len=16, type=Type.ID)
    return hasher, hasher.hash("no account has this password: it only spends the time a real check would")


def hasher_for(settings: Settings) -> PasswordHasher:
    return _argon2(settings.argon2_time_cost, settings.argon2_memory_cost_kib, settings.argon2_parallelism)[0]


def _dummy_hash(settings: Settings) -> str:
    return _argon2(settings.argon2_time_cost, settings.argon2_memory_cost_kib, settings.argon2_parallelism)[1]


def normalize_password(password: str) -> str:
    """NFKC: the same password typed on another keyboard or OS (composed vs decomposed accents,
    full-width digits) is the same password (NIST SP 800-63B recommends normalising)."""
    return unicodedata.normalize("NFKC", password)


async def hash_password(settings: Settings, password: str) -> str:
    # Argon2 is deliberately slow and CPU-bound: run it off the event loop.
    normalized = normalize_password(password)
    return await asyncio.to_thread(lambda: hasher_for(settings).hash(normalized))


def _verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def check_password(settings: Settings, password_hash: str | None, password: str) -> tuple[bool, bool]:
    """(matches, stored unnormalised): the hash is checked against the NFKC form, and, for hashes made
    before passwords were normalised, against the password as typed (then it should be re-hashed).
    With no hash (unknown user) a dummy is checked, so both cases cost the same."""
    hasher = await asyncio.to_thread(hasher_for, settings)  # the first call per parameters hashes the dummy
    normalized = normalize_password(password)
    if password_hash is None:
        await asyncio.to_thread(_verify, hasher, _dummy_hash(settings), normalized)
        return False, False
    if await asyncio.to_thread(_verify, hasher, password_hash, normalized):
        return True, False
    if normalized != password and await asyncio.to_thread(_verify, hasher, password_hash, password):
        return True, True
    return False, False


async def verify_password(settings: Settings, password_hash: str | None, password: str) -> bool:
    return (await check_password(settings, password_hash, password))[0]


def needs_rehash(settings: Settings, password_hash: str) -> bool:
    try:
        return hasher_for(settings).check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def check_password_policy(password: str, *, username: str | None = None, email: str | None = None) -> None:
    """Length 8-128, not one repeated character or only spaces, not a common password, not the
    account's own name (all on the NFKC form). Raises 422 saying which rule."""
    password = normalize_password(password)
    problem = None
    if len(password) < MIN_PASSWORD_LENGTH:
        problem = f"must be at least {MIN_PASSWORD_LENGTH} characters"
    elif len(password) > MAX_PASSWORD_LENGTH:
        problem = f"must be at most {MAX_PASSWORD_LENGTH} characters"
    elif not password.strip():
        problem = "must not be only spaces"
    elif len(set(password)) == 1:
        problem = "must not be one character repeated"
    elif password.lower() in COMMON_PASSWORDS:
        problem = "is too common (it appears in lists of leaked passwords)"
    else:
        lowered = password.lower()
        own_names = {n.lower() for n in (username, email, (email or "").split("@")[0]) if n}
        if lowered in own_names:
            problem = "must not be your username or email address"
    if problem:
        raise UnprocessableError(f"password {problem}", details={"field": "password", "rule": problem},
                                 code="weak_password")
