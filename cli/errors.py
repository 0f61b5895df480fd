"""One `error:` line instead of a traceback, wherever a command meets something unforeseen.

Expected problems (bad data, unknown candidates) already have their own sentence; this is the net under them:
the user gets one line and the path of a log with the details, and the command exits 1.
"""

from __future__ import annotations

import functools
import time
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import click
import typer

from core import workspace

F = TypeVar("F", bound=Callable[..., Any])


def log_unexpected(error: BaseException) -> str:
    """Write the traceback to the workspace's error log; returns the log's path."""
    path = workspace.home() / "logs" / "errors.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log:
        log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        log.write("".join(traceback.format_exception(error)))
    return str(path)


def one_line_errors(command: F) -> F:
    """Decorate a Typer command: an unexpected exception becomes `error: …` (exit 1), details in the log."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, click.exceptions.ClickException, click.exceptions.Abort, KeyboardInterrupt):
            raise
        except Exception as error:  # the net under every specific message
            where = log_unexpected(error)
            typer.echo(f"error: {type(error).__name__}: {error} (details in {where})", err=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]
