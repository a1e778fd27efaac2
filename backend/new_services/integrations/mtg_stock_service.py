"""MTGStocks price history: a load over print ids (a list or a range) is one ops run split into
chunks, one Celery task each, run one after another (one polite client at a time). Each print's
raw answers are staged, the print resolved to a printing and its daily series merged into the price
store in one transaction; what cannot be resolved is a reject, retried after each catalog load.

Resuming: a print fetched less than `refetch_after_seconds` ago is not asked for again, so a run
started after a failed one continues where it stopped; merging adds nothing already stored.
"""
from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from backend.core.settings import Settings
from backend.integrations.http_client import SYSTEM_CLOCK, Clock
from backend.integrations.mtg_stock.client import MtgStockClient
from backend.integrations.mtg_stock.errors import MalformedResponse
from backend.integrations.mtg_stock.parsing import parse_print_details, parse_price_series
from backend.new_services.integrations.mtg_stock_resolution import resolve
from backend.new_services.ops.pipeline_runs import RunFinished, fail_abandoned_runs, record_pipeline_event, run_step
from backend.new_services.service_manager import service
from backend.request_handling.errors import BadRequestError, ConflictError, NotFoundError, ServiceUnavailableError

logger = logging.getLogger(__name__)

PIPELINE = "mtg_stock"
LOAD_LOCK = "automana:mtg_stock:load"       # one chunk (one polite client) at a time
RUNS_LOCK = "automana:mtg_stock:runs"
LABEL = "MTGStocks load"
CHUNK_TASK = "automana.mtg_stock.load_chunk"
RETRY_TASK = "automana.mtg_stock.retry_rejects"
STAGE_TASK = "automana.mtg_stock.stage_folder"
MAX_LISTED_IDS = 10_000                     # ids stored in the run's params; more must be a range
MAX_STAGED_FILE_BYTES = 8 << 20
RETRY_BATCH = 5_000
COUNT_KEYS = ("requested", "already_fetched", "fetched", "not_found", "malformed", "resolved", "unresolved",
              "ambiguous", "points", "observations_written", "latest_changed")


def _chunks(params: dict[str, Any]) -> list[list[int]]:
    size = params["ids_per_task"]
    if params.get("print_ids"):
        ids = params["print_ids"]
        return [ids[i:i + size] for i in range(0, len(ids), size)]
    start, end = params["range_start"], params["range_end"]
    return [list(range(a, min(a + size, end + 1))) for a in range(start, end + 1, size)]


