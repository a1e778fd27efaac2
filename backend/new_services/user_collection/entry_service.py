"""Collection entries: add (merging into an existing entry of the same identity), list with filters and
the catalog query language, read, edit, remove, and bulk changes in one transaction. Owner only.

An entry's identity is (printing, finish, condition, language); a finish its printing does not have
is refused, never changed.
"""
from __future__ import annotations

import contextlib
import uuid
from decimal import Decimal
from typing import Any

from backend.core.settings import Settings
from backend.new_services.card_catalog.search.ast import Term
from backend.new_services.card_catalog.search.compiler import compile_query
from backend.new_services.card_catalog.search.cost import search_refusals, search_time_limit_ms
from backend.new_services.card_catalog.search.vocabulary import LANGUAGES
from backend.new_services.service_manager import service
from backend.new_services.user_collection.collection_service import owned_collection
from backend.new_services.user_collection.valuation import Valuation
from backend.repositories.kit import Sort
from backend.request_handling.errors import ConflictError, NotFoundError, UnprocessableError

CENT = Decimal("0.01")
FILTER_PARAMS = ("finish", "condition", "language", "tag")
# Simple filters answered by the catalog's query compiler (the same meaning as in card search).
CATALOG_FILTERS = {"set": "set", "rarity": "rarity", "colour": "color"}
# Entries belong to any language and may be tokens or other extras: the catalog's defaults do not apply.
_ALL_PRINTINGS = (Term("lang", ":", "any", -1, "lang:any", "lang"),
                  Term("include", ":", "extras", -1, "include:extras", "include"))


def language_code(value: str, *, where: str = "language") -> str:
    code = LANGUAGES.get(value.strip().lower())
    if code is None:
        raise UnprocessableError(f"unknown language {value!r}; use a code such as en, ja, zhs or a name",
                                 code="unknown_language", details={"field": where, "value": value})
    return code


def price_cents(amount: Decimal | None) -> int | None:
    return None if amount is None else int((amount * 100).to_integral_value())


def entry_not_found(entry_id: uuid.UUID) -> NotFoundError:
    return NotFoundError(f"no entry {entry_id} in this collection", details={"entry_id": str(entry_id)})


def finish_refused(printing: dict, finish: str, where: dict | None = None) -> UnprocessableError:
    return UnprocessableError(
        f"{printing['name']} ({printing['set_code'].upper()} {printing['collector_number']}) is not printed in "
        f"{finish}; it comes as {', '.join(printing['finishes']) or 'no known finish'}",
        code="finish_not_available",
        details={"card_id": str(printing["card_version_id"]), "finish": finish,
                 "available": list(printing["finishes"]), **(where or {})})


async def add_one(entry_repository, collection: dict, item: dict[str, Any], *, merge: bool,
                  where: dict | None = None) -> tuple[uuid.UUID, bool]:
    """Add one entry (an EntryCreate as a dict); (entry id, whether it is new)."""
    printing = await entry_repository.printing(item["card_id"])
    if printing is None:
        raise UnprocessableError(f"no printing with id {item['card_id']} in the catalog", code="unknown_card",
                                 details={"card_id": str(item["card_id"]), **(where or {})})
    finish = item.get("finish") or "nonfoil"
    if finish not in printing["finishes"]:
        raise finish_refused(printing, finish, where)
    language = language_code(item["language"]) if item.get("language") else printing["lang"]
    cents = price_cents(item.get("purchase_price"))
    currency = item.get("purchase_currency") or (collection["currency"] if cents is not None else None)
    entry_id, created = await entry_repository.add(
        collection["collection_id"], card_version_id=printing["card_version_id"], finish=finish,
        condition=item.get("condition") or "NM", language=language, quantity=item.get("quantity") or 1,
        purchase_price_cents=cents, purchase_currency=currency, acquired_at=item.get("acquired_at"),
        tags=list(item.get("tags") or []), notes=item.get("notes"), merge=merge)
    if entry_id is None:
        existing = await entry_repository.existing_id(collection["collection_id"], printing["card_version_id"],
                                                      finish, item.get("condition") or "NM", language)
        raise ConflictError("the collection already has this printing in this finish, condition and language "
                            "(send merge=true to add to its quantity)", code="entry_exists",
                            details={"entry_id": str(existing), **(where or {})})
    return entry_id, created


