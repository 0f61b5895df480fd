"""`modelpick finetune`: the training-cost estimate, then — only with --yes — the job; `--status` follows jobs.

The train pool is the eval run's (the same --eval-size and --seed make the same split), so the fine-tuned model is
then measured on eval items it never saw: `modelpick eval --candidates <ft id> …` with the same size and seed.
Exit codes: 0 done (or estimate shown); 1 bad input or the endpoint refused; 3 a followed job failed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from cli.errors import one_line_errors

Opt = typer.Option


@one_line_errors
def finetune_command(
    model: Annotated[str | None, Opt("--model", help="The base model to fine-tune (a catalog id).")] = None,
    data: Annotated[Path | None, Opt("--data", help="Labelled CSV / TSV / JSONL / JSON / XLSX.")] = None,
    text_col: Annotated[str | None, Opt("--text-col")] = None,
    label_col: Annotated[str | None, Opt("--label-col")] = None,
    sheet: Annotated[str | None, Opt("--sheet")] = None,
    eval_size: Annotated[int, Opt("--eval-size", min=2, help="As in the eval run: its eval items are never "
                                  "trained on.")] = 100,
    seed: Annotated[int, Opt("--seed")] = 0,
    yes: Annotated[bool, Opt("--yes", help="Start the job (spends the estimate).")] = False,
    status: Annotated[bool, Opt("--status", help="Show the fine-tuning jobs and their status.")] = False,
    job: Annotated[str | None, Opt("--job", help="With --status: only this job.")] = None,
    wait: Annotated[bool, Opt("--wait", help="With --status or --yes: follow until the job ends.")] = False,
    poll_s: Annotated[float, Opt("--poll-s", min=0.05, help="Seconds between status reads with --wait.")] = 30.0,
) -> None:
    """Estimate, start and follow a fine-tune of a catalog model on the train pool of your data."""
    from tools.candidates.base import CandidateError
    from tools.data.evalset import EvalSetError
    from tools.data.read import DataError, NeedsChoice
    from tools.evaluation.config import EvalConfig, data_path, prepare
    from tools.run.runner import RunStore
    from tools.training.finetune import FineTuneError, estimate, launch
    from words import speak
    from words.catalog import money as usd
    from words.catalog import render, say
    from words.speak import job_state

    store = RunStore()
    if status:
        _follow(store, job, wait, poll_s)
        return
    try:
        if model is None or data is None:
            raise typer.BadParameter("give --model and --data (or --status)")
        config = EvalConfig(data=data_path(str(data)), text_column=text_col, label_column=label_col, sheet=sheet,
                            eval_size=eval_size, seed=seed, candidates=[])
        split, labels, *_ = prepare(config)
        plan = estimate(model, split, labels)
        typer.echo(speak.finetune_estimate(plan.to_dict(), "en").replace("**", ""))
        if not yes:
            typer.echo(say("finetune.cli_confirm", "en", usd=usd(plan.usd)))
            return
        record = launch(plan, split, labels, store)
    except (CandidateError, DataError, EvalSetError, FineTuneError, NeedsChoice) as error:
        typer.echo(f"error: {render(error, 'en')}", err=True)
        raise typer.Exit(1) from None
    typer.echo(say("finetune.started", "en", job=record["job_id"], endpoint=plan.endpoint or "OpenAI",
                   status=job_state(record["status"], "en")))
    if wait:
        _follow(store, record["job_id"], True, poll_s)


def _follow(store, job_id: str | None, wait: bool, poll_s: float) -> None:
    from tools.training.finetune import TERMINAL, refresh
    from words.speak import finetune_line

    records = [r for r in store.jobs() if job_id in (None, r["job_id"])]
    if not records:
        typer.echo(finetune_line(None, "en"))
        return
    while True:
        records = [refresh(r, store) for r in records]
        if not wait or all(r["status"] in TERMINAL for r in records):
            break
        time.sleep(poll_s)
    for record in records:
        typer.echo(finetune_line(record, "en"))
    if any(r["status"] == "failed" for r in records):
        raise typer.Exit(3)
