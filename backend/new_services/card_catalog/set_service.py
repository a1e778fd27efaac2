"""Set reference services: read, list, create/bulk/upload through the Scryfall loader, edit, delete."""
from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import ijson

from backend.new_services.card_catalog.catalog_load.normalize import normalize_set
from backend.new_services.service_manager import service
from backend.repositories.card_catalog.set_repository import SetRepository
from backend.repositories.kit import Sort
from backend.request_handling.errors import (
    BadRequestError, ConflictError, NotFoundError, UnprocessableError,
)
from backend.schemas.card_catalog.set import MAX_BULK_SETS

REQUIRED_FIELDS = frozenset({"code", "name", "set_type", "card_count", "digital", "foil_only", "nonfoil_only"})


def _parse_ref(set_ref: str) -> tuple[uuid.UUID | None, str | None]:
    try:
        return uuid.UUID(set_ref), None
    except ValueError:
        return None, set_ref.lower()


async def _find(set_repository: SetRepository, set_ref: str) -> dict[str, Any]:
    set_id, code = _parse_ref(set_ref)
    found = await (set_repository.get(set_id) if set_id else set_repository.get_by_code(code))
    if found is None:
        raise NotFoundError(f"no set {set_ref!r}", details={"set": set_ref})
    return found


@service("card_catalog.set.get", repositories=["set"])
async def get_set(*, set_repository: SetRepository, set_ref: str) -> dict[str, Any]:
    return await _find(set_repository, set_ref)


@service("card_catalog.set.list", repositories=["set"])
async def list_sets(*, set_repository: SetRepository, sort: Sort, limit: int, offset: int,
                    set_type: str | None = None, released_from: date | None = None,
                    released_to: date | None = None, digital: bool | None = None,
                    search: str | None = None) -> tuple[list[dict], int]:
    if released_from and released_to and released_from > released_to:
        raise BadRequestError("released_from must not be after released_to",
                              details={"released_from": str(released_from), "released_to": str(released_to)})
    return await set_repository.list(set_type=set_type, released_from=released_from,
                                          released_to=released_to, digital=digital, search=search,
                                          sort=sort, limit=limit, offset=offset)


def _validate_sets(objects: list[Any]) -> tuple[list[dict], list[dict[str, Any]], list[int]]:
    accepted, rejected, seen, indexes = [], [], set(), []
    for index, obj in enumerate(objects):
        try:
            row = normalize_set(obj)
        except (ValueError, TypeError) as exc:
            rejected.append({"index": index, "code": obj.get("code") if isinstance(obj, dict) else None,
                             "reason": str(exc)})
            continue
        if row[0] in seen or row[1] in seen:
            rejected.append({"index": index, "code": row[1], "reason": "duplicate id or code in this request"})
            continue
        seen.update((row[0], row[1]))
        accepted.append(obj)
        indexes.append(index)
    return accepted, rejected, indexes


async def _without_code_clashes(set_repository: SetRepository, accepted: list[dict],
                                rejected: list[dict[str, Any]], indexes: list[int]) -> list[dict]:
    """Drop sets whose code another set already holds (the loader would move the code over)."""
    if not accepted:
        return accepted
    taken = await set_repository.codes_held_by_other_sets(
        [uuid.UUID(obj["id"]) for obj in accepted], [obj["code"].lower() for obj in accepted])
    kept = []
    for index, obj in zip(indexes, accepted):
        if obj["code"].lower() in taken:
            rejected.append({"index": index, "code": obj["code"].lower(),
                             "reason": "another set already uses this code"})
        else:
            kept.append(obj)
    rejected.sort(key=lambda r: r["index"])
    return kept


async def _load(services, sets: list[dict]) -> dict[str, int]:
    if not sets:
        return {"inserted": 0, "updated": 0, "unchanged": 0}
    try:
        counts = await services.execute_service("card_catalog.catalog_load.load_sets", sets=sets)
    except asyncpg.UniqueViolationError as exc:
        raise ConflictError("a set with this code already exists under another id",
                            details={"constraint": exc.constraint_name}) from None
    return {"inserted": counts.inserted, "updated": counts.updated, "unchanged": counts.unchanged}


