"""`automana ingest scryfall` (load Scryfall bulk data, with progress and a summary) and
`automana fake-scryfall` (serve a folder as a local fake of the Scryfall API)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from backend.core.settings import get_settings
from backend.integrations.scryfall.config import BULK_TYPES

ingest_app = typer.Typer(help="Load external data into the catalog.", no_args_is_help=True)
console = Console(stderr=True)


class _ProgressReporter:
    """Turns loader callbacks (bytes read of the file, counts so far) into a rich progress bar."""

    def __init__(self, progress: Progress, task_id):
        self.progress = progress
        self.task_id = task_id
        self.started = time.monotonic()

    def __call__(self, bytes_read: int, bytes_total: int, counts: Any) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        self.progress.update(self.task_id, completed=bytes_read, total=bytes_total,
                             cards=f"{counts.seen:,} cards", rate=f"{counts.seen / elapsed:,.0f} cards/s")


def _summary_table(result: dict[str, Any]) -> Table:
    table = Table(title=f"Scryfall run {result.get('run_id')}: {result.get('status')}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key in ("seen", "inserted", "updated", "unchanged", "rejected", "sets_created", "price_observations",
                "bytes", "cards_per_second", "duration_seconds", "reason"):
        if result.get(key) is not None:
            value = result[key]
            table.add_row(key.replace("_", " "), f"{value:,}" if isinstance(value, int) else str(value))
    return table


@ingest_app.command("scryfall")
def ingest_scryfall(
    bulk_type: Annotated[str, typer.Option(help="default_cards, all_cards or oracle_cards")] = "default_cards",
    file: Annotated[Optional[Path], typer.Option("--file", exists=True, dir_okay=False,
                                                 help="A local bulk JSON file (plain or .gz); no network")] = None,
    sets_file: Annotated[Optional[Path], typer.Option("--sets-file", exists=True, dir_okay=False,
                                                      help="A local /sets JSON file to load first")] = None,
    base_url: Annotated[Optional[str], typer.Option(help="Scryfall API base URL (default SCRYFALL_BASE_URL)")] = None,
    force: Annotated[bool, typer.Option(help="Load even if this bulk file was loaded before")] = False,
) -> None:
    """Load Scryfall cards: from the API (download + load), or from --file without any network."""
    import asyncio

    from backend.runtime import Runtime

    if bulk_type not in BULK_TYPES:
        raise typer.BadParameter(f"unknown bulk type {bulk_type!r}", param_hint="--bulk-type")
    if sets_file is not None and file is None:
        raise typer.BadParameter("--sets-file goes with --file (the API path fetches /sets itself)",
                                 param_hint="--sets-file")
    settings = get_settings()
    if not settings.database_url:
        console.print("[red]DATABASE_URL is not set[/red]")
        raise typer.Exit(2)
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
               TextColumn("{task.fields[cards]}"), TextColumn("{task.fields[rate]}"),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())

    async def load(reporter: _ProgressReporter) -> dict[str, Any]:
        async with Runtime(settings, service_type="cli") as runtime:
            if file is not None:
                return await runtime.execute_service(
                    "integrations.scryfall.load_file", path=str(file),
                    sets_path=str(sets_file) if sets_file else None, triggered_by="cli", progress=reporter)
            return await runtime.execute_service(
                "integrations.scryfall.run_pipeline", bulk_type=bulk_type, base_url=base_url,
                triggered_by="cli", force=force, progress=reporter)

    try:
        with Progress(*columns, console=console, transient=False) as progress:
            task_id = progress.add_task("scryfall", total=None, cards="0 cards", rate="")
            result = asyncio.run(load(_ProgressReporter(progress, task_id)))
    except Exception as exc:  # the CLI reports the domain message, not a traceback
        message = getattr(exc, "message", None) or str(exc)
        console.print(f"[red]Scryfall ingestion failed:[/red] {message}")
        raise typer.Exit(1) from None
    console.print(_summary_table(result))


def _run_key(key: str, **kwargs: Any) -> dict[str, Any]:
    import asyncio

    from backend.runtime import Runtime

    settings = get_settings()
    if not settings.database_url:
        console.print("[red]DATABASE_URL is not set[/red]")
        raise typer.Exit(2)

    async def run() -> dict[str, Any]:
        async with Runtime(settings, service_type="cli") as runtime:
            return await runtime.execute_service(key, **kwargs)

    try:
        return asyncio.run(run())
    except Exception as exc:  # the CLI reports the domain message, not a traceback
        console.print(f"[red]{key} failed:[/red] {getattr(exc, 'message', None) or exc}")
        raise typer.Exit(1) from None


def _print_counts(title: str, counts: dict[str, int]) -> None:
    table = Table(title=title)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in counts.items():
        table.add_row(key.replace("_", " "), f"{value:,}")
    console.print(table)


@ingest_app.command("rulings")
def ingest_rulings(
    file: Annotated[Path, typer.Option("--file", exists=True, dir_okay=False,
                                       help="A Scryfall rulings file (JSON array, plain or .gz)")],
) -> None:
    """Scryfall's rulings bulk file (or one another AutoMana generated)."""
    _print_counts("rulings load", _run_key("scryfall_compat.ruling.load_file", path=str(file)))


def fake_scryfall(
    data: Annotated[Path, typer.Option("--data", exists=True, file_okay=False,
                                       help="Folder with <bulk_type>.json[.gz] files and sets.json")],
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind")] = 8089,
    rate_limit: Annotated[float, typer.Option(help="Requests per second before answering 429 (0: off)")] = 10.0,
) -> None:
    """Serve a folder as a local fake of the Scryfall API (/bulk-data, /sets, bulk files)."""
    import uvicorn

    from backend.integrations.scryfall.fake_server import FakeScryfall

    fake = FakeScryfall(data)
    fake.base_url = f"http://{host}:{port}"
    fake.behaviour.max_requests_per_second = rate_limit or None
    console.print(f"fake Scryfall on {fake.base_url} serving {data} (set SCRYFALL_BASE_URL to use it)")
    uvicorn.run(fake.app, host=host, port=port, log_level="info")
