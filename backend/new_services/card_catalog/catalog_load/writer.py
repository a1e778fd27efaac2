"""Writing normalised batches into the catalog: new rows by COPY straight into the tables, changed
rows through staging and set-based upserts, refused cards isolated by bisection and rejected."""
from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import asyncpg
import orjson

from backend.new_services.card_catalog.catalog_load.batches import Batch
from backend.new_services.card_catalog.catalog_load.normalize import NormalizedCard

# Errors about one row's data (class 22: bad encoding, overflow...; class 23: constraints; 54000: a value
# too large for an index).
_ROW_ERRORS = (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError, asyncpg.ProgramLimitExceededError)
# What a plain COPY of rows believed new can run into: another writer (or process) wrote one of
# them first, or a set was re-keyed meanwhile. The set-based upsert copes with both.
_COPY_CONFLICTS = (asyncpg.UniqueViolationError, asyncpg.ForeignKeyViolationError,
                   asyncpg.DeadlockDetectedError)
# (price key, finish, currency) of the day's Scryfall prices.
_PRICE_SLOTS = (("usd", "nonfoil", "USD"), ("usd_foil", "foil", "USD"), ("usd_etched", "etched", "USD"),
                ("eur", "nonfoil", "EUR"), ("eur_foil", "foil", "EUR"), ("tix", "nonfoil", "TIX"))
_COUNTERS = ("inserted", "updated", "unchanged", "skipped_older", "rejected", "sets_created", "oracle_inserted",
             "oracle_updated", "price_observations", "latest_prices", "seen")