@service("integrations.mtg_stock.start_load", repositories=["ingestion_run"], scope="steps")
async def start_load(*, uow, task_queue, settings: Settings, print_ids: list[int] | None = None,
                     range_start: int | None = None, range_end: int | None = None, triggered_by: str | None = None,
                     base_url: str | None = None, refetch_after_seconds: float | None = None,
                     enqueue: bool = True) -> dict[str, Any]:
    """Create a run over `print_ids` or [range_start, range_end] and queue its chunks (in order)."""
    config = settings.mtg_stock
    if print_ids:
        if range_start is not None or range_end is not None:
            raise BadRequestError("give print_ids or range_start+range_end, not both")
        if any(isinstance(i, bool) or not isinstance(i, int) or i <= 0 for i in print_ids):
            raise BadRequestError("print_ids must be positive integers")
        ids = sorted(set(print_ids))
        if len(ids) > MAX_LISTED_IDS:
            raise BadRequestError(f"at most {MAX_LISTED_IDS} print_ids; use range_start and range_end for more")
        params: dict[str, Any] = {"print_ids": ids}
        run_key, count = f"ids:{ids[0]}-{ids[-1]}:{len(ids)}", len(ids)
    else:
        if range_start is None or range_end is None:
            raise BadRequestError("give print_ids, or both range_start and range_end")
        if range_start <= 0 or range_end < range_start:
            raise BadRequestError("need 0 < range_start <= range_end",
                                  details={"range_start": range_start, "range_end": range_end})
        params = {"range_start": range_start, "range_end": range_end}
        run_key, count = f"range:{range_start}-{range_end}", range_end - range_start + 1
    if count > config.max_ids_per_load:
        raise BadRequestError(f"a load may cover at most {config.max_ids_per_load} print ids, not {count}")
    params["ids_per_task"] = config.ids_per_task
    params["refetch_after_seconds"] = (config.refetch_after_seconds if refetch_after_seconds is None
                                       else float(refetch_after_seconds))
    if base_url:
        params["base_url"] = base_url
    chunks = len(_chunks(params))
    params["chunks"] = chunks
    async with uow.step() as repos:
        repo = repos.ingestion_run
        await repo.xact_lock(RUNS_LOCK)
        await fail_abandoned_runs(repo, PIPELINE, lock_name=LOAD_LOCK, stale_after=3 * 3600)
        active = [await repo.get_run(r["id"]) for r in await repo.active_runs(PIPELINE, 3 * 3600)]
        clash = next((r for r in active if r.get("run_key") == run_key), None)
        if clash is None:
            run_id = await repo.create_run(pipeline=PIPELINE, run_key=run_key, status="pending",
                                           triggered_by=triggered_by, params=params)
    if clash is not None:
        raise ConflictError(f"a load of the same print ids (run {clash['id']}) is already {clash['status']}",
                            details={"run_id": clash["id"]}, code="run_in_progress")
    if enqueue:
        try:
            await task_queue.enqueue_chain([(CHUNK_TASK, (run_id, index), {}) for index in range(chunks)])
        except ServiceUnavailableError:
            async with uow.step() as repos:
                await repos.ingestion_run.finish_run(run_id, status="failed", error="could not queue the load")
            raise
    record_pipeline_event(PIPELINE, "mtgstocks load queued", run_id=run_id, prints=count, chunks=chunks)
    return {"run_id": run_id, "status": "pending", "prints": count, "chunks": chunks}


async def _get_run(uow, run_id: int) -> dict[str, Any]:
    async with uow.session() as repos:
        run = await repos.ingestion_run.get_run(run_id)
    if run is None or run["pipeline"] != PIPELINE:
        raise NotFoundError(f"MTGStocks load {run_id} does not exist", details={"run_id": run_id})
    return run


@service("integrations.mtg_stock.load_chunk", repositories=["ingestion_run", "mtg_stock", "price"], scope="steps")
async def load_chunk(*, uow, settings: Settings, run_id: int, chunk: int, clock: Clock | None = None,
                     transport: Any = None) -> dict[str, Any]:
    """Fetch, stage, resolve and load the prints of one chunk of a run; the last chunk finishes the run.
    MTGStocks failing after retries fails the step and the run (what was loaded stays)."""
    run = await _get_run(uow, run_id)
    params = run["params"]
    chunks = _chunks(params)
    if not 0 <= chunk < len(chunks):
        raise BadRequestError(f"run {run_id} has chunks 0..{len(chunks) - 1}, not {chunk}")
    ids = chunks[chunk]
    config = settings.mtg_stock
    if params.get("base_url"):
        config = config.model_copy(update={"base_url": params["base_url"]})
    counts: Counter = Counter()
    skipped: Counter = Counter()
    try:
        async with run_step(uow, run_id, f"chunk_{chunk:05d}", lock_name=LOAD_LOCK, pipeline=PIPELINE,
                            label=LABEL, lock_wait_seconds=60.0) as step:
            async with uow.session() as repos:
                fresh = await repos.mtg_stock.fresh_print_ids(ids, params["refetch_after_seconds"])
                source_id = (await repos.price.source_ids())["mtgstocks"]
            counts["requested"] = len(ids)
            counts["already_fetched"] = len(fresh)
            async with MtgStockClient(config, transport=transport, clock=clock) as client:
                if len(fresh) < len(ids):
                    # The rate limit is per client: the previous chunk's last request may have been
                    # a moment ago, so this chunk starts one interval late.
                    await (clock or SYSTEM_CLOCK).sleep(1.0 / config.requests_per_second)
                for print_id in ids:
                    if print_id in fresh:
                        continue
                    await _fetch_and_load(uow, client, print_id, run_id, source_id, counts, skipped)
                    await step.progress({**counts, "last_print_id": print_id})
            step.counts = {**counts, "skipped_points": dict(skipped)}
    except RunFinished as finished:
        return finished.as_result(run_id)
    return await _finish_if_complete(uow, run_id, len(chunks), step.counts)


