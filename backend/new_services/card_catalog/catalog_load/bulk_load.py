"""A bulk load: a reader one batch ahead of `writers` sessions that each normalise a batch in a
thread and write it (committed per batch), with progress after every batch."""
from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterable, Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

from backend.new_services.card_catalog.catalog_load.batches import normalize_batch, take
from backend.new_services.card_catalog.catalog_load.bulk_file import RawCard
from backend.new_services.card_catalog.catalog_load.process_tuning import fewer_gc_passes, release_free_memory
from backend.new_services.card_catalog.catalog_load.writer import LoadCounts, load_context, write_isolating

# The first batches are small, doubling up to the configured size: every writer gets work (and the
# database its first rows) sooner, and a small file is spread over all writers.
STARTING_BATCH_SIZE = 250


async def load_cards(uow, *, cards: Iterable[dict] | AsyncIterable[dict], batch_size: int, writers: int,
                     run_id: int | None = None, observed_on: dt.date | None = None, force: bool = False,
                     on_batch: Callable | None = None) -> LoadCounts:
    """Load Scryfall card objects (or RawCard lines of a bulk file) into the catalog.

    `cards` may be a (lazy) iterable or async iterable. Each batch is committed on its own, so a
    crash loses at most the batches in flight, and a re-run skips every card already loaded.
    `on_batch(counts_so_far)` (sync or async) is called after each committed batch. `writers`
    sessions write batches concurrently (locks are taken in key order, so they cannot deadlock).
    `observed_on` is the day of the data (default today): a stored printing written from newer data
    is kept as it is (counted `skipped_older`) unless `force`.
    """
    observed_on = observed_on or dt.datetime.now(dt.timezone.utc).date()
    with fewer_gc_passes():
        try:
            return await _load(uow, cards, run_id=run_id, observed_on=observed_on, force=force, batch_size=batch_size,
                               on_batch=on_batch, writers=max(1, writers))
        except BaseExceptionGroup as group:
            # Surface the first real error rather than a TaskGroup wrapper.
            raise group.exceptions[0] from None


async def _load(uow, cards, *, run_id, observed_on, force, batch_size, on_batch, writers) -> LoadCounts:
    total = LoadCounts()
    async with uow.session() as repos:
        ctx = await load_context(repos.catalog_load, run_id=run_id, observed_on=observed_on, force=force)
    # Two threads suffice (one reads, one parses; the GIL serialises Python work anyway), and few
    # threads mean few malloc arenas: memory stays flat as the file grows.
    threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="scryfall-load")
    loop = asyncio.get_running_loop()
    next_batch = _batch_source(cards, batch_size, threads)
    # Reading (a few ms a batch) runs ahead of the writers by one batch: memory stays bounded.
    queue: asyncio.Queue[list | None] = asyncio.Queue(maxsize=1)
    read_errors: list[Exception] = []

    async def produce() -> None:
        while True:
            try:
                batch = await next_batch()
            except Exception as exc:   # e.g. a truncated file: the batches already read still land
                read_errors.append(exc)
                batch = None
            await queue.put(batch)
            if batch is None:
                return

    async def write() -> None:
        async with uow.session() as repos:
            repo = repos.catalog_load
            await repo.tune_bulk_session()
            await repo.create_staging()
            try:
                while True:
                    items = await queue.get()
                    if items is None:
                        await queue.put(None)   # let the other writers see the end too
                        return
                    items, skipped = await _skip_unchanged_lines(repo, items)
                    # Parse and normalise in a thread: the other writer's database work goes on.
                    batch = await loop.run_in_executor(threads, normalize_batch, items)
                    del items   # the raw lines are not needed while the batch is written
                    counts = await write_isolating(repos, batch, ctx)
                    del batch
                    release_free_memory()
                    counts.seen += skipped
                    counts.unchanged += skipped
                    total.add(counts)
                    await _notify(on_batch, total)
            finally:
                if not repos.connection_closed():
                    await repo.drop_staging()

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(produce())
            for _ in range(writers):
                group.create_task(write())
    finally:
        threads.shutdown(wait=False, cancel_futures=True)
    if read_errors:
        raise read_errors[0]
    return total


async def _notify(callback, counts: LoadCounts) -> None:
    if callback is not None:
        result = callback(counts)
        if asyncio.iscoroutine(result):
            await result


def _batch_sizes(batch_size: int) -> Iterator[int]:
    size = max(1, min(batch_size, STARTING_BATCH_SIZE))
    while size < batch_size:
        yield size
        size *= 2
    while True:
        yield batch_size


def _batch_source(cards, batch_size: int, threads: ThreadPoolExecutor):
    """An async function returning the next list of input items (see _batch_sizes), or None."""
    sizes = _batch_sizes(batch_size)
    if hasattr(cards, "__aiter__"):
        aiterator = cards.__aiter__()

        async def next_async() -> list | None:
            raw, size = [], next(sizes)
            async for item in aiterator:
                raw.append(item)
                if len(raw) >= size:
                    break
            return raw or None

        return next_async

    iterator = iter(cards)

    async def next_sync() -> list | None:
        # Reading (decompressing, splitting) happens in a thread so the writers keep the loop.
        return await asyncio.get_running_loop().run_in_executor(threads, take, iterator, next(sizes)) or None

    return next_sync


async def _skip_unchanged_lines(repo, items: list) -> tuple[list, int]:
    """Drop RawCard lines whose bytes hash is the stored source_hash of their printing."""
    ids = [i.card_id for i in items if i.__class__ is RawCard and i.card_id is not None]
    if not ids:
        return items, 0
    stored = await repo.source_hashes(ids)
    keep = [i for i in items
            if not (i.__class__ is RawCard and i.card_id is not None and stored.get(i.card_id) == i.source_hash)]
    return keep, len(items) - len(keep)
