"""`automana create-admin`: the first (or another) admin account, with a password typed or from the env.

There is no default admin and no default password. The password is read from AUTOMANA_ADMIN_PASSWORD
or prompted for (hidden, twice); it is never accepted as a command-line argument (visible in `ps`).
"""
from __future__ import annotations

import getpass
import os
from typing import Annotated, Optional

import typer
from rich.console import Console

from backend.core.settings import get_settings

console = Console(stderr=True)
PASSWORD_ENV = "AUTOMANA_ADMIN_PASSWORD"


def _read_password() -> str:
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    if not os.isatty(0):
        console.print(f"[red]no password:[/red] set {PASSWORD_ENV} or run interactively")
        raise typer.Exit(2)
    first = getpass.getpass("Admin password: ")
    if getpass.getpass("Repeat password: ") != first:
        console.print("[red]the passwords do not match[/red]")
        raise typer.Exit(2)
    return first


def create_admin(
    username: Annotated[str, typer.Option(envvar="AUTOMANA_ADMIN_USERNAME", prompt=True, help="Login name")],
    email: Annotated[str, typer.Option(envvar="AUTOMANA_ADMIN_EMAIL", prompt=True, help="Email address")],
    full_name: Annotated[Optional[str], typer.Option(help="Display name")] = None,
) -> None:
    """Create an account holding the admin role."""
    from backend.runtime import run_service_key
    from backend.schemas.user_management.user import UserCreate

    settings = get_settings()
    if not settings.database_url:
        # Never guess a server (libpq's default socket may be some other database).
        console.print("[red]DATABASE_URL is not set[/red] (start `automana up` in another shell, or set it)")
        raise typer.Exit(2)
    password = _read_password()
    # The same rules as registration through the API (username pattern, email, password length).
    account = UserCreate(username=username, email=email, full_name=full_name, password=password)
    user = run_service_key("user_management.user.create_admin", {
        "username": account.username, "email": str(account.email), "full_name": account.full_name,
        "password": account.password, "created_by": f"cli:{getpass.getuser()}",
    }, settings=settings)
    console.print(f"[green]admin {user['username']} created[/green] (id {user['id']})")
