"""Errors of the MTGStocks integration: one base type, and a subtype for answers we cannot read."""
from __future__ import annotations


class MtgStockError(RuntimeError):
    """MTGStocks could not be reached or answered with an error (after retries). Worth retrying later."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class MalformedResponse(MtgStockError):
    """An answer that is not the JSON we expect; `reason` names the field. Retrying will not help:
    store the print as a reject with the reason and go on."""

    def __init__(self, reason: str, *, status: int | None = None):
        super().__init__(reason, status=status)
        self.reason = reason
