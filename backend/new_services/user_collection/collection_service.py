"""Collections: create, list (with entry counts and current value), read, edit, delete; owner only.

Another user's collection is answered exactly like one that does not exist (404).
"""
from __future__ import annotations

import uuid
from typing import Any

from backend.core.settings import Settings
from backend.new_services.service_manager import service
from backend.new_services.user_collection.valuation import Valuation
from backend.repositories.kit import Sort
from backend.request_handling.errors import NotFoundError

PUBLIC_FIELDS = ("collection_id", "name", "description", "kind", "currency", "entry_count", "card_count",
                 "created_at", "updated_at")


def not_found(collection_id: uuid.UUID) -> NotFoundError:
    return NotFoundError(f"no collection {collection_id}", details={"collection_id": str(collection_id)})


async def owned_collection(collection_repository, owner_id: str, collection_id: uuid.UUID, *,
                           lock: bool = False) -> dict[str, Any]:
    """The caller's collection (locked for the transaction when asked), or 404."""
    owner = uuid.UUID(owner_id)
    found = await (collection_repository.lock if lock else collection_repository.get)(owner, collection_id)
    if found is None:
        raise not_found(collection_id)
    return found


async def _with_values(value_repository, settings: Settings, collections: list[dict]) -> list[dict[str, Any]]:
    """The collections as answers with their current value: the cached one where it is still current
    (see value_service.value_summary), the others computed together in one pass."""
    values = await value_repository.current_values(
        [(c["collection_id"], c["contents_version"], Valuation.of(settings, c["currency"]).key) for c in collections])
    missing = [c["collection_id"] for c in collections if c["collection_id"] not in values]
    if missing:
        values.update(await value_repository.collections_value(
            missing, sources=list(settings.collection_price_sources),
            multipliers=dict(settings.collection_condition_multipliers)))
    return [{**{k: c[k] for k in PUBLIC_FIELDS}, "value_cents": values.get(c["collection_id"], 0)}
            for c in collections]


@service("user_collection.collection.create", repositories=["collection"])
async def create_collection(*, collection_repository, owner_id: str, name: str, description: str | None = None,
                            kind: str = "collection", currency: str = "USD") -> dict[str, Any]:
    collection_id = await collection_repository.create(owner_id=uuid.UUID(owner_id), name=name.strip(),
                                                       description=description, kind=kind, currency=currency)
    found = await collection_repository.get(uuid.UUID(owner_id), collection_id)
    return {**{k: found[k] for k in PUBLIC_FIELDS}, "value_cents": 0}


@service("user_collection.collection.list", repositories=["collection", "value"], scope="autocommit")
async def list_collections(*, collection_repository, value_repository, settings: Settings, owner_id: str,
                           kind: str | None = None, sort: Sort, limit: int = 50,
                           offset: int = 0) -> tuple[list[dict], int]:
    rows, total = await collection_repository.list(uuid.UUID(owner_id), kind=kind, sort=sort, limit=limit,
                                                   offset=offset)
    return await _with_values(value_repository, settings, rows), total


@service("user_collection.collection.get", repositories=["collection", "value"], scope="autocommit")
async def get_collection(*, collection_repository, value_repository, settings: Settings, owner_id: str,
                         collection_id: uuid.UUID) -> dict[str, Any]:
    found = await owned_collection(collection_repository, owner_id, collection_id)
    return (await _with_values(value_repository, settings, [found]))[0]


@service("user_collection.collection.update", repositories=["collection", "value"])
async def update_collection(*, collection_repository, value_repository, settings: Settings, owner_id: str,
                            collection_id: uuid.UUID, fields: dict[str, Any]) -> dict[str, Any]:
    await owned_collection(collection_repository, owner_id, collection_id, lock=True)
    if "name" in fields and fields["name"] is not None:
        fields["name"] = fields["name"].strip()
    # name, kind and currency cannot be emptied; description can (null clears it).
    fields = {k: v for k, v in fields.items() if v is not None or k == "description"}
    await collection_repository.update(uuid.UUID(owner_id), collection_id, fields)
    found = await collection_repository.get(uuid.UUID(owner_id), collection_id)
    return (await _with_values(value_repository, settings, [found]))[0]


@service("user_collection.collection.delete", repositories=["collection"])
async def delete_collection(*, collection_repository, owner_id: str, collection_id: uuid.UUID) -> dict[str, Any]:
    entries = await collection_repository.delete(uuid.UUID(owner_id), collection_id)
    if entries is None:
        raise not_found(collection_id)
    return {"collection_id": collection_id, "deleted": True, "entries_deleted": entries}
