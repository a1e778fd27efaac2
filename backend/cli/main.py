"""`automana`: run the stack (up/serve/worker/beat), migrate, and run service keys from the shell.

Sub-command groups from other modules are added at the bottom (`app.add_typer`).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from backend.core.settings import embedded_env_file, get_settings

app = typer.Typer(help="AutoMana: Magic: The Gathering catalog, collections and prices.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
console = Console(stderr=True)


@app.callback()
def _configure(ctx: typer.Context,
               debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of failures")] = False) -> None:
    # Warnings and pipeline events of CLI runs are stored like the API's and workers'; `serve`,
    # `worker` and `up` configure their own processes.
    if ctx.invoked_subcommand not in {"serve", "worker", "beat", "up"}:
        from backend.core.logging_config import configure_logging

        configure_logging(get_settings(), "cli", console_level="WARNING")


HostOpt = Annotated[str, typer.Option(help="Interface to bind")]
PortOpt = Annotated[int, typer.Option(help="Port to bind")]


def _require_database_url() -> str:
    url = get_settings().database_url
    if not url:
        console.print("[red]DATABASE_URL is not set[/red] (use `automana up` for embedded services)")
        raise typer.Exit(2)
    return url


@app.command()
def migrate() -> None:
    """Apply pending database migrations (each once, under a lock)."""
    _require_database_url()
    applied = _migrate(get_settings())
    console.print(f"applied {len(applied)} migration(s)" + "".join(f"\n  {m.path.name}" for m in applied))


def _migrate(settings):
    from backend.database.migrate import migrate as run_migrations
    from backend.runtime import open_sync_pool

    pool = open_sync_pool(settings)
    try:
        return run_migrations(pool)
    finally:
        pool.close()


@app.command()
def serve(host: HostOpt = "127.0.0.1", port: PortOpt = 8000,
          workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1) -> None:
    """Run the API with uvicorn (no auto-reload: this is the production entry point too)."""
    import uvicorn

    _require_database_url()
    uvicorn.run("backend.main:app", host=host, port=port, workers=workers, proxy_headers=True,
                forwarded_allow_ips=",".join(get_settings().trusted_proxies), log_config=None,
                server_header=False)   # no "server: uvicorn" banner


@app.command()
def worker(concurrency: Annotated[int, typer.Option(help="prefork child processes")] = 2,
           loglevel: str = "INFO") -> None:
    """Run a Celery worker (prefork, so time limits can terminate a stuck task)."""
    from celery_app.celery_main_app import celery_app

    celery_app.worker_main(["worker", f"--concurrency={concurrency}", "--pool=prefork", f"--loglevel={loglevel}",
                            "--without-gossip", "--without-mingle"])


@app.command()
def beat(loglevel: str = "INFO") -> None:
    """Run Celery beat. Run exactly one per deployment."""
    from celery_app.celery_main_app import celery_app

    schedule_file = get_settings().data_dir / "celerybeat-schedule"
    schedule_file.parent.mkdir(parents=True, exist_ok=True)
    celery_app.start(["beat", f"--loglevel={loglevel}", f"--schedule={schedule_file}"])


@app.command("run")
def run_key(key: Annotated[str, typer.Argument(help="service key, e.g. ops.logs.prune")],
            kwargs: Annotated[str, typer.Option("--kwargs", help="JSON object of keyword arguments")] = "{}",
            via_celery: Annotated[bool, typer.Option("--celery", help="send to a worker and wait")] = False) -> None:
    """Run one registry service key, in-process or through a Celery worker."""
    arguments = json.loads(kwargs)
    if not isinstance(arguments, dict):
        raise typer.BadParameter("--kwargs must be a JSON object")
    if via_celery:
        from celery_app.tasks.registry_tasks import run_service

        result = run_service.delay(key, arguments).get(timeout=3600)
    else:
        from backend.runtime import run_service_key

        result = run_service_key(key, arguments, settings=get_settings())
    typer.echo(json.dumps(result, default=str, indent=2))


@app.command()
def up(host: HostOpt = "127.0.0.1", port: PortOpt = 8000,
       concurrency: Annotated[int, typer.Option(help="worker processes")] = 2) -> None:
    """Start everything on this machine: embedded Postgres/Redis when none are configured,
    migrations, then the API, a Celery worker and beat as child processes. Ctrl-C stops all."""
    from backend.core.embedded import EmbeddedServices

    started = time.monotonic()
    # A file left by an `up` that was killed must not make stale URLs look configured.
    embedded_file = embedded_env_file()
    embedded_file.unlink(missing_ok=True)
    get_settings.cache_clear()
    settings = get_settings()
    env = dict(os.environ)
    embedded = EmbeddedServices(settings.data_dir)
    try:
        if not settings.database_url:
            env["DATABASE_URL"] = embedded.start_postgres("automana")
            console.print(f"embedded Postgres: data in {settings.data_dir / 'pgdata'}")
        if not settings.celery_broker_url:
            env["REDIS_URL"] = embedded.start_redis()
            env.pop("CELERY_BROKER_URL", None)
            env.pop("CELERY_RESULT_BACKEND", None)
            console.print(f"embedded Redis: {env['REDIS_URL']}")
        if "DATABASE_URL" in env.keys() - os.environ.keys() or "REDIS_URL" in env.keys() - os.environ.keys():
            _write_embedded_env(embedded_file, env)
        database_url = env.get("DATABASE_URL") or settings.database_url
        applied = _migrate(settings.model_copy(update={"database_url": database_url}))
        console.print(f"migrations: {len(applied)} applied")
        python = sys.executable
        children = {
            "api": subprocess.Popen([python, "-m", "backend.cli", "serve", "--host", host, "--port", str(port)], env=env),
            "worker": subprocess.Popen([python, "-m", "backend.cli", "worker", "--concurrency", str(concurrency)], env=env),
            "beat": subprocess.Popen([python, "-m", "backend.cli", "beat"], env=env),
        }
        _wait_until_ready(host, port, children["api"])
        console.print(f"[green]AutoMana is up[/green] in {time.monotonic() - started:.1f}s: "
                      f"API http://{host}:{port}/  docs http://{host}:{port}/docs  (Ctrl-C stops everything)")
        _supervise(children)
    finally:
        embedded_file.unlink(missing_ok=True)
        embedded.stop()


def _write_embedded_env(path: Path, env: dict[str, str]) -> None:
    lines = [f"{name}={env[name]}" for name in ("DATABASE_URL", "REDIS_URL") if name in env]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# written by `automana up` while its embedded services run\n" + "\n".join(lines) + "\n")
    path.chmod(0o600)


def _wait_until_ready(host: str, port: int, api: subprocess.Popen, timeout: float = 120.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}/ready"
    while time.monotonic() < deadline:
        if api.poll() is not None:
            raise typer.Exit(f"the API exited with code {api.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    console.print("[yellow]the API did not report ready in time; still running[/yellow]")


def _supervise(children: dict[str, subprocess.Popen]) -> None:
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping:
            for name, proc in children.items():
                if proc.poll() is not None:
                    console.print(f"[red]{name} exited with code {proc.returncode}; stopping[/red]")
                    stopping = True
            time.sleep(0.5)
    finally:
        for proc in children.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for name, proc in children.items():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                console.print(f"{name} did not stop in time; killing")
                proc.kill()
        console.print("stopped")


def main() -> None:
    """The `automana` entry point: an expected failure (bad input, a refused operation, a service
    that cannot be reached) is one clear line and an exit code (2 for bad input, 1 otherwise);
    tracebacks only with --debug."""
    import pydantic

    from backend.request_handling.errors import DomainError

    usage_error = typer.BadParameter.__mro__[2]   # the ClickException of the click typer runs on
    debug = "--debug" in sys.argv[1:]
    try:
        result = app(prog_name="automana", standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        sys.exit(1)
    except usage_error as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except Exception as exc:
        if debug:
            raise
        code, line = _failure_line(exc, DomainError, pydantic.ValidationError)
        print(line, file=sys.stderr)
        sys.exit(code)
    sys.exit(result if isinstance(result, int) else 0)


def _failure_line(exc: Exception, domain_error: type, validation_error: type) -> tuple[int, str]:
    if isinstance(exc, validation_error):
        problems = "; ".join(f"{'.'.join(str(p) for p in error['loc']) or 'value'}: {error['msg']}"
                             for error in exc.errors())
        return 2, f"invalid input: {problems}"
    if isinstance(exc, domain_error):
        return (2 if exc.status_code in (400, 422) else 1), f"error: {exc.message}"
    return 1, f"error: {type(exc).__name__}: {exc} (run with --debug for the traceback)"


def _register_subcommands() -> None:
    """Sub-command modules of other domains register here."""
    from backend.cli.users import create_admin

    app.command("create-admin")(create_admin)

    from backend.cli.ingest import fake_scryfall, ingest_app

    import backend.cli.prices  # noqa: F401  (adds `ingest mtg-stock`, `ingest mtgjson`, `ingest tcgplayer-listings`)

    app.add_typer(ingest_app, name="ingest")
    app.command("fake-scryfall")(fake_scryfall)


_register_subcommands()

if __name__ == "__main__":  # pragma: no cover
    main()
