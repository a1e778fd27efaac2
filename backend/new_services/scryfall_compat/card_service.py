"""Cards of the Scryfall-compatible API: by id and every identifier, search, named, autocomplete,
random, collection. Answers are JSON text (card objects as stored; see objects.py for URIs)."""
from __future__ import annotations

import uuid
from typing import Any

import orjson

from backend.new_services.card_catalog.search.ast import Term
from backend.core.settings import Settings
from backend.new_services.card_catalog.search.compiler import compile_query
from backend.new_services.card_catalog.search.cost import search_refusals, search_time_limit_ms
from backend.new_services.card_catalog.search.vocabulary import LANGUAGES
from backend.new_services.scryfall_compat.objects import MAX_PAGE, PAGE_SIZE, api_uri, catalog_text, list_text
from backend.new_services.service_manager import service
from backend.repositories.scryfall_compat.scryfall_card_repository import ScryfallCardRepository
from backend.request_handling.errors import BadRequestError, NotFoundError
from backend.schemas.scryfall_compat.card import MAX_COLLECTION_IDENTIFIERS

NO_MATCH = "Your query didn't match any cards. Adjust your search terms or refer to the syntax guide."


def _not_found(details: str, **extra: Any) -> NotFoundError:
    return NotFoundError(details, details=extra or None)


async def _document(repo: ScryfallCardRepository, card_id: uuid.UUID | None, what: str) -> str:
    document = await repo.document(card_id) if card_id is not None else None
    if document is None:
        raise _not_found(f"No card found with the given {what}.")
    return document


# The hot path: one statement on an autocommit connection.
@service("scryfall_compat.card.get", repositories=["scryfall_card"], scope="autocommit")
async def get_card(*, scryfall_card_repository: ScryfallCardRepository, card_id: uuid.UUID) -> str:
    return await _document(scryfall_card_repository, card_id, "ID")


@service("scryfall_compat.card.by_external_id", repositories=["scryfall_card"], scope="autocommit")
async def card_by_external_id(*, scryfall_card_repository: ScryfallCardRepository, kind: str, value: int) -> str:
    """kind: multiverse, mtgo, arena, tcgplayer or cardmarket."""
    card_id = await scryfall_card_repository.id_by(kind, value)
    return await _document(scryfall_card_repository, card_id, f"{kind} ID")


def _lang_code(lang: str | None) -> str | None:
    if lang is None:
        return None
    code = LANGUAGES.get(lang.lower())
    if code is None:
        raise BadRequestError(f"Unknown language code {lang!r}.", details={"lang": lang})
    return code


@service("scryfall_compat.card.by_number", repositories=["scryfall_card"], scope="autocommit")
async def card_by_number(*, scryfall_card_repository: ScryfallCardRepository, set_code: str,
                         collector_number: str, lang: str | None = None) -> str:
    card_id = await scryfall_card_repository.id_by_number(set_code.lower(), collector_number, _lang_code(lang))
    return await _document(scryfall_card_repository, card_id, "set code and collector number")


def _display_terms(unique: str | None, order: str | None, direction: str | None, include_extras: bool,
                   include_multilingual: bool) -> tuple[Term, ...]:
    """The endpoint's display parameters as query terms (built directly, never spliced into q)."""
    terms = []
    for keyword, value in (("unique", unique), ("order", order), ("direction", direction)):
        if value:
            terms.append(Term(keyword, ":", value, -1, f"{keyword}={value}", keyword))
    if include_extras:
        terms.append(Term("include", ":", "extras", -1, "include_extras=true", "include_extras"))
    if include_multilingual:
        terms.append(Term("lang", ":", "any", -1, "include_multilingual=true", "include_multilingual"))
    return tuple(terms)


@service("scryfall_compat.card.search", repositories=["scryfall_card"])
async def search(*, scryfall_card_repository: ScryfallCardRepository, settings: Settings, q: str, unique: str | None = None,
                 order: str | None = None, direction: str | None = None, include_extras: bool = False,
                 include_multilingual: bool = False, include_variations: bool = False, page: int = 1) -> str:
    if not q or not q.strip():
        raise BadRequestError("You didn't enter a query: the q parameter is required.", details={"q": q})
    if not 1 <= page <= MAX_PAGE:
        raise BadRequestError(f"page must be between 1 and {MAX_PAGE}.", details={"page": page})
    compiled = compile_query(q, extra_terms=_display_terms(unique, order, direction, include_extras,
                                                           include_multilingual))
    async with search_refusals(compiled, q):
        cards, total = await scryfall_card_repository.search(compiled, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
                                                             time_limit_ms=search_time_limit_ms(compiled, settings))
    if not cards:
        raise _not_found(NO_MATCH if total == 0 else f"There is no page {page} of this search.")
    has_more = page * PAGE_SIZE < total
    next_page = None
    if has_more:
        next_page = api_uri("/cards/search", {
            "q": q, "unique": unique, "order": order, "dir": direction,
            "include_extras": "true" if include_extras else None,
            "include_multilingual": "true" if include_multilingual else None,
            "include_variations": "true" if include_variations else None, "page": page + 1})
    return list_text(cards, total=total, has_more=has_more, next_page=next_page)


