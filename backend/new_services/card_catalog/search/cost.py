"""What a search may cost, as its services apply it: the statement time limit a compiled query runs
under, and what Postgres says of a search turned into the caller's answer. Shared by every service
that runs compiled queries (the catalog's and the Scryfall-compatible API's)."""
from __future__ import annotations

import contextlib

import asyncpg

from backend.core.settings import Settings
from backend.new_services.card_catalog.search.parser import QuerySyntaxError
from backend.repositories.kit import CompiledQuery, StatementTimedOut
from backend.request_handling.errors import ServiceUnavailableError

# A search stopped by its time limit: the same search will take as long again, so not at once.
SEARCH_TIMEOUT_RETRY_AFTER_SECONDS = 5


def _search_timeout(exc: StatementTimedOut) -> ServiceUnavailableError:
    return ServiceUnavailableError(
        f"the search ran longer than {exc.limit_ms} ms and was stopped; narrow it down or try again later",
        code="search_timeout", retry_after=SEARCH_TIMEOUT_RETRY_AFTER_SECONDS,
        details={"limit_ms": exc.limit_ms})


def search_time_limit_ms(compiled: CompiledQuery, settings: Settings) -> int:
    """The search's statement timeout: the configured one, tighter when it runs regular expressions."""
    if compiled.statement_timeout_ms is None:
        return settings.search.statement_timeout_ms
    return min(settings.search.statement_timeout_ms, compiled.statement_timeout_ms)


@contextlib.asynccontextmanager
async def search_refusals(compiled: CompiledQuery, q: str | None):
    """What Postgres says of a search, as the caller's answer: a regular expression it refuses, or one
    that runs past the regex time bound, is the caller's error (400 naming it); any other search
    stopped by its time limit is a 503 search_timeout."""
    try:
        yield
    except asyncpg.InvalidRegularExpressionError as exc:
        raise QuerySyntaxError(f"invalid regular expression: {exc}", term=q or "", position=0) from None
    except StatementTimedOut as exc:
        if compiled.statement_timeout_ms is not None and exc.limit_ms <= compiled.statement_timeout_ms:
            raise QuerySyntaxError(f"the regular expression took longer than {exc.limit_ms} ms; "
                                   "make it more specific", term=q or "", position=0) from None
        raise _search_timeout(exc) from None