async def update_one(entry_repository, collection: dict, entry_id: uuid.UUID, changes: dict[str, Any], *,
                     where: dict | None = None) -> None:
    """Apply an EntryUpdate (only the fields the caller sent) to one entry."""
    current = await entry_repository.get_for_update(collection["collection_id"], entry_id)
    if current is None:
        raise entry_not_found(entry_id)
    fields: dict[str, Any] = {}
    for name in ("quantity", "finish", "condition"):
        if changes.get(name) is not None:
            fields[name] = changes[name]
    if "finish" in fields and fields["finish"] not in current["finishes"]:
        printing = await entry_repository.printing(current["card_version_id"])
        raise finish_refused(printing, fields["finish"], where)
    if changes.get("language") is not None:
        fields["language"] = language_code(changes["language"])
    if "purchase_price" in changes:
        fields["purchase_price_cents"] = price_cents(changes["purchase_price"])
        if changes["purchase_price"] is None:
            fields["purchase_currency"] = None
        elif "purchase_currency" not in changes:
            fields["purchase_currency"] = changes.get("purchase_currency") or collection["currency"]
    if changes.get("purchase_currency") is not None:
        fields["purchase_currency"] = changes["purchase_currency"]
    for name in ("acquired_at", "notes"):
        if name in changes:
            fields[name] = changes[name]
    if "tags" in changes:
        fields["tags"] = list(changes["tags"] or [])
    await entry_repository.update(collection["collection_id"], entry_id, fields)


