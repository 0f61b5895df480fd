"""`modelpick chat`: the guided conversation in a terminal, interactive or scripted.

A script is one user turn per line; `/upload PATH` attaches a file; blank and `#` lines are skipped. The final
state is written as JSON with the pinned keys, so other tools and tests can check a whole conversation.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated

import typer
from langgraph.checkpoint.sqlite import SqliteSaver

from agent.graph import compile_graph, new_replies, turn_input
from tools import workspace


def parse_script_line(line: str) -> tuple[str, list[str]] | None:
    """A script line as (text, paths to attach); None for lines to skip."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    if stripped.startswith("/upload "):
        return "", [stripped.removeprefix("/upload ").strip()]
    return stripped, []


def final_json(state: dict, thread_id: str) -> dict:
    """The conversation's outcome in the pinned shape (`brief` keys exactly as `agent.state.Brief`)."""
    from agent.state import Brief

    return {
        "thread_id": thread_id,
        "language": state.get("language", "en"),
        "brief": Brief(**(state.get("brief") or {})).model_dump(),
        "waived": state.get("waived") or [],
        "dataset": state.get("dataset"),
        "uploads": state.get("uploads") or [],
    }


def run_turn(graph, config: dict, thread_id: str, text: str, paths: list[str]) -> tuple[dict, list[str]]:
    files = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.is_file():
            return {}, [f"No file at {raw}: check the path and try /upload again."]
        files.append(workspace.keep_upload(thread_id, path, path.name))
    state = graph.invoke(turn_input(text, files), config)
    return state, [m.content for m in new_replies(state)]


def chat(
    script: Annotated[Path | None, typer.Option("--script", help="One user turn per line; /upload PATH.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the final state as JSON here.")] = None,
    thread: Annotated[str | None, typer.Option("--thread", help="Continue a saved conversation by id.")] = None,
) -> None:
    from agent import speak

    thread_id = thread or f"cli-{uuid.uuid4().hex[:12]}"
    config = {"configurable": {"thread_id": thread_id}}
    state: dict = {}
    with SqliteSaver.from_conn_string(str(workspace.checkpoints_path())) as saver:
        graph = compile_graph(saver)
        typer.echo(f"modelpick ({thread_id})\n\n{speak.welcome('en')}\n")
        if script is not None:
            if not script.is_file():
                typer.echo(f"No script at {script}: give a text file with one user turn per line.", err=True)
                raise typer.Exit(2)
            lines = script.read_text(encoding="utf-8").splitlines()
        else:
            lines = None
        while True:
            if lines is not None:
                if not lines:
                    break
                parsed = parse_script_line(lines.pop(0))
                if parsed is None:
                    continue
                shown = parsed[0] or "/upload " + parsed[1][0]
                typer.echo(f"> {shown}")
            else:
                try:
                    raw = input("> ")
                except (EOFError, KeyboardInterrupt):
                    break
                if raw.strip() in ("/quit", "/exit"):
                    break
                parsed = parse_script_line(raw)
                if parsed is None:
                    continue
            result, replies = run_turn(graph, config, thread_id, *parsed)
            state = result or state
            for reply in replies:
                typer.echo(reply + "\n")
        if not state:
            state = graph.get_state(config).values or {}
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(final_json(state, thread_id), ensure_ascii=False, indent=2), encoding="utf-8")
