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
from backend.request_handling.errors import DomainError

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

    password = _read_password()
    try:
        user = run_service_key("user_management.user.create_admin", {
            "username": username, "email": email, "full_name": full_name, "password": password,
            "created_by": f"cli:{getpass.getuser()}",
        }, settings=get_settings())
    except DomainError as exc:
        console.print(f"[red]cannot create the admin:[/red] {exc.message}")
        raise typer.Exit(1) from None
    console.print(f"[green]admin {user['username']} created[/green] (id {user['id']})")