async def entries_out(entry_repository, value_repository, settings: Settings, collection: dict,
                      entry_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """The entries as answers (printing, fields, current unit price and value), in the order given."""
    if not entry_ids:
        return []
    rows = await entry_repository.get_many(collection["collection_id"], entry_ids)
    prices = await value_repository.entry_prices(collection["collection_id"], entry_ids,
                                                 **Valuation.of(settings, collection["currency"]).params)
    out = []
    for entry_id in entry_ids:
        row = rows.get(entry_id)
        if row is None:
            continue
        cents = row.pop("purchase_price_cents")
        row["purchase_price"] = None if cents is None else (Decimal(cents) / 100).quantize(CENT)
        price = prices.get(entry_id, {})
        row["unit_price_cents"] = price.get("unit_price_cents")
        row["value_cents"] = price.get("value_cents")
        out.append(row)
    return out


@service("user_collection.entry.add", repositories=["collection", "entry", "value"])
async def add_entry(*, collection_repository, entry_repository, value_repository, settings: Settings,
                    owner_id: str, collection_id: uuid.UUID, entry: dict[str, Any],
                    merge: bool = True) -> dict[str, Any]:
    collection = await owned_collection(collection_repository, owner_id, collection_id, lock=True)
    entry_id, created = await add_one(entry_repository, collection, entry, merge=merge)
    await collection_repository.bump_contents(collection_id)
    answer = (await entries_out(entry_repository, value_repository, settings, collection, [entry_id]))[0]
    return {"entry": answer, "created": created}


@service("user_collection.entry.get", repositories=["collection", "entry", "value"], scope="autocommit")
async def get_entry(*, collection_repository, entry_repository, value_repository, settings: Settings,
                    owner_id: str, collection_id: uuid.UUID, entry_id: uuid.UUID) -> dict[str, Any]:
    collection = await owned_collection(collection_repository, owner_id, collection_id)
    found = await entries_out(entry_repository, value_repository, settings, collection, [entry_id])
    if not found:
        raise entry_not_found(entry_id)
    return found[0]


@service("user_collection.entry.update", repositories=["collection", "entry", "value"])
async def update_entry(*, collection_repository, entry_repository, value_repository, settings: Settings,
                       owner_id: str, collection_id: uuid.UUID, entry_id: uuid.UUID,
                       changes: dict[str, Any]) -> dict[str, Any]:
    collection = await owned_collection(collection_repository, owner_id, collection_id, lock=True)
    await update_one(entry_repository, collection, entry_id, changes)
    await collection_repository.bump_contents(collection_id)
    return (await entries_out(entry_repository, value_repository, settings, collection, [entry_id]))[0]


@service("user_collection.entry.delete", repositories=["collection", "entry"])
async def delete_entry(*, collection_repository, entry_repository, owner_id: str, collection_id: uuid.UUID,
                       entry_id: uuid.UUID) -> dict[str, Any]:
    await owned_collection(collection_repository, owner_id, collection_id, lock=True)
    if not await entry_repository.delete(collection_id, [entry_id]):
        raise entry_not_found(entry_id)
    await collection_repository.bump_contents(collection_id)
    return {"entry_id": entry_id, "deleted": True}


@service("user_collection.entry.bulk", repositories=["collection", "entry", "value"])
async def bulk_entries(*, collection_repository, entry_repository, value_repository, settings: Settings,
                       owner_id: str, collection_id: uuid.UUID, add: list[dict[str, Any]],
                       update: list[dict[str, Any]], remove: list[uuid.UUID], merge: bool = True) -> dict[str, Any]:
    """All of it or nothing: the first refused item (named by list and index) rolls the whole request back."""
    collection = await owned_collection(collection_repository, owner_id, collection_id, lock=True)
    added: list[uuid.UUID] = []
    for index, item in enumerate(add):
        entry_id, _ = await add_one(entry_repository, collection, item, merge=merge,
                                    where={"list": "add", "index": index})
        added.append(entry_id)
    updated: list[uuid.UUID] = []
    for index, item in enumerate(update):
        changes = dict(item)
        entry_id = changes.pop("entry_id")
        try:
            await update_one(entry_repository, collection, entry_id, changes, where={"list": "update", "index": index})
        except NotFoundError as error:
            error.details = {**(error.details or {}), "list": "update", "index": index}
            raise
        updated.append(entry_id)
    removed = await entry_repository.delete(collection_id, list(dict.fromkeys(remove))) if remove else []
    missing = [str(entry_id) for entry_id in dict.fromkeys(remove) if entry_id not in set(removed)]
    if missing:
        raise NotFoundError(f"{len(missing)} entries to remove are not in this collection",
                            details={"list": "remove", "entry_ids": missing[:100]})
    await collection_repository.bump_contents(collection_id)
    answers = await entries_out(entry_repository, value_repository, settings, collection,
                                list(dict.fromkeys(added + updated)))
    by_id = {answer["entry_id"]: answer for answer in answers}
    return {"added": [by_id[i] for i in dict.fromkeys(added) if i in by_id],
            "updated": [by_id[i] for i in dict.fromkeys(updated) if i in by_id],
            "removed": removed}


@service("user_collection.entry.list", repositories=["collection", "entry", "value"])
async def list_entries(*, collection_repository, entry_repository, value_repository, settings: Settings,
                       owner_id: str, collection_id: uuid.UUID, filters: dict[str, str | None],
                       q: str | None = None, sort: Sort, limit: int = 50,
                       offset: int = 0) -> tuple[list[dict], int]:
    collection = await owned_collection(collection_repository, owner_id, collection_id)
    await value_repository.serial_plans()
    catalog_terms = tuple(Term(keyword, ":", filters[param], -1, f"{param}={filters[param]}", param)
                          for param, keyword in CATALOG_FILTERS.items() if filters.get(param))
    compiled = None
    if q or catalog_terms:
        # $1..$5 are the list's own parameters; the compiled condition's follow.
        compiled = compile_query(q or "", first_param=6, extra_terms=catalog_terms + _ALL_PRINTINGS)
    language = language_code(filters["language"]) if filters.get("language") else None
    valuation = Valuation.of(settings, collection["currency"])
    # A catalog query over the entries runs under the search time limit, and its refusals answer as in search.
    async with search_refusals(compiled, q) if compiled else contextlib.nullcontext():
        ids, total = await entry_repository.list(
            collection_id, finish=filters.get("finish"), condition=filters.get("condition"), language=language,
            tag=filters.get("tag"), compiled=compiled, sort=sort, limit=limit, offset=offset,
            entry_count=collection["entry_count"],
            time_limit_ms=search_time_limit_ms(compiled, settings) if compiled else None, **valuation.params)
    return await entries_out(entry_repository, value_repository, settings, collection, ids), total
