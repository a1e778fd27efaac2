"""Card reference services: lookups, search, names, autocomplete, random, batch lookup, writes.

Lookups that answer with a full card return its JSON text as Postgres built it (the API embeds
it in the envelope without re-encoding); list endpoints return summary dicts.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any


from backend.core.settings import Settings
from backend.new_services.card_catalog.catalog_load.batches import Batch
from backend.new_services.card_catalog.catalog_load.normalize import CardRejected, NormalizedCard, normalize_card
from backend.new_services.card_catalog.catalog_load.writer import load_context, write_isolating
from backend.new_services.card_catalog.name_matching import Candidate, closest, exact_normalised, popularity
from backend.new_services.card_catalog.search.ast import Term
from backend.new_services.card_catalog.search.compiler import compile_query, normalize_name
from backend.new_services.card_catalog.search.cost import search_refusals, search_time_limit_ms
from backend.new_services.card_catalog.search.vocabulary import LANGUAGES
from backend.new_services.service_manager import service
from backend.repositories.card_catalog.card_repository import CardRepository
from backend.repositories.kit import escape_like
from backend.request_handling.errors import BadRequestError, NotFoundError, UnprocessableError
from backend.schemas.card_catalog.card import MAX_BATCH_IDENTIFIERS, MAX_BULK_CARDS

FUZZY_CLEAR_LEAD = 0.1   # trigram similarity by which the best fuzzy candidate must lead
AUTOCOMPLETE_MIN_LENGTH = 2
AUTOCOMPLETE_FUZZY_MIN_LENGTH = 4
AUTOCOMPLETE_LIMIT = 20
# Simple filter parameter -> query-language keyword, so filters and `q` share one compiler.
FILTER_KEYWORDS = {
    "name": "name", "set": "set", "type": "type", "rarity": "rarity", "lang": "lang",
    "color": "color", "identity": "identity", "format": "format", "artist": "artist",
    "unique": "unique", "order": "order", "dir": "direction",
}


def filter_terms(filters: dict[str, str | None]) -> tuple[Term, ...]:
    """Endpoint filter params as query terms (built directly, never spliced into the query text)."""
    terms = []
    for param, value in filters.items():
        if value is None or value == "":
            continue
        keyword = FILTER_KEYWORDS[param]
        terms.append(Term(keyword, ":", value, -1, f"{param}={value}", param))
    return tuple(terms)


# The hot path: one statement on an autocommit connection, no transaction round trips.
@service("card_catalog.card.get", repositories=["card"], scope="autocommit")
async def get_card(*, card_repository: CardRepository, card_id: uuid.UUID) -> str:
    card = await card_repository.card_json(card_id)
    if card is None:
        raise NotFoundError(f"no card with id {card_id}", details={"id": str(card_id)})
    return card


@service("card_catalog.card.search", repositories=["card"])
async def search_cards(*, card_repository: CardRepository, settings: Settings, q: str | None = None,
                       limit: int = 50, offset: int = 0, include_extras: bool = False,
                       filters: dict[str, str | None] | None = None) -> tuple[list[dict], int]:
    extra = filter_terms(filters or {})
    if include_extras:
        extra += (Term("include", ":", "extras", -1, "include_extras=true", "include_extras"),)
    compiled = compile_query(q or "", extra_terms=extra)
    async with search_refusals(compiled, q):
        return await card_repository.search(compiled, limit=limit, offset=offset,
                                             time_limit_ms=search_time_limit_ms(compiled, settings))


@service("card_catalog.card.random", repositories=["card"])
async def random_card(*, card_repository: CardRepository, settings: Settings, q: str | None = None) -> str:
    compiled = compile_query(q or "")
    async with search_refusals(compiled, q):
        card_id = await card_repository.random_id(compiled, time_limit_ms=search_time_limit_ms(compiled, settings))
    if card_id is None:
        raise NotFoundError("no card matches the query", details={"q": q})
    return await card_repository.card_json(card_id)


# Read-only lookups below run as autocommit statements (no BEGIN/COMMIT round trips).


def _lang_code(lang: str | None) -> str | None:
    if lang is None:
        return None
    code = LANGUAGES.get(lang.lower())
    if code is None:
        raise BadRequestError(f"unknown language {lang!r}", details={"lang": lang})
    return code


@service("card_catalog.card.named", repositories=["card"], scope="autocommit")
async def named_card(*, card_repository: CardRepository, exact: str | None = None, fuzzy: str | None = None,
                     set_code: str | None = None) -> str:
    if bool(exact) == bool(fuzzy):
        raise BadRequestError("give exactly one of 'exact' or 'fuzzy'", details={"exact": exact, "fuzzy": fuzzy})
    set_code = set_code.lower() if set_code else None
    oracle_id = (await _exact_oracle(card_repository, exact) if exact
                 else await _fuzzy_oracle(card_repository, fuzzy))
    card_id = await card_repository.preferred_printing(oracle_id, set_code=set_code)
    if card_id is None:
        raise NotFoundError(f"the card is not printed in set {set_code!r}",
                            details={"name": exact or fuzzy, "set": set_code})
    return await card_repository.card_json(card_id)


async def _exact_oracle(card_repository: CardRepository, name: str) -> uuid.UUID:
    matches = await card_repository.oracle_cards_named(name.strip().lower())
    if not matches:
        raise NotFoundError(f"no card named {name!r}", details={"exact": name})
    return matches[0]["oracle_id"]


async def _fuzzy_oracle(card_repository: CardRepository, name: str) -> uuid.UUID:
    """The card a typed name means: the same name (any face, any word order, punctuation and case
    ignored); else the only name holding every typed word; else the closest spelling (a swap of two
    letters is one edit; ties go to the more-played card); else a clearly closest name containing
    the words; else 404 (ambiguous with candidates when several fit equally)."""
    normalized = normalize_name(name)
    if not normalized:
        raise BadRequestError("the fuzzy name has no letters or digits", details={"fuzzy": name})
    pattern = "%" + "%".join(escape_like(word) for word in normalized.split()) + "%"
    rows = await card_repository.fuzzy_candidates(normalized, pattern)
    # Real cards before tokens and other extras of the same name.
    pool = [r for r in rows if not r["is_extra"]] or rows
    candidates = {r["oracle_id"]: Candidate(r["oracle_id"], r["name"], r["is_extra"], r["edhrec_rank"],
                                            r["latest_release"]) for r in pool}
    same = [c for c in candidates.values() if exact_normalised(normalized, c.name)]
    if same:
        return min(same, key=popularity).oracle_id
    containing = [r for r in pool if r["contains_all"]]
    if len({r["name"] for r in containing}) == 1:
        return containing[0]["oracle_id"]
    close, _ = closest(normalized, list(candidates.values()))
    if close:
        return close[0].oracle_id
    if containing:
        best = max(containing, key=lambda c: c["score"])
        rivals = [c for c in containing if c["name"] != best["name"]]
        # Several names contain the words: the closest wins only when clearly closer.
        if best["score"] - max(c["score"] for c in rivals) >= FUZZY_CLEAR_LEAD:
            return best["oracle_id"]
        ranked = sorted(containing, key=lambda c: popularity(candidates[c["oracle_id"]]))
        raise _ambiguous(name, list(dict.fromkeys(c["name"] for c in ranked)))
    if pool:
        best = pool[0]
        close = [c for c in pool[1:] if best["score"] - c["score"] < FUZZY_CLEAR_LEAD and c["name"] != best["name"]]
        if not close:
            return best["oracle_id"]
        raise _ambiguous(name, [best["name"], *dict.fromkeys(c["name"] for c in close)])
    raise NotFoundError(f"no card named like {name!r}", details={"fuzzy": name})


def _ambiguous(name: str, candidates: list[str]) -> NotFoundError:
    return NotFoundError(f"{name!r} matches several cards; be more specific",
                         code="ambiguous_name", details={"fuzzy": name, "candidates": candidates[:20]})


@service("card_catalog.card.autocomplete", repositories=["card"], scope="autocommit")
async def autocomplete(*, card_repository: CardRepository, q: str, include_extras: bool = False) -> list[str]:
    """Up to 20 names, as Scryfall ranks them: names beginning with the text (spaces, punctuation and
    case ignored; shortest, then most played, first), then names with a later word beginning with
    it, then close spellings. Each tier runs only when the earlier ones left room, so the common
    case is one index range scan. Fewer than 2 letters or digits: an empty list."""
    normalized = normalize_name(q)
    if len(normalized) < AUTOCOMPLETE_MIN_LENGTH:
        return []
    names = await card_repository.autocomplete_prefix(normalized.replace(" ", ""), include_extras)
    if len(names) < AUTOCOMPLETE_LIMIT:
        names += await card_repository.autocomplete_word_start(escape_like(normalized), include_extras)
    if len(dict.fromkeys(names)) < AUTOCOMPLETE_LIMIT and len(normalized) >= AUTOCOMPLETE_FUZZY_MIN_LENGTH:
        names += await card_repository.autocomplete_similar(normalized, include_extras)
    return list(dict.fromkeys(names))[:AUTOCOMPLETE_LIMIT]


@service("card_catalog.card.by_number", repositories=["card"], scope="autocommit")
async def card_by_number(*, card_repository: CardRepository, set_code: str, collector_number: str,
                         lang: str | None = None) -> str:
    code = _lang_code(lang)
    card_id = await card_repository.card_id_by_number(set_code.lower(), collector_number, code)
    if card_id is None:
        raise NotFoundError(f"no card {set_code}/{collector_number}" + (f" in {code}" if code else ""),
                            details={"set": set_code, "collector_number": collector_number, "lang": code})
    return await card_repository.card_json(card_id)


@service("card_catalog.card.printings", repositories=["card"], scope="autocommit")
async def card_printings(*, card_repository: CardRepository, card_id: uuid.UUID, lang: str | None = None,
                         limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    oracle_id = await card_repository.oracle_id_of(card_id)
    if oracle_id is None:
        raise NotFoundError(f"no card with id {card_id}", details={"id": str(card_id)})
    return await card_repository.printings(oracle_id, lang=_lang_code(lang), limit=limit, offset=offset)


@service("card_catalog.card.batch_lookup", repositories=["card"], scope="autocommit")
async def batch_lookup(*, card_repository: CardRepository,
                       identifiers: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """Resolve up to 75 identifiers; returns (card JSON texts in request order, identifiers not found)."""
    if len(identifiers) > MAX_BATCH_IDENTIFIERS:
        raise BadRequestError(f"at most {MAX_BATCH_IDENTIFIERS} identifiers per request",
                              details={"count": len(identifiers)})
    found: list[uuid.UUID] = []
    not_found: list[dict[str, Any]] = []
    for identifier in identifiers:
        card_id = await _resolve_identifier(card_repository, identifier)
        if card_id is None:
            not_found.append(identifier)
        else:
            found.append(card_id)
    cards = await card_repository.cards_json(list(dict.fromkeys(found)))
    return [cards[card_id] for card_id in found if card_id in cards], not_found


async def _resolve_identifier(repo: CardRepository, ident: dict[str, Any]) -> uuid.UUID | None:
    if ident.get("id") is not None:
        card_id = ident["id"]
        return card_id if await repo.exists(card_id) else None
    if ident.get("oracle_id") is not None:
        return await repo.preferred_printing(ident["oracle_id"])
    if ident.get("multiverse_id") is not None:
        return await repo.card_id_by_multiverse_id(ident["multiverse_id"])
    if ident.get("mtgo_id") is not None:
        return await repo.card_id_by_mtgo_id(ident["mtgo_id"])
    set_code = ident["set"].lower() if ident.get("set") else None
    if ident.get("name"):
        matches = await repo.oracle_cards_named(ident["name"].strip().lower())
        for match in matches:
            card_id = await repo.preferred_printing(match["oracle_id"], set_code=set_code)
            if card_id is not None:
                return card_id
        return None
    if set_code and ident.get("collector_number"):
        return await repo.card_id_by_number(set_code, ident["collector_number"], None)
    return None


@service("card_catalog.card.delete", repositories=["card"])
async def delete_card(*, card_repository: CardRepository, card_id: uuid.UUID) -> dict[str, Any]:
    removed, orphaned = await card_repository.delete(card_id)
    if not removed:
        raise NotFoundError(f"no card with id {card_id}", details={"id": str(card_id)})
    return {"id": str(card_id), "deleted": True, "oracle_card_deleted": bool(orphaned)}


def _validate_cards(cards: list[Any]) -> tuple[list[NormalizedCard], list[dict[str, Any]]]:
    """Split cards into loadable ones and rejections (index, id, reason), using the loader's rules."""
    accepted, rejected, seen = [], [], set()
    for index, card in enumerate(cards):
        try:
            normalized = normalize_card(card)
        except CardRejected as exc:
            rejected.append({"index": index, "id": exc.scryfall_id, "reason": exc.reason})
            continue
        if normalized.card_version_id in seen:
            rejected.append({"index": index, "id": normalized.card_version_id,
                             "reason": "duplicate id in this request"})
            continue
        seen.add(normalized.card_version_id)
        accepted.append(normalized)
    return accepted, rejected