async def _fetch_and_load(uow, client: MtgStockClient, print_id: int, run_id: int, source_id: int,
                          counts: Counter, skipped: Counter) -> None:
    details_raw = prices_raw = None
    problem: tuple[str, str] | None = None
    try:
        details_raw = await client.print_details(print_id)
        if details_raw is None:
            problem = ("not_found", "MTGStocks answered 404")
        else:
            prices_raw = await client.print_prices(print_id)
            if prices_raw is None:
                problem = ("not_found", "MTGStocks answered 404 for the prices")
    except MalformedResponse as exc:
        problem = ("malformed_response", exc.reason)
    counts["fetched"] += 1
    async with uow.step() as repos:
        await repos.mtg_stock.stage_print(print_id, _json(details_raw), _json(prices_raw), run_id)
        if problem is not None:
            await repos.mtg_stock.reject(print_id, problem[0], problem[1], run_id=run_id)
            counts["not_found" if problem[0] == "not_found" else "malformed"] += 1
            return
        await _resolve_and_load(repos, print_id, details_raw, prices_raw, run_id, source_id, counts, skipped)


async def _resolve_and_load(repos, print_id: int, details_raw: Any, prices_raw: Any, run_id: int | None,
                            source_id: int, counts: Counter, skipped: Counter) -> bool:
    """Resolve a staged print and merge its series (in the caller's transaction). True when loaded."""
    try:
        details = parse_print_details(details_raw)
    except MalformedResponse as exc:
        await repos.mtg_stock.reject(print_id, "malformed_response", exc.reason, run_id=run_id)
        counts["malformed"] += 1
        return False
    found = await resolve(repos.mtg_stock, details)
    if found.card_version_id is None:
        await repos.mtg_stock.reject(print_id, found.reason, found.detail, run_id=run_id, candidates=found.candidates)
        counts[found.reason] += 1
        return False
    try:
        points = parse_price_series(prices_raw or {}, print_finish=found.finish, skipped=skipped)
    except MalformedResponse as exc:
        await repos.mtg_stock.reject(print_id, "malformed_response", exc.reason, run_id=run_id)
        counts["malformed"] += 1
        return False
    await repos.price.create_observation_staging()
    await repos.price.stage_observations(
        (found.card_version_id, source_id, p.finish, "NM", "USD", p.price_type, p.day, p.cents, None) for p in points)
    written, latest = await repos.price.merge_staged_observations(run_id)
    await repos.mtg_stock.mark_resolved(print_id, found.card_version_id, found.finish, found.resolved_by, len(points))
    counts["resolved"] += 1
    counts["points"] += len(points)
    counts["observations_written"] += written
    counts["latest_changed"] += latest
    return True


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


async def _finish_if_complete(uow, run_id: int, chunk_count: int, last_counts: dict) -> dict[str, Any]:
    async with uow.step() as repos:
        repo = repos.ingestion_run
        run = await repo.get_run_for_update(run_id)
        steps = await repo.list_steps(run_id)
        done = [s for s in steps if s["name"].startswith("chunk_") and s["status"] == "succeeded"]
        totals: Counter = Counter()
        for one in done:
            totals.update({k: v for k, v in one["counts"].items() if k in COUNT_KEYS and isinstance(v, int)})
        summary = {**{k: totals.get(k, 0) for k in COUNT_KEYS}, "chunks_done": len(done), "chunks": chunk_count}
        status = run["status"]
        if len(done) >= chunk_count and status not in ("succeeded", "failed", "skipped"):
            await repo.finish_run(run_id, status="succeeded", counts=summary)
            status = "succeeded"
        else:
            await repo.heartbeat(run_id, summary)
    if status == "succeeded":
        record_pipeline_event(PIPELINE, "mtgstocks load finished", run_id=run_id, **summary)
    return {"run_id": run_id, "status": status, **summary, "chunk_counts": last_counts}


