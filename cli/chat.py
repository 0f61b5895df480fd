"""`modelpick chat`: the guided conversation in a terminal, interactive or scripted.

A script is one user turn per line; `/upload PATH` attaches a file; blank and `#` lines are skipped. The final
state is written as JSON with the pinned keys, so other tools and tests can check a whole conversation.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.errors import log_unexpected

if TYPE_CHECKING:
    from tools.run.runner import Progress

# The conversation (LangGraph, LangChain, the agent) is imported inside the functions that hold one, so that
# `modelpick eval` and `modelpick --help` start without it.


def parse_script_line(line: str) -> tuple[str, list[str]] | None:
    """A script line as (text, paths to attach); None for lines to skip."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    if stripped.startswith("/upload "):
        return "", [stripped.removeprefix("/upload ").strip()]
    return stripped, []


def final_json(state: dict, thread_id: str) -> dict:
    """The conversation's outcome in the pinned shape (`brief` keys exactly as `Brief`), every message phrased in
    the conversation's language."""
    from agent.state import Brief
    from words.catalog import phrase_recommendation, phrase_row, render

    lang = state.get("language", "en")
    dataset = state.get("dataset")
    if dataset:
        dataset = {**dataset, "warnings": [render(w, lang) for w in dataset.get("warnings") or []]}
    recommendation = state.get("recommendation")
    return {
        "thread_id": thread_id,
        "language": lang,
        "brief": Brief(**(state.get("brief") or {})).model_dump(),
        "waived": state.get("waived") or [],
        # Facts beside the pinned brief: the evaluation's budget, a budget per period and the ceiling derived
        # from it, a ceiling in another currency and the rate the user gave (agent.state.stated_facts).
        "facts": state.get("facts") or {},
        "dataset": dataset,
        "uploads": state.get("uploads") or [],
        "plan": _plan_json(state.get("plan"), lang),
        "results": [phrase_row(r, lang) for r in state["results"]] if state.get("results") else state.get("results"),
        "recommendation": phrase_recommendation(recommendation, lang) if recommendation else None,
        "run_id": (state.get("run") or {}).get("run_id"),
        "exports": state.get("exports"),
    }


def _plan_json(plan: dict | None, lang: str) -> dict | None:
    """The plan as shown to the user (eval set, candidates, techniques, forecast), without internal config."""
    from words.catalog import render

    if not plan:
        return None
    keys = ("candidates", "shots", "eval_size", "seed", "split", "labels", "power_sentence", "shortlist", "excluded",
            "forecasts", "calls")
    shown = {k: plan.get(k) for k in keys}
    shown["power_sentence"] = render(plan.get("power_sentence"), lang)
    for key in ("shortlist", "excluded"):
        shown[key] = [{**entry, "reason": render(entry["reason"], lang)} for entry in plan.get(key) or []]
    return shown


def progress_printer(echo=typer.echo):
    """Prints a line per candidate × technique at every tenth of the way (the chat UI shows live steps)."""
    from words import speak
    from words.catalog import label

    shown: dict[tuple[str, int], int] = {}

    def on_progress(p: Progress) -> None:
        step = int(10 * p.done / p.total) if p.total else 10
        key = (p.candidate, p.shots)
        if shown.get(key) == step and not p.finished:
            return
        shown[key] = step
        echo(f"  [{label(p.candidate, p.shots, 'en')}] {speak.progress_line(p, 'en')}")

    return on_progress


def run_turn(graph, config: dict, thread_id: str, text: str, paths: list[str]) -> tuple[dict, list[str]]:
    from agent.graph import new_replies, reply_text, turn_input
    from tools.data import uploads

    files = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_symlink():
            return {}, [f"{raw} is a symbolic link: give the data file itself."]
        if not path.is_file():
            return {}, [f"No file at {raw}: check the path and try /upload again."]
        files.append(uploads.accept(thread_id, path, path.name))
    state = graph.invoke(turn_input(text, files), {**config, "configurable": {
        **config["configurable"], "progress": progress_printer()}})
    return state, [reply_text(m) for m in new_replies(state)]


def chat(
    script: Annotated[Path | None, typer.Option("--script", help="One user turn per line; /upload PATH.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the final state as JSON here.")] = None,
    thread: Annotated[str | None, typer.Option("--thread", help="Continue a saved conversation by id.")] = None,
) -> None:
    from agent.graph import compile_graph
    from service import database
    from words import speak

    thread_id = thread or f"cli-{uuid.uuid4().hex[:12]}"
    config = {"configurable": {"thread_id": thread_id}}
    state: dict = {}
    with database.sync_checkpointer() as saver:
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
            try:
                result, replies = run_turn(graph, config, thread_id, *parsed)
            except Exception as error:  # one broken turn must not end the conversation
                where = log_unexpected(error)
                result, replies = {}, [f"error: that turn failed ({type(error).__name__}: {error}); nothing earlier "
                                       f"was lost (details in {where})."]
            state = result or state
            for reply in replies:
                typer.echo(reply + "\n")
        if not state:
            state = graph.get_state(config).values or {}
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(final_json(state, thread_id), ensure_ascii=False, indent=2), encoding="utf-8")