@service("card_catalog.set.create", repositories=["set"])
async def create_set(*, set_repository: SetRepository, services, set_object: dict[str, Any]) -> dict[str, Any]:
    accepted, rejected, indexes = _validate_sets([set_object])
    if rejected:
        raise UnprocessableError(f"set rejected: {rejected[0]['reason']}", code="set_rejected", details=rejected[0])
    if not await _without_code_clashes(set_repository, accepted, rejected, indexes):
        raise ConflictError(f"another set already uses the code {set_object['code'].lower()!r}",
                            details=rejected[0])
    await _load(services, accepted)
    return await set_repository.get(uuid.UUID(set_object["id"]))


@service("card_catalog.set.bulk_create", repositories=["set"])
async def bulk_create_sets(*, set_repository: SetRepository, services, sets: list[Any]) -> dict[str, Any]:
    if not sets:
        raise BadRequestError("no sets given")
    if len(sets) > MAX_BULK_SETS:
        raise BadRequestError(f"at most {MAX_BULK_SETS} sets per request", details={"count": len(sets)})
    accepted, rejected, indexes = _validate_sets(sets)
    accepted = await _without_code_clashes(set_repository, accepted, rejected, indexes)
    counts = await _load(services, accepted)
    return {**counts, "accepted_codes": [obj["code"].lower() for obj in accepted], "rejected": rejected}


def _iter_set_objects(path: Path):
    """Set objects from a Scryfall `/sets` list ({"data": [...]}) or a bare JSON array, streamed."""
    with open(path, "rb") as handle:
        first = handle.read(1)
        while first and first.isspace():
            first = handle.read(1)
        if first not in (b"[", b"{"):
            raise BadRequestError("the file is not a JSON array or a Scryfall list object")
        handle.seek(0)
        prefix = "item" if first == b"[" else "data.item"
        try:
            yield from ijson.items(handle, prefix, use_float=True)
        except ijson.JSONError as exc:
            raise BadRequestError(f"the file is not valid JSON: {exc}") from None


@service("card_catalog.set.upload_file")
async def upload_sets_file(*, services, path: str) -> dict[str, Any]:
    file_path = Path(path)
    try:
        objects = list(_iter_set_objects(file_path))
    finally:
        file_path.unlink(missing_ok=True)
    if not objects:
        raise BadRequestError("the file holds no sets")
    # A full /sets list is authoritative: codes may move to Scryfall's ids (the loader's rule).
    accepted, rejected, _ = _validate_sets(objects)
    counts = await _load(services, accepted)
    return {**counts, "seen": len(objects), "rejected": rejected}


@service("card_catalog.set.update", repositories=["set"])
async def update_set(*, set_repository: SetRepository, set_ref: str, fields: dict[str, Any]) -> dict[str, Any]:
    current = await _find(set_repository, set_ref)
    missing = sorted(name for name in REQUIRED_FIELDS if name in fields and fields[name] is None)
    if missing:
        raise BadRequestError(f"these fields cannot be null: {', '.join(missing)}", details={"fields": missing})
    if "code" in fields:
        fields["code"] = fields["code"].lower()
        other = await set_repository.get_by_code(fields["code"])
        if other is not None and other["id"] != current["id"]:
            raise ConflictError(f"set code {fields['code']!r} is already used", details={"code": fields["code"]})
    return await set_repository.update(current["id"], fields)


@service("card_catalog.set.delete", repositories=["set"])
async def delete_set(*, set_repository: SetRepository, set_ref: str) -> dict[str, Any]:
    current = await _find(set_repository, set_ref)
    await set_repository.lock(current["id"])
    cards = await set_repository.card_count(current["id"])
    if cards:
        raise ConflictError(f"set {current['code']!r} still has {cards} cards; delete them first",
                            details={"set": current["code"], "cards": cards})
    await set_repository.delete(current["id"])
    return {"id": str(current["id"]), "code": current["code"], "deleted": True}