@dataclass
class LoadCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    # Changed printings kept as stored because they were written from newer data (see LoadContext.force).
    skipped_older: int = 0
    rejected: int = 0
    sets_created: int = 0
    oracle_inserted: int = 0
    oracle_updated: int = 0
    price_observations: int = 0
    latest_prices: int = 0
    seen: int = 0
    # Cards the database refused, as (scryfall id, reason): callers that answer per card report them.
    refused: list[tuple[str, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, other: "LoadCounts") -> None:
        for name in _COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.refused.extend(other.refused)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("refused")
        extra = data.pop("extra")
        return {**data, **extra}


@dataclass(slots=True)
class LoadContext:
    set_ids: dict[str, str]          # set code -> set id, for every set a written card may hang off
    source_id: int
    run_id: int | None
    observed_on: dt.date              # the day of the data: the printings' source_date and the prices' day
    observed_at: dt.datetime
    # Also overwrite printings stored from data newer than observed_on (an older file, applied on purpose).
    force: bool = False
    # Oracle rows and card-created sets are shared by many batches: one writer at a time writes
    # them, so two never insert the same oracle id at once (the other writer meanwhile COPies its
    # printings). Letting writers insert disjoint oracle ids in parallel measured slower: both
    # then fight over the same GIN index pages.
    parents_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


async def load_context(repo, *, run_id: int | None, observed_on: dt.date, force: bool = False) -> LoadContext:
    # The day's month partition of the price store, so the prices land in it (not the default one).
    await repo.ensure_price_partition(observed_on)
    return LoadContext(set_ids=await repo.set_ids(), source_id=await repo.price_source_id("scryfall"),
                       run_id=run_id, observed_on=observed_on, force=force,
                       observed_at=dt.datetime.combine(observed_on, dt.time(), tzinfo=dt.timezone.utc))


async def write_isolating(repos, batch: Batch, ctx: LoadContext, *, atomic: bool = False) -> LoadCounts:
    """Write a batch; if the database refuses it because of some card's data, split it in halves
    until the refused cards are alone, and reject just those (with the database's reason).

    `atomic`: the caller's transaction is open (a service in scope `transaction`), so each attempt
    runs in a savepoint that a refusal rolls back, leaving the transaction usable.
    """
    try:
        if atomic:
            async with repos.transaction():
                return await _write_batch(repos, batch, ctx)
        return await _write_batch(repos, batch, ctx)
    except _ROW_ERRORS as exc:
        if atomic:
            # The savepoint took back the sets this attempt created: forget them too.
            ctx.set_ids.clear()
            ctx.set_ids.update(await repos.catalog_load.set_ids())
        if len(batch.cards) <= 1:
            reason = f"database refused the card: {type(exc).__name__}: {exc}"[:1000]
            refused = [(card_id, reason) for card_id in batch.cards]
            rejects = batch.rejects + [(card_id, reason, orjson.dumps({"id": card_id}).decode())
                                       for card_id, reason in refused]
            async with repos.transaction():
                await repos.catalog_load.insert_rejects(ctx.run_id, rejects)
            return LoadCounts(seen=batch.seen, rejected=len(rejects), refused=refused)
    items = list(batch.cards.items())
    middle = len(items) // 2
    first = await write_isolating(repos, Batch(dict(items[:middle]), batch.rejects, batch.seen), ctx, atomic=atomic)
    second = await write_isolating(repos, Batch(dict(items[middle:]), [], 0), ctx, atomic=atomic)
    first.add(second)
    return first


async def _write_batch(repos, batch: Batch, ctx: LoadContext) -> LoadCounts:
    repo = repos.catalog_load
    counts = LoadCounts(seen=batch.seen, rejected=len(batch.rejects))
    cards = batch.cards
    stored = await repo.version_hashes(list(cards))
    # Printings stored from newer data than this load's: an older file never reverts them (unless forced).
    older = set() if ctx.force else {card_id for card_id, (_, day) in stored.items()
                                      if day is not None and day > ctx.observed_on}
    todo = [c for c in cards.values() if stored.get(c.card_version_id, (None,))[0] != c.version_hash]
    counts.unchanged = len(cards) - len(todo)
    if len(todo) < len(cards):
        # Unchanged columns, but a field only the card object keeps (a watermark, a URI...) may have
        # changed, or the printing predates kept documents: those documents are written.
        await repo.refresh_documents([(c.card_version_id, c.document) for c in cards.values()
                                      if c.card_version_id not in older
                                      and stored.get(c.card_version_id, (None,))[0] == c.version_hash])
    current = [c for c in todo if c.card_version_id not in older]
    if current:
        async with ctx.parents_lock:
            counts.sets_created = await _write_sets(repo, current, ctx)
            counts.oracle_inserted, counts.oracle_updated = await _write_oracles(repos, current)
    new = [c for c in todo if c.card_version_id not in stored]
    try:
        written = await _write_printings(repos, batch, new, [c for c in todo if c.card_version_id in stored],
                                         ctx, older)
    except _COPY_CONFLICTS:
        if not new:
            raise
        written = await _write_printings(repos, batch, [], todo, ctx, older)
    counts.add(written)
    return counts


async def _write_sets(repo, cards: list[NormalizedCard], ctx: LoadContext) -> int:
    """Create the sets these cards name that the catalog lacks (from the cards' own fields)."""
    missing: dict[str, tuple] = {}
    for c in cards:
        if c.set_code not in ctx.set_ids and c.set_code not in missing:
            missing[c.set_code] = c.set_row
    if not missing:
        return 0
    created = await repo.insert_sets_from_cards(list(missing.values()))
    # A set another process created meanwhile keeps its own id: read back what is stored.
    ctx.set_ids.update(await repo.set_ids(list(missing)))
    return len(created)


async def _write_oracles(repos, cards: list[NormalizedCard]) -> tuple[int, int]:
    """One oracle row per oracle id: the best-ranked printing of the batch, written only when it
    outranks (or equals) the printing the stored row came from. Committed on its own, before the
    printings that reference it."""
    repo = repos.catalog_load
    best: dict[str, NormalizedCard] = {}
    for c in cards:
        current = best.get(c.oracle_id)
        if current is None or c.oracle_rank > current.oracle_rank:
            best[c.oracle_id] = c
    stored = await repo.oracle_hashes(list(best))
    new_rows, changed_rows = [], []
    for oracle_id, c in best.items():
        prior = stored.get(oracle_id)
        if prior is None:
            new_rows.append(c.oracle)
        elif prior[0] != c.oracle_hash and (prior[1] is None or prior[1] <= c.oracle_rank):
            changed_rows.append(c.oracle)
    inserted = updated = 0
    if not (new_rows or changed_rows):
        return 0, 0
    async with repos.transaction():
        if new_rows:
            try:
                async with repos.transaction():
                    await repo.copy_oracle_cards(new_rows)
                inserted = len(new_rows)
            except asyncpg.UniqueViolationError:
                changed_rows += new_rows   # written meanwhile by another process
        if changed_rows:
            await repo.stage_oracles(changed_rows)
            more, updated = await repo.upsert_oracle_cards()
            inserted += more
    return inserted, updated


async def _write_printings(repos, batch: Batch, new: list[NormalizedCard], changed: list[NormalizedCard],
                           ctx: LoadContext, older: set[str] = frozenset()) -> LoadCounts:
    """The printings, their prices and the batch's rejects: all or nothing. Printings not stored
    yet are COPied straight into the catalog; the others go through staging and a set-based upsert.
    `older`: stored printings this load must not overwrite (their prices still join that day's
    history; the upsert itself keeps them). Returns what was written (counted once the transaction commits)."""
    repo = repos.catalog_load
    counts = LoadCounts()
    async with repos.transaction():
        if new:
            # Key order, so writers that happen to hold the same printing cannot deadlock.
            new.sort(key=lambda c: c.card_version_id)
            await repo.copy_card_versions([c.version for c in new], [ctx.set_ids.get(c.set_code) for c in new],
                                          ctx.observed_at, ctx.observed_on)
            counts.inserted = len(new)
            await repo.copy_documents([(c.card_version_id, c.document) for c in new])
            observations = [(c.card_version_id, finish, currency, cents)
                            for c in new if c.prices
                            for key, finish, currency in _PRICE_SLOTS if (cents := c.prices.get(key)) is not None]
            if observations:
                await repo.copy_new_prices(observations, source_id=ctx.source_id, observed_on=ctx.observed_on,
                                           run_id=ctx.run_id)
                counts.price_observations = counts.latest_prices = len(observations)
        if changed:
            await repo.stage_versions([c.version for c in changed])
            inserted, updated = await repo.upsert_card_versions(ctx.observed_at, source_date=ctx.observed_on,
                                                                force=ctx.force)
            await repo.upsert_documents([(c.card_version_id, c.document) for c in changed
                                         if c.card_version_id not in older])
            counts.inserted += inserted
            counts.updated = updated
            counts.skipped_older = sum(1 for c in changed if c.card_version_id in older)
            counts.unchanged = len(changed) - inserted - updated - counts.skipped_older
            if any(c.prices for c in changed):
                observed, latest = await repo.upsert_prices(source_id=ctx.source_id, observed_on=ctx.observed_on,
                                                            run_id=ctx.run_id)
                counts.price_observations += observed
                counts.latest_prices += latest
        await repo.insert_rejects(ctx.run_id, batch.rejects)
        if counts.latest_prices:
            await repo.note_prices_changed()
    return counts