async def _write_cards(repos, cards: list[NormalizedCard]):
    """The plain path for a few cards in the caller's transaction (no bulk-load machinery): staging,
    set-based upserts, and any card the database refuses isolated in a savepoint and reported."""
    await repos.catalog_load.create_staging()
    ctx = await load_context(repos.catalog_load, run_id=None,
                             observed_on=dt.datetime.now(dt.timezone.utc).date())
    batch = Batch({card.card_version_id: card for card in cards}, [], len(cards))
    return await write_isolating(repos, batch, ctx, atomic=True)


@service("card_catalog.card.create", repositories=["card", "catalog_load"], scope="steps")
async def create_card(*, uow, card: dict[str, Any]) -> str:
    accepted, rejected = _validate_cards([card])
    if rejected:
        raise UnprocessableError(f"card rejected: {rejected[0]['reason']}", code="card_rejected",
                                 details=rejected[0])
    async with uow.step() as repos:
        counts = await _write_cards(repos, accepted)
        if counts.refused:
            card_id, reason = counts.refused[0]
            raise UnprocessableError(f"card rejected: {reason}", code="card_rejected",
                                     details={"index": 0, "id": card_id, "reason": reason})
        return await repos.card.card_json(uuid.UUID(accepted[0].card_version_id))


@service("card_catalog.card.bulk_create", repositories=["catalog_load"], scope="steps")
async def bulk_create_cards(*, uow, cards: list[Any]) -> dict[str, Any]:
    if not cards:
        raise BadRequestError("no cards given")
    if len(cards) > MAX_BULK_CARDS:
        raise BadRequestError(f"at most {MAX_BULK_CARDS} cards per request", details={"count": len(cards)})
    accepted, rejected = _validate_cards(cards)
    inserted = updated = unchanged = 0
    refused: dict[str, str] = {}
    if accepted:
        async with uow.step() as repos:
            counts = await _write_cards(repos, accepted)
        inserted, updated, unchanged = counts.inserted, counts.updated, counts.unchanged
        refused = dict(counts.refused)
    index_of = {str(card.get("id")): index for index, card in enumerate(cards) if isinstance(card, dict)}
    rejected += [{"index": index_of.get(card_id), "id": card_id, "reason": reason} for card_id, reason in refused.items()]
    return {
        "inserted": inserted,
        "updated": updated,
        "unchanged": unchanged,
        "accepted_ids": [card.card_version_id for card in accepted if card.card_version_id not in refused],
        "rejected": sorted(rejected, key=lambda r: (r["index"] is None, r["index"] or 0)),
    }
