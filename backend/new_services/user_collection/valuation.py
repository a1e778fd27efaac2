"""How entries are valued: the settings that decide it, in one object every valuation query receives."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from backend.core.settings import Settings


@dataclass(frozen=True)
class Valuation:
    currency: str
    sources: list[str]
    multipliers: dict[str, float]

    @classmethod
    def of(cls, settings: Settings, currency: str) -> "Valuation":
        return cls(currency, list(settings.collection_price_sources), dict(settings.collection_condition_multipliers))

    @property
    def params(self) -> dict:
        return {"currency": self.currency, "sources": self.sources, "multipliers": self.multipliers}

    @property
    def key(self) -> str:
        """Changes whenever a cached value series built with other settings would be wrong."""
        text = f"{self.currency}|{','.join(self.sources)}|" + ",".join(
            f"{grade}={factor!r}" for grade, factor in sorted(self.multipliers.items()))
        return hashlib.sha256(text.encode()).hexdigest()[:32]
