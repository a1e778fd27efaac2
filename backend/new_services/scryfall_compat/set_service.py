"""Sets of the Scryfall-compatible API: /sets (every set, newest first) and one set by code, id or
TCGplayer group id."""
from __future__ import annotations

import uuid

from backend.new_services.scryfall_compat.objects import list_text
from backend.new_services.service_manager import service
from backend.repositories.scryfall_compat.scryfall_set_repository import ScryfallSetRepository
from backend.request_handling.errors import NotFoundError


@service("scryfall_compat.set.list", repositories=["scryfall_set"], scope="autocommit")
async def list_sets(*, scryfall_set_repository: ScryfallSetRepository) -> str:
    return list_text(await scryfall_set_repository.all())


@service("scryfall_compat.set.get", repositories=["scryfall_set"], scope="autocommit")
async def get_set(*, scryfall_set_repository: ScryfallSetRepository, code: str | None = None,
                  set_id: uuid.UUID | None = None, tcgplayer_id: int | None = None) -> str:
    if set_id is not None:
        found = await scryfall_set_repository.by_id(set_id)
    elif tcgplayer_id is not None:
        found = await scryfall_set_repository.by_tcgplayer(tcgplayer_id)
    else:
        found = await scryfall_set_repository.by_code(code or "")
    if found is None:
        raise NotFoundError("No Magic set found for the given code or ID.")
    return found
