"""`modelpick users add|list|remove`: who may log in to the app (see `service.users`).

The password is read from a prompt (typed twice, never echoed) or, for scripts, from one line of standard input
with `--password-stdin`; it never appears in a command line, where `ps` and shell history would keep it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from core.problems import Problem

users_app = typer.Typer(help="Users who may log in to the app (none: one local user, no login).",
                        no_args_is_help=True)


def _fail(error: Problem) -> None:
    from words.catalog import render

    typer.echo(f"error: {render(error, 'en')}", err=True)
    raise typer.Exit(1)


def _password(from_stdin: bool) -> str:
    from words.catalog import say

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            typer.echo(f"error: {say('users.empty_stdin', 'en')}", err=True)
            raise typer.Exit(1)
        return password
    password = typer.prompt("Password", hide_input=True)
    if typer.prompt("Repeat the password", hide_input=True) != password:
        typer.echo(f"error: {say('users.mismatch', 'en')}", err=True)
        raise typer.Exit(1)
    return password


@users_app.command("add")
def add(name: str,
        password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                     help="Read the password from one line of standard input.")] = False
        ) -> None:
    """Add NAME (asks for a password). From then on the app requires login."""
    from service import users
    from words.catalog import say

    password = _password(password_stdin)
    try:
        users.add(name, password)
    except users.UserError as error:
        _fail(error)
    typer.echo(say("users.added", "en", name=name))


@users_app.command("list")
def list_users() -> None:
    """The users, one per line with when they were added."""
    from service import users
    from words.catalog import say

    listed = users.listed()
    if not listed:
        typer.echo(say("users.none", "en"))
    for user in listed:
        typer.echo(f"{user.name}\t{user.created_at}")


@users_app.command("remove")
def remove(name: str) -> None:
    """Remove NAME (their conversations and files stay in the workspace)."""
    from service import users
    from words.catalog import say

    try:
        users.remove(name)
    except users.UserError as error:
        _fail(error)
    typer.echo(say("users.removed", "en", name=name))
