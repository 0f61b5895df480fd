"""`modelpick` entry point: one sub-command per concern (chat, and later eval and catalog)."""

from __future__ import annotations

import typer
from dotenv import load_dotenv

from cli.catalog import catalog_app
from cli.chat import chat
from cli.eval import eval_command
from cli.finetune import finetune_command
from cli.users import users_app
from core import children, workspace

app = typer.Typer(help="modelpick — choose an LLM by measuring candidates on your own data.",
                  no_args_is_help=True, add_completion=False)


@app.callback()
def _root() -> None:
    """Keeps sub-commands explicit (`modelpick chat`), even while there is only one."""


app.command(help="Chat with modelpick in the terminal (interactive, or --script FILE).")(chat)
app.command("eval", help="Measure candidates on labelled data and recommend one.")(eval_command)
app.command("finetune", help="Estimate, start (--yes) and follow (--status) a fine-tune on your data.")(
    finetune_command)
app.add_typer(catalog_app, name="catalog")
app.add_typer(users_app, name="users")


def main() -> None:
    load_dotenv()  # a .env beside the project configures the CLI as it does the app
    children.exit_on_sigterm()  # `kill`, `docker stop`, systemd: an exit, so the local server is stopped
    children.reap(workspace.children_dir())  # servers a crashed modelpick left behind in this workspace
    app()


if __name__ == "__main__":
    main()
