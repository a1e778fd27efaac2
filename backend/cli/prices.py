"""`automana ingest mtg-stock | mtgjson | tcgplayer-listings`: price sources loaded from the shell
(the same service keys the API and the workers run), each ending with a summary table."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from backend.cli.ingest import ingest_app
from backend.core.settings import get_settings

console = Console(stderr=True)


def _run(calls) -> dict[str, Any]:
    """Run `calls(runtime)` in a CLI runtime; expected failures become one line and exit code 1."""
    from backend.runtime import Runtime

    settings = get_settings()
    if not settings.database_url:
        console.print("[red]DATABASE_URL is not set[/red]")
        raise typer.Exit(2)

    async def main() -> dict[str, Any]:
        async with Runtime(settings, service_type="cli") as runtime:
            return await calls(runtime)

    try:
        return asyncio.run(main())
    except Exception as exc:  # the CLI reports the message, not a traceback
        console.print(f"[red]failed:[/red] {getattr(exc, 'message', None) or exc}")
        raise typer.Exit(1) from None


def _summary(title: str, result: dict[str, Any]) -> None:
    table = Table(title=title)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in result.items():
        if isinstance(value, (int, float, str)) and not isinstance(value, bool):
            table.add_row(key.replace("_", " "), f"{value:,}" if isinstance(value, int) else str(value))
        elif isinstance(value, dict) and value and all(isinstance(v, int) for v in value.values()):
            table.add_row(key.replace("_", " "), ", ".join(f"{k} {v:,}" for k, v in value.items()))
    console.print(table)


def _id_range(text: str) -> tuple[int, int]:
    start, _, end = text.partition("-")
    try:
        first, last = int(start), int(end or start)
    except ValueError:
        raise typer.BadParameter("expected FIRST-LAST, e.g. 1-500", param_hint="--range") from None
    if first < 1 or last < first:
        raise typer.BadParameter("need 1 <= FIRST <= LAST", param_hint="--range")
    return first, last


@ingest_app.command("mtg-stock")
def ingest_mtg_stock(
    id_range: Annotated[Optional[str], typer.Option("--range", help="Print ids FIRST-LAST (inclusive)")] = None,
    ids: Annotated[Optional[str], typer.Option("--ids", help="Comma-separated print ids")] = None,
    base_url: Annotated[Optional[str], typer.Option(help="MTGStocks API base URL (default MTG_STOCK_BASE_URL)")] = None,
    refetch: Annotated[bool, typer.Option(help="Ask again for prints fetched in the last day")] = False,
) -> None:
    """Load MTGStocks price history for print ids, here and now (politely: ~1 request/s)."""
    if (id_range is None) == (ids is None):
        raise typer.BadParameter("give exactly one of --range or --ids")
    selection: dict[str, Any] = {}
    if id_range is not None:
        selection["range_start"], selection["range_end"] = _id_range(id_range)
    else:
        try:
            selection["print_ids"] = [int(part) for part in ids.split(",") if part.strip()]
        except ValueError:
            raise typer.BadParameter("print ids are integers", param_hint="--ids") from None

    async def calls(runtime):
        started = await runtime.execute_service(
            "integrations.mtg_stock.start_load", **selection, base_url=base_url, triggered_by="cli", enqueue=False,
            refetch_after_seconds=0 if refetch else None)
        console.print(f"MTGStocks load {started['run_id']}: {started['prints']:,} prints in {started['chunks']} chunks")
        await runtime.execute_service("integrations.mtg_stock.run_load", run_id=started["run_id"])
        return await runtime.execute_service("integrations.mtg_stock.status", run_id=started["run_id"])

    result = _run(calls)
    _summary(f"MTGStocks load {result['run_id']}: {result['status']}", {**result["progress"],
                                                                         "rejects": result["rejects"]})


@ingest_app.command("mtgjson")
def ingest_mtgjson(
    directory: Annotated[Path, typer.Option("--dir", exists=True, file_okay=False,
                                            help="A folder of MTGJSON per-set files (SET.json or SET.json.gz)")],
) -> None:
    """Load MTGJSON's identifier links (TCGplayer / Cardmarket / Card Kingdom ids per printing), then its
    rulings, set metadata and the marketplace ids the catalog lacks (the /scryfall API's data)."""
    result = _run(lambda runtime: runtime.execute_service("pricing.mtgjson.load_links", directory=str(directory),
                                                          triggered_by="cli"))
    _summary(f"MTGJSON links run {result['run_id']}: {result['status']}", result)
    catalog = _run(lambda runtime: runtime.execute_service("scryfall_compat.mtgjson.load", directory=str(directory)))
    _summary("MTGJSON rulings, set metadata and catalog ids", catalog)


@ingest_app.command("tcgplayer-listings")
def ingest_tcgplayer_listings(
    file: Annotated[Path, typer.Option("--file", exists=True, dir_okay=False,
                                       help="A TCGplayer listings dump (main_listing.csv or .csv.gz)")],
) -> None:
    """Load a TCGplayer listings dump as daily low/market prices per printing, finish and condition."""
    started = time.monotonic()

    def progress(rows: int) -> None:
        console.print(f"  {rows:,} rows read ({rows / max(time.monotonic() - started, 1e-6):,.0f} rows/s)")

    result = _run(lambda runtime: runtime.execute_service("pricing.listing.load_file", path=str(file),
                                                          triggered_by="cli", progress=progress))
    _summary(f"TCGplayer listings run {result['run_id']}: {result['status']}", result)
