"""`modelpick eval`: measure candidates on labelled data and recommend one, from a terminal.

Exit codes: 0 done; 1 bad input (nothing run, nothing written); 3 finished but a candidate failed — could not
start, or its endpoint died (its `failed:` line says why; the others' results are complete and written); 4 stopped by the budget cap (results so far written).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.errors import one_line_errors
from core import event_loop

Opt = typer.Option


def _write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file and rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", delete=False, dir=path.parent, suffix=".tmp", encoding="utf-8") as tmp:
        tmp.write(text)
    os.replace(tmp.name, path)


def _techniques(value: str) -> list[int]:
    """`--shots 0,3,r3,rag4`: zero-shot, 3 drawn examples, 3 retrieved examples, 4 passages of the documents."""
    from core.shapes import Technique
    from tools.prompting.prompts import parse_shots

    try:
        values = sorted({parse_shots(v) for v in value.split(",") if v.strip()}, key=lambda v: Technique.of(v).order)
    except ValueError:
        raise typer.BadParameter("--shots takes 0 (zero-shot), k (k drawn examples), rK (K retrieved examples) or "
                                 "ragK (K passages of the --docs documents) separated by commas, e.g. 0,3,r3,rag4"
                                 ) from None
    if not values:
        raise typer.BadParameter("--shots takes e.g. 0,3,r3")
    return values


@one_line_errors
def eval_command(
    data: Annotated[Path | None, Opt("--data", help="Labelled CSV / TSV / JSONL / JSON / XLSX.")] = None,
    text_col: Annotated[str | None, Opt("--text-col")] = None,
    label_col: Annotated[str | None, Opt("--label-col")] = None,
    sheet: Annotated[str | None, Opt("--sheet", help="The XLSX sheet that holds the examples.")] = None,
    candidates: Annotated[str | None, Opt("--candidates", help="Ids, comma-separated.")] = None,
    candidates_file: Annotated[Path | None, Opt("--candidates-file", help="YAML list of endpoints.")] = None,
    shots: Annotated[str, Opt("--shots", help="Techniques: 0 = zero-shot, k = k-shot, rK = K retrieved "
                                              "(most similar) examples per item, ragK = K passages of the "
                                              "--docs documents per item, e.g. 0,3,r3,rag4.")] = "0",
    docs: Annotated[list[Path] | None, Opt("--docs", help="Documents for RAG (TXT, Markdown, PDF, DOCX, a folder "
                                           "or a zip of them; repeatable). Adds the rag technique to --shots "
                                           "unless it names one.")] = None,
    chunk_tokens: Annotated[int, Opt("--chunk-tokens", min=20, max=2000,
                                     help="Tokens per passage of the documents.")] = 200,
    eval_size: Annotated[int, Opt("--eval-size", min=2)] = 100,
    seed: Annotated[int, Opt("--seed")] = 0,
    target_accuracy: Annotated[float | None, Opt("--target-accuracy", min=0, max=1)] = None,
    max_cost_per_1k: Annotated[float | None, Opt("--max-cost-per-1k", min=0)] = None,
    max_latency_s: Annotated[float | None, Opt("--max-latency-s", min=0)] = None,
    budget_usd: Annotated[float | None, Opt("--budget-usd", min=0)] = None,
    hardware_cost_per_hour: Annotated[float | None, Opt("--hardware-cost-per-hour", min=0)] = None,
    json_out: Annotated[Path | None, Opt("--json")] = None,
    report: Annotated[Path | None, Opt("--report")] = None,
    resume: Annotated[str | None, Opt("--resume", help="Finish an interrupted run by its id.")] = None,
    error_cost: Annotated[str | None, Opt("--error-cost", help="What each wrong answer costs, "
                                          "'gold->predicted=usd' comma-separated, e.g. 'spam->ham=1,ham->spam=20'; "
                                          "the pick is then the lowest API + error cost.")] = None,
    error_cost_default: Annotated[float | None, Opt("--error-cost-default", min=0,
                                                    help="USD for wrong answers no pair lists.")] = None,
    volume_per_day: Annotated[float | None, Opt("--volume-per-day", min=0,
                                                help="Items a day, for monthly costs.")] = None,
    compare: Annotated[str | None, Opt("--compare", help="Two rows side by side in the JSON and the report: "
                                       "'A,B' (a candidate id, or id:k for its k-shot row).")] = None,
    adaptive: Annotated[bool, Opt("--adaptive", help="Run in rounds and stop rows whose verdict is settled or "
                                  "hopeless; --eval-size is then the most items a row may use.")] = False,
    distil: Annotated[str | None, Opt("--distil", help="Teacher id(s), comma-separated: each labels train-pool rows "
                                      "and a local classifier trained on its labels is measured as "
                                      "distilled-<teacher> ($0 per 1k).")] = None,
    distil_rows: Annotated[int, Opt("--distil-rows", min=20, help="Train-pool rows a teacher labels.")] = 500,
    task: Annotated[str, Opt("--task", help="classification (a label column) or extraction (field columns, or one "
                             "column of JSON objects: answers are scored field by field).")] = "classification",
    fields: Annotated[str | None, Opt("--fields", help="Extraction: the field columns, comma-separated "
                                      "(default: every column but the text).")] = None,
    judge: Annotated[str | None, Opt("--judge", help="Generation: the model that grades answers (default: the "
                                     "dearest candidate).")] = None,
    human_col: Annotated[str | None, Opt("--human-col", help="Generation: a column of a person's right/wrong marks "
                                         "on the answers in --response-col; the judge is measured against them and "
                                         "accuracy corrected (PPI).")] = None,
    response_col: Annotated[str | None, Opt("--response-col", help="Generation: the answers the --human-col marks "
                                            "grade (default: a column named response / model_answer).")] = None,
    rubric: Annotated[str | None, Opt("--rubric", help="Generation: the judge's rubric (text, or @FILE).")] = None,
) -> None:
    """Measure candidates (default offline: tfidf-logreg, smollm2-135m) and recommend the cheapest that meets the targets."""
    from tools.candidates.base import CandidateError
    from tools.candidates.registry import build_candidates
    from tools.data.evalset import EvalSetError
    from tools.data.read import DataError, NeedsChoice
    from tools.evaluation.config import prepare, resume_config
    from tools.prompting.techniques import NoDocuments, check_documents
    from tools.run.runner import RunStore
    from tools.scoring.compare import CompareError
    from tools.scoring.error_costs import ErrorCostError, ErrorCosts, check_labels, parse_spec
    from tools.tasks.extraction import ExtractionError
    from tools.tasks.generation import GenerationError
    from words.catalog import render

    store = RunStore()
    try:
        costs = (parse_spec(error_cost or "", error_cost_default)
                 if error_cost or error_cost_default is not None else None)
        config = resume_config(store, resume) if resume else _new_config(
            data, candidates, candidates_file, text_col=text_col, label_col=label_col, sheet=sheet,
            shots=_techniques(shots),
            eval_size=eval_size, seed=seed, budget_usd=budget_usd, hardware_cost_per_hour=hardware_cost_per_hour,
            adaptive=adaptive, error_costs=costs.to_dict() if costs else None, volume_per_day=volume_per_day,
            distil=[t.strip() for t in (distil or "").split(",") if t.strip()], distil_rows=distil_rows,
            docs=docs, chunk_tokens=chunk_tokens, task=_task(task),
            fields=[f.strip() for f in (fields or "").split(",") if f.strip()], judge=judge,
            human_column=human_col, response_column=response_col, rubric=_rubric(rubric),
            targets={"accuracy": target_accuracy, "max_cost_per_1k_usd": max_cost_per_1k,
                     "max_latency_s": max_latency_s})
        build_candidates(config.candidates + config.distil + ([config.judge] if config.judge else []),
                         config.candidate_entries)  # unknown ids fail first
        pair = _compare_pair(compare, config.candidates)
        _split, labels, *_ = prepare(config)  # data, columns and eval size are checked before anything runs
        if config.error_costs:
            check_labels(ErrorCosts.from_dict(config.error_costs) or ErrorCosts(), labels)
        for problem in check_documents(config.documents, config.shots):  # unusable documents: said, the rest used
            typer.echo(f"warning: {render(problem, 'en')}", err=True)
    except (CandidateError, DataError, EvalSetError, ErrorCostError, CompareError, NoDocuments,
            ExtractionError, GenerationError) as error:
        typer.echo(f"error: {render(error, 'en')}", err=True)
        raise typer.Exit(1) from None
    except NeedsChoice as choice:
        flags = "--sheet" if choice.kind == "sheet" else "--text-col / --label-col"
        typer.echo(f"error: {render(choice, 'en')} Name it with {flags}.", err=True)
        raise typer.Exit(1) from None
    run_id, outcome = _run(config, store, resume)
    document = _write_and_print(run_id, config, store, outcome, json_out, report, pair)
    if outcome.status == "budget":
        raise typer.Exit(4)
    if any(row["status"] == "failed" for row in document["results"]):
        raise typer.Exit(3)


def _task(value: str) -> str:
    if value not in ("classification", "extraction", "generation"):
        raise typer.BadParameter("--task takes classification, extraction or generation")
    return value


def _rubric(value: str | None) -> str | None:
    if value and value.startswith("@"):
        try:
            return Path(value[1:]).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise typer.BadParameter(f"--rubric: cannot read {value[1:]} ({error.strerror})") from None
    return value


def _compare_pair(value: str | None, candidates: list[str]) -> tuple[str, str] | None:
    """`--compare A,B`, checked before anything runs: two names, each a candidate of this run."""
    from tools.scoring.compare import CompareError

    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    if len(names) != 2:
        raise CompareError("compare.two", value=value)
    for name in names:
        if name.partition(":")[0] not in candidates:
            raise CompareError("compare.unknown", name=name, known=", ".join(candidates))
    return names[0], names[1]


def _new_config(data: Path | None, candidates: str | None, candidates_file: Path | None, **settings: Any) -> Any:
    """The run's configuration from the command line (the candidates file lists the endpoints: --candidates-file,
    else the one MODELPICK_CANDIDATES_FILE names, as in the chat)."""
    from core.settings import current
    from core.shapes import Technique
    from tools.candidates.base import CandidateError
    from tools.candidates.endpoints import user_entries
    from tools.candidates.registry import load_candidates_file
    from tools.evaluation.config import DEFAULT_CANDIDATES, EvalConfig, data_path, document_path
    from tools.evaluation.run import prompted
    from tools.prompting.prompts import DEFAULT_PASSAGES

    if data is None:
        raise CandidateError("candidate.no_data_given")
    configured = current().candidates_file  # the same setting every door reads when no file is given here
    path = candidates_file or (configured if configured and configured.is_file() else None)
    listed = load_candidates_file(path) if path else []
    ids = [c.strip() for c in candidates.split(",") if c.strip()] if candidates else prompted(
        [e["id"] for e in listed] or list(DEFAULT_CANDIDATES), settings["task"])
    # Endpoints added in the app (and fine-tuned models, `tools.training.finetune`) run when named; the file's win.
    entries = listed + [e for e in user_entries() if e["id"] in ids and e["id"] not in {f["id"] for f in listed}]
    docs = [document_path(str(p)) for p in settings.pop("docs") or []]
    if docs and not any(Technique.of(code).kind == "rag" for code in settings["shots"]):
        settings["shots"] = [*settings["shots"], Technique("rag", DEFAULT_PASSAGES).code]
    return EvalConfig(data=data_path(str(data)), text_column=settings.pop("text_col"),
                      label_column=settings.pop("label_col"), candidates=ids, candidate_entries=entries, docs=docs,
                      **settings)


def _run(config: Any, store: Any, resume: str | None) -> tuple[str, Any]:
    """Run (or resume) with a progress bar; Ctrl-C keeps every finished item."""
    from tools.evaluation.run import run_eval

    bar, on_progress = default_progress_printer()
    run_id = resume or store.create_run(config.to_dict())
    typer.echo(f"run {run_id} (resume with: modelpick eval --resume {run_id})", err=True)
    try:
        with bar:
            _, outcome, _ = event_loop.run(run_eval(config, store, run_id=run_id, progress=on_progress))
    except KeyboardInterrupt:
        typer.echo(f"interrupted: finished items are saved; resume with --resume {run_id}", err=True)
        raise typer.Exit(130) from None
    return run_id, outcome


def _write_and_print(run_id: str, config: Any, store: Any, outcome: Any, json_out: Path | None,
                     report: Path | None, pair: tuple[str, str] | None = None) -> dict:
    """The pinned JSON and the Markdown report (written atomically), and the verdict on the terminal."""
    from tools.evaluation.results import comparison, pinned, results_document
    from words.catalog import phrase_document
    from words.report import eval_report_markdown

    raw = results_document(run_id, config, store, outcome=outcome)
    if pair is not None:
        raw["comparison"] = comparison(run_id, config, store, *pair)
    document = pinned(phrase_document(raw, "en"))  # the pinned JSON: every message as an English sentence
    for note in document["notes"]:
        typer.echo(f"warning: {note}", err=True)
    if json_out:
        _write_atomically(json_out, json.dumps(document, indent=2, ensure_ascii=False))
    if report:
        _write_atomically(report, eval_report_markdown(raw, "en"))
    for row in document["results"]:
        if row["status"] == "failed":
            typer.echo(f"failed: {row['candidate']} ({row['technique']}"
                       f"{' k=' + str(row['shots']) if row['shots'] else ''}): {row['failure']}", err=True)
    rec = document["recommendation"]
    typer.echo(f"recommendation: {rec['status']}" + (f" — {rec['candidate']} ({rec['technique']})" if rec["candidate"]
                                                     else ""))
    for reason in rec["reasons"]:
        typer.echo(f"  {reason}")
    for step in rec["next_steps"]:
        typer.echo(f"  next: {step}")
    return document


def default_progress_printer() -> tuple:
    """A rich progress bar per candidate × technique (items/s and ETA), for the CLI."""
    from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    from tools.run.runner import Progress
    from words.catalog import label, say

    bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
              TextColumn("{task.fields[rate]:.1f} items/s · {task.fields[errors]} errors"), TimeRemainingColumn())
    tasks: dict[tuple[str, int], TaskID] = {}

    def on_progress(p: Progress) -> None:
        key = (p.candidate, p.shots)
        if key not in tasks:
            tasks[key] = bar.add_task(label(p.candidate, p.shots, "en"), total=p.total, rate=0.0, errors=0)
        if p.stopped_early:  # an adaptive run ended this row: its verdict is known
            bar.update(tasks[key], total=p.done, completed=p.done, description=label(p.candidate, p.shots, "en")
                       + " — " + say(f"progress.{p.message}", "en"))
            return
        bar.update(tasks[key], completed=p.done, rate=p.rate, errors=p.errors)

    return bar, on_progress