@service("integrations.mtg_stock.run_load", repositories=["ingestion_run"], scope="steps")
async def run_load(*, uow, services, run_id: int, clock: Clock | None = None, transport: Any = None) -> dict[str, Any]:
    """Run every chunk of a run here, in order (the CLI; tests). Stops at the first failed chunk."""
    run = await _get_run(uow, run_id)
    result: dict[str, Any] = {"run_id": run_id, "status": run["status"]}
    for index in range(len(_chunks(run["params"]))):
        result = await services.execute_service("integrations.mtg_stock.load_chunk", run_id=run_id, chunk=index,
                                                clock=clock, transport=transport)
    return result


@service("integrations.mtg_stock.status", repositories=["ingestion_run", "mtg_stock"], scope="steps")
async def status(*, uow, run_id: int) -> dict[str, Any]:
    """A load's run, its chunks' progress and the reject counts."""
    run = await _get_run(uow, run_id)
    async with uow.session() as repos:
        steps = await repos.ingestion_run.list_steps(run_id)
        rejects = await repos.mtg_stock.reject_counts()
    progress: Counter = Counter()
    for one in steps:
        progress.update({k: v for k, v in one["counts"].items() if k in COUNT_KEYS and isinstance(v, int)})
    params = run["params"]
    return {"run_id": run_id, "status": run["status"], "created_at": run["created_at"],
            "started_at": run.get("started_at"), "finished_at": run.get("finished_at"), "error": run.get("error"),
            "print_ids": len(params.get("print_ids") or []) or None, "range_start": params.get("range_start"),
            "range_end": params.get("range_end"), "chunks": params.get("chunks"),
            "chunks_done": sum(1 for s in steps if s["status"] == "succeeded"),
            "progress": {k: progress.get(k, 0) for k in COUNT_KEYS}, "rejects": rejects,
            "steps": [{"name": s["name"], "status": s["status"], "counts": s["counts"], "error": s.get("error")}
                      for s in steps]}


@service("integrations.mtg_stock.retry_rejects", repositories=["mtg_stock", "price"], scope="steps")
async def retry_rejects(*, uow, limit: int = RETRY_BATCH) -> dict[str, Any]:
    """Resolve the unresolved/ambiguous prints again from their staged answers (no network): run
    after each catalog load. Returns how many resolved and how many remain."""
    counts: Counter = Counter()
    skipped: Counter = Counter()
    async with uow.session() as repos:
        print_ids = await repos.mtg_stock.retryable_rejects(limit)
        source_id = (await repos.price.source_ids())["mtgstocks"]
    for print_id in print_ids:
        async with uow.step() as repos:
            staged = await repos.mtg_stock.staged_print(print_id)
            if staged is None or staged["details"] is None:
                continue
            await _resolve_and_load(repos, print_id, orjson.loads(staged["details"]),
                                    orjson.loads(staged["prices"]) if staged["prices"] else {}, None, source_id,
                                    counts, skipped)
    result = {"retried": len(print_ids), **{k: counts.get(k, 0) for k in ("resolved", "unresolved", "ambiguous",
                                                                         "malformed", "observations_written")}}
    if print_ids:
        record_pipeline_event(PIPELINE, "mtgstocks rejects retried", **result)
    return result


def _import_folder(settings: Settings, folder: str) -> Path:
    root = (settings.data_dir / "mtg_stock").resolve()
    path = (root / folder).resolve()
    if root not in path.parents and path != root:
        raise BadRequestError("folder must lie inside the MTGStocks import folder (<DATA_DIR>/mtg_stock)",
                              details={"folder": folder})
    if not path.is_dir():
        raise NotFoundError(f"no folder {folder!r} in the MTGStocks import folder", details={"folder": folder})
    return path