def _card_id_of(card_json: str) -> uuid.UUID:
    return uuid.UUID(orjson.loads(card_json)["id"])


# Named, random and autocomplete use the catalog's own name resolution (one place for its rules).
@service("scryfall_compat.card.named", repositories=["scryfall_card"], scope="autocommit")
async def named(*, scryfall_card_repository: ScryfallCardRepository, services, exact: str | None = None,
                fuzzy: str | None = None, set_code: str | None = None) -> str:
    if bool(exact) == bool(fuzzy):
        raise BadRequestError("Give exactly one of the exact or fuzzy parameters.",
                              details={"exact": exact, "fuzzy": fuzzy})
    try:
        card = await services.execute_service("card_catalog.card.named", exact=exact, fuzzy=fuzzy,
                                               set_code=set_code)
    except NotFoundError as exc:
        if exc.code == "ambiguous_name":
            raise NotFoundError("Too many cards match ambiguous name \u201c" + (fuzzy or exact or "") + "\u201d. "
                                "Add more words to refine your search.", code="ambiguous_name",
                                details=exc.details) from None
        raise NotFoundError("No cards found matching \u201c" + (exact or fuzzy or "") + "\u201d",
                            details=exc.details) from None
    return await _document(scryfall_card_repository, _card_id_of(card), "name")


@service("scryfall_compat.card.random", repositories=["scryfall_card"], scope="autocommit")
async def random_card(*, scryfall_card_repository: ScryfallCardRepository, services, q: str | None = None) -> str:
    try:
        card = await services.execute_service("card_catalog.card.random", q=q or None)
    except NotFoundError:
        raise _not_found(NO_MATCH) from None
    return await _document(scryfall_card_repository, _card_id_of(card), "query")


@service("scryfall_compat.card.autocomplete", scope="autocommit")
async def autocomplete(*, services, q: str, include_extras: bool = False) -> str:
    names = await services.execute_service("card_catalog.card.autocomplete", q=q, include_extras=include_extras)
    return catalog_text(api_uri("/cards/autocomplete", {"q": q}), names)


async def _resolve(repo: ScryfallCardRepository, ident: dict[str, Any]) -> uuid.UUID | None:
    set_code = ident["set"].lower() if ident.get("set") else None
    if ident.get("id") is not None:
        return ident["id"] if await repo.existing_ids([ident["id"]]) else None
    if ident.get("mtgo_id") is not None:
        return await repo.id_by("mtgo", ident["mtgo_id"])
    if ident.get("multiverse_id") is not None:
        return await repo.id_by("multiverse", ident["multiverse_id"])
    if ident.get("oracle_id") is not None:
        return await repo.preferred_by_oracle(ident["oracle_id"])
    if ident.get("illustration_id") is not None:
        return await repo.preferred_by_illustration(ident["illustration_id"])
    if ident.get("name"):
        return await repo.preferred_by_name(ident["name"].strip().lower(), set_code)
    if set_code and ident.get("collector_number"):
        return await repo.id_by_number(set_code, ident["collector_number"], None)
    return None


@service("scryfall_compat.card.collection", repositories=["scryfall_card"], scope="autocommit")
async def collection(*, scryfall_card_repository: ScryfallCardRepository, identifiers: list[dict[str, Any]]) -> str:
    """Up to 75 identifiers -> a list of the cards found (in request order) and `not_found`."""
    if len(identifiers) > MAX_COLLECTION_IDENTIFIERS:
        raise BadRequestError(f"Too many identifiers: at most {MAX_COLLECTION_IDENTIFIERS} per request.",
                              details={"count": len(identifiers)})
    found: list[uuid.UUID] = []
    not_found: list[dict[str, Any]] = []
    for ident in identifiers:
        card_id = await _resolve(scryfall_card_repository, ident)
        if card_id is None:
            not_found.append(_as_json(ident))
        else:
            found.append(card_id)
    documents = await scryfall_card_repository.documents(list(dict.fromkeys(found)))
    return list_text([documents[c] for c in found if c in documents], extra={"not_found": not_found})


def _as_json(ident: dict[str, Any]) -> dict[str, Any]:
    return {key: str(value) if isinstance(value, uuid.UUID) else value for key, value in ident.items()}