@service("integrations.mtg_stock.start_stage", repositories=["ingestion_run"], scope="steps")
async def start_stage(*, uow, task_queue, settings: Settings, folder: str, triggered_by: str | None = None,
                      enqueue: bool = True) -> dict[str, Any]:
    """Check the folder and queue its staging and load as a run."""
    _import_folder(settings, folder)
    async with uow.step() as repos:
        run_id = await repos.ingestion_run.create_run(pipeline=PIPELINE, run_key=f"folder:{folder}", status="pending",
                                                      triggered_by=triggered_by, params={"folder": folder})
    if enqueue:
        try:
            await task_queue.enqueue(STAGE_TASK, args=[run_id])
        except ServiceUnavailableError:
            async with uow.step() as repos:
                await repos.ingestion_run.finish_run(run_id, status="failed", error="could not queue the load")
            raise
    return {"run_id": run_id, "status": "pending", "prints": None, "chunks": 1}


@service("integrations.mtg_stock.queue_reject_retry", scope="autocommit")
async def queue_reject_retry(*, task_queue, services) -> dict[str, Any]:
    """After a catalog load: queue the reject retry; without a reachable broker, run it here (it
    needs no network). Never fails the caller's load."""
    try:
        task_id = await task_queue.enqueue(RETRY_TASK)
        return {"queued": True, "task_id": task_id}
    except ServiceUnavailableError:
        pass
    try:
        return {"queued": False, **await services.execute_service("integrations.mtg_stock.retry_rejects")}
    except Exception as exc:  # a failed retry must not fail the catalog load that triggered it
        logger.warning("retrying MTGStocks rejects failed: %s", exc)
        return {"queued": False, "error": str(exc)}


@service("integrations.mtg_stock.stage_folder", repositories=["ingestion_run", "mtg_stock", "price"], scope="steps")
async def stage_folder(*, uow, settings: Settings, run_id: int) -> dict[str, Any]:
    """Stage saved MTGStocks answers from the run's folder under `<DATA_DIR>/mtg_stock/` and load
    them: `*.json` files holding a print (`GET /prints/{id}`), and `prices_<id>.json` files holding
    its series (a print without one is loaded with no prices). No network."""
    run = await _get_run(uow, run_id)
    folder = run["params"].get("folder")
    if folder is None:
        raise BadRequestError(f"run {run_id} is not a folder load")
    counts: Counter = Counter()
    skipped: Counter = Counter()
    try:
        async with run_step(uow, run_id, "stage_folder", lock_name=LOAD_LOCK, pipeline=PIPELINE, label=LABEL,
                            lock_wait_seconds=60.0) as step:
            files = sorted(p for p in _import_folder(settings, folder).glob("*.json") if p.is_file())
            prints, prices = _read_folder(files, counts)
            async with uow.session() as repos:
                source_id = (await repos.price.source_ids())["mtgstocks"]
            for print_id, details in sorted(prints.items()):
                async with uow.step() as repos:
                    await repos.mtg_stock.stage_print(print_id, _json(details), _json(prices.get(print_id)), run_id)
                    await _resolve_and_load(repos, print_id, details, prices.get(print_id), run_id, source_id,
                                            counts, skipped)
                await step.progress(dict(counts))
            step.counts = dict(counts)
    except RunFinished as finished:
        return finished.as_result(run_id)
    async with uow.step() as repos:
        await repos.ingestion_run.finish_run(run_id, status="succeeded", counts=step.counts)
    return {"run_id": run_id, "status": "succeeded", **step.counts}


def _read_folder(files: list[Path], counts: Counter) -> tuple[dict[int, Any], dict[int, Any]]:
    prints: dict[int, Any] = {}
    prices: dict[int, Any] = {}
    for file in files:
        if file.stat().st_size > MAX_STAGED_FILE_BYTES:
            counts["files_too_large"] += 1
            continue
        try:
            body = orjson.loads(file.read_bytes())
        except orjson.JSONDecodeError:
            counts["files_not_json"] += 1
            continue
        stem = file.stem
        if stem.startswith("prices_") and stem[7:].isdigit():
            prices[int(stem[7:])] = body
        elif isinstance(body, dict) and isinstance(body.get("id"), int) and body.get("name"):
            prints[body["id"]] = body
        else:
            counts["files_not_prints"] += 1
    counts["files"] = len(files)
    return prints, prices
