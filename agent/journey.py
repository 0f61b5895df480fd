"""The journey after the interview: plan → (user says go) → run → recommend, and the follow-ups.

Nodes here decide *what* happens and call `tools/` and `knowledge/` to do it; they spend nothing before the
user's explicit "go" (see `agent/commands.py`) and never re-run what is already measured.
"""

from __future__ import annotations

import asyncio

from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig

from agent import speak
from agent.messages import render
from agent.state import Brief, SelectionState
from core import workspace
from core.settings import current
from tools.candidates import (
    BASELINE_ID,
    BUILT_IN,
    LOCAL_LLM_ID,
    CandidateError,
    load_candidates_file,
    openai_api_key,
)
from tools.evalset import EvalSetError
from tools.evaluate import EvalConfig, prepare, results_document, run_eval
from tools.forecast import prompt_tokens
from tools.recommend import Targets, recommend, verdicts
from tools.runner import RunStore

DEFAULT_EVAL_SIZE = 100
DEFAULT_SHOTS = [0, 3]


def _say(text: str, kind: str, **extra) -> AIMessage:
    return AIMessage(content=text, additional_kwargs={"kind": kind, **extra})


def configured_entries() -> list[dict]:
    """Endpoints from the candidates file named by MODELPICK_CANDIDATES_FILE (none when unset)."""
    path = current().candidates_file
    return load_candidates_file(path) if path and path.is_file() else []


def runnable(model_id: str, entries: list[dict]) -> bool:
    """Can this candidate run here: built-in, a configured endpoint, or an OpenAI model with a key."""
    if model_id in BUILT_IN or model_id in {e["id"] for e in entries}:
        return True
    if openai_api_key():
        from knowledge.catalog import UnknownModel, get_card

        try:
            return get_card(model_id).provider == "openai"
        except UnknownModel:
            return False
    return False


def targets_of(brief: Brief) -> Targets:
    accuracy = brief.accuracy_target if brief.accuracy_target is not None else brief.break_even_accuracy
    return Targets(accuracy=accuracy, max_cost_per_1k_usd=brief.max_cost_per_1k_usd, max_latency_s=brief.max_latency_s)


def ready_for_plan(state: SelectionState) -> bool:
    """Task, labels, at least one target and labelled data: enough to propose an evaluation."""
    brief = Brief(**(state.get("brief") or {}))
    dataset = state.get("dataset") or {}
    has_target = any(v is not None for v in (brief.accuracy_target, brief.break_even_accuracy,
                                             brief.max_cost_per_1k_usd, brief.max_latency_s))
    return (bool(dataset.get("label_column")) and brief.task_type in (None, "classification") and bool(brief.labels)
            and has_target)


# ---------------------------------------------------------------- plan


def _eval_config(state: SelectionState, plan: dict) -> EvalConfig:
    dataset = state["dataset"]
    brief = Brief(**state["brief"])
    return EvalConfig(data=dataset["path"], text_column=dataset["text_column"], label_column=dataset["label_column"],
                      sheet=dataset.get("sheet"), candidates=list(plan["candidates"]),
                      candidate_entries=configured_entries(), shots=list(plan["shots"]), eval_size=plan["eval_size"],
                      seed=plan.get("seed", 0), targets=targets_of(brief).to_dict())


def propose_plan(state: SelectionState, command: dict | None = None) -> dict:
    """The eval set, power analysis, shortlist, techniques and forecast — then wait for 'go'."""
    from knowledge.shortlist import forecast, shortlist

    lang = state.get("language", "en")
    brief = Brief(**state["brief"])
    dataset = state["dataset"]
    entries = configured_entries()
    plan = dict(state.get("plan") or {})
    notes: list[str] = []
    if not plan:
        plan = {"candidates": [BASELINE_ID, LOCAL_LLM_ID, *[e["id"] for e in entries]], "shots": list(DEFAULT_SHOTS),
                "eval_size": DEFAULT_EVAL_SIZE, "seed": 0}
    command = command or {}
    name, model, number = command.get("name"), command.get("model"), command.get("number")
    if name == "add" and model:
        model = _resolve_id(model)
        if runnable(model, entries):
            if model not in plan["candidates"]:
                plan["candidates"].append(model)
        else:
            notes.append(speak.not_runnable(model, lang))
    elif name == "drop" and model:
        model = _resolve_id(model)
        plan["candidates"] = [c for c in plan["candidates"] if c != model]
        if not plan["candidates"]:
            notes.append(speak.no_candidates_left(lang))
    elif name == "eval_size" and number:
        plan["eval_size"] = number
    elif name == "shots" and number is not None:
        plan["shots"] = sorted({0, number})
    labeller = (dataset.get("silver") or {}).get("by")
    if labeller in plan["candidates"]:  # scoring a model against its own labels measures nothing
        plan["candidates"] = [c for c in plan["candidates"] if c != labeller]
        notes.append(speak.labeller_not_scored(labeller, lang))
    usable_rows = dataset["rows"]
    try:
        config = _eval_config(state, plan)
        split, labels, *_ = prepare(config)
    except EvalSetError as error:
        if error.code != "too_large":
            return {"messages": [_say(speak.data_problem(render(error, lang), lang), "data_error")], "pending": None}
        notes.append(render(error, lang))
        plan["eval_size"] = max(2, min(plan["eval_size"], usable_rows // 2))
        config = _eval_config(state, plan)
        split, labels, *_ = prepare(config)
    from tools.evalset import power_analysis

    targets = targets_of(brief)
    power = power_analysis(targets.accuracy or 0.9, len(split.eval))
    tokens = {shots: prompt_tokens(split, labels, shots, seed=config.seed) for shots in {0, *plan["shots"]}}
    picks = shortlist(brief.model_dump(), dataset, tokens[0])
    forecasts = []
    for cid in plan["candidates"]:
        card = _card(cid)
        for shots in plan["shots"] if cid != BASELINE_ID else [0]:
            if card is not None:
                f = forecast(card, tokens[shots], eval_items=len(split.eval), volume_per_day=brief.volume_per_day)
                forecasts.append(f.__dict__)
    plan.update({"split": split.summary(), "labels": labels, "power_sentence": power.reason(),
                 "shortlist": [{"id": p.card.id, "reason": p.reason, "runnable": runnable(p.card.id, entries)}
                               for p in picks.candidates],
                 "excluded": [{"id": i, "reason": r} for i, r in picks.excluded], "forecasts": forecasts,
                 "calls": len(split.eval) * sum(len(plan["shots"]) if c != BASELINE_ID else 1
                                                for c in plan["candidates"]),
                 "eval_config": config.to_dict(), "expected_time": expected_time(plan, len(split.eval)),
                 "silver_by": (dataset.get("silver") or {}).get("by")})
    text = speak.plan_text(plan, brief, lang, notes)
    return {"plan": plan, "messages": [_say(text, "plan")], "pending": {"kind": "plan"}}


def expected_time(plan: dict, items: int) -> dict:
    """Seconds the run should take, from latencies measured in earlier runs here; unknown candidates are listed."""
    store_path = workspace.home() / "runs.sqlite"
    if not store_path.exists():
        return {"seconds": None, "unmeasured": list(plan["candidates"])}
    store = RunStore(store_path)
    seconds, unmeasured = 0.0, []
    entries = {e["id"]: e for e in configured_entries()}
    for cid in plan["candidates"]:
        latency = store.mean_latency(cid)
        if latency is None:
            unmeasured.append(cid)
            continue
        concurrency = 1 if cid in BUILT_IN else int(entries.get(cid, {}).get("max_concurrency", 8))
        calls = items * (1 if cid == BASELINE_ID else len(plan["shots"]))
        seconds += calls * latency / concurrency
    store.close()
    return {"seconds": round(seconds, 1), "unmeasured": unmeasured}


def _resolve_id(model: str) -> str:
    from knowledge.catalog import UnknownModel, get_card

    if model in BUILT_IN or model in {e["id"] for e in configured_entries()}:
        return model
    try:
        return get_card(model).id
    except UnknownModel:
        return model


def _card(model_id: str):
    from knowledge.catalog import UnknownModel, get_card

    try:
        return get_card(model_id)
    except UnknownModel:
        return None


# ---------------------------------------------------------------- run


def run_evaluation(state: SelectionState, config: RunnableConfig | None = None, only: list[str] | None = None) -> dict:
    """Spend: run the planned candidates (or only the newly added ones) with live progress; then recommend."""
    lang = state.get("language", "en")
    plan = state["plan"]
    eval_config = EvalConfig(**plan["eval_config"])
    settings = (config or {}).get("configurable", {})
    store = RunStore()
    run = dict(state.get("run") or {})
    run_id = run.get("run_id")
    if run_id is None:
        run_id = store.create_run(eval_config.to_dict())
    else:
        store.update_config(run_id, eval_config.to_dict())
    try:
        _, outcome, _ = asyncio.run(run_eval(eval_config, store, run_id=run_id, progress=settings.get("progress"),
                                             should_stop=settings.get("should_stop"), only=only))
    except CandidateError as error:
        return {"messages": [_say(f"⚠️ {render(error, lang)}", "run_error")]}
    document = results_document(run_id, eval_config, store, outcome=outcome)
    store.close()
    run = {"run_id": run_id, "status": outcome.status, "notes": outcome.notes, "eval_set": document["eval_set"],
           "silver_by": plan.get("silver_by")}
    return _decided(state, document["results"], run, lang, kind="results")


def _decided(state: SelectionState, results: list[dict], run: dict, lang: str, kind: str) -> dict:
    brief = Brief(**state["brief"])
    targets = targets_of(brief)
    for row in results:
        row["verdicts"] = verdicts(row, targets)
    train_rows = (run.get("eval_set") or {}).get("train_pool", 0)
    shots = (state.get("plan") or {}).get("shots", [0])
    recommendation = recommend(results, targets, train_rows=train_rows, shots_tried=shots)
    text = speak.results_text(results, recommendation, brief, targets, run, lang)
    return {"results": results, "recommendation": recommendation, "run": run,
            "pending": None, "messages": [_say(text, kind)]}


def recommend_again(state: SelectionState) -> dict:
    """Targets changed after the run: re-decide from the stored results — no model is called."""
    lang = state.get("language", "en")
    return _decided(state, [dict(r) for r in state["results"]], dict(state.get("run") or {}), lang, kind="results")


# ---------------------------------------------------------------- follow-ups


def show_errors(state: SelectionState, model: str | None) -> dict:
    """Misclassified items of one candidate (default: the recommended or most accurate one), from runs.sqlite."""
    from tools.evalset import load_items

    lang = state.get("language", "en")
    results = state.get("results") or []
    if not results:
        return {"messages": [_say(speak.nothing_run_yet(lang), "text")]}
    rec = state.get("recommendation") or {}
    def accuracy(row: dict) -> float:
        return row["accuracy"] if row.get("accuracy") is not None else -1.0

    wanted = _resolve_id(model) if model else (rec.get("candidate") or max(results, key=accuracy)["candidate"])
    rows = [r for r in results if r["candidate"] == wanted]
    if not rows:
        return {"messages": [_say(speak.not_in_results(wanted, [r["candidate"] for r in results], lang), "text")]}
    row = max(rows, key=accuracy)
    store = RunStore()
    grouped = store.results(state["run"]["run_id"])
    store.close()
    dataset = state["dataset"]
    items, *_ = load_items(dataset["path"], text_column=dataset["text_column"], label_column=dataset["label_column"],
                           sheet=dataset.get("sheet"))
    texts = {i.id: i.text for i in items}
    wrong = [r for r in grouped.get((wanted, row["shots"]), []) if not r.correct]
    return {"messages": [_say(speak.errors_text(wanted, row, wrong, texts, lang), "errors")]}


def why_not(state: SelectionState, model: str) -> dict:
    """Why a model is not the pick: its measured verdicts if it ran, else the shortlist's reason and its price."""
    lang = state.get("language", "en")
    model_id = _resolve_id(model)
    results = [r for r in (state.get("results") or []) if r["candidate"] == model_id]
    card = _card(model_id)
    plan = state.get("plan") or {}
    excluded = {e["id"]: e["reason"] for e in plan.get("excluded", [])}
    entries = configured_entries()
    text = speak.why_not_text(model, model_id, results, card, excluded.get(model_id), runnable(model_id, entries),
                              state.get("recommendation"), lang)
    return {"messages": [_say(text, "why_not")]}


def export_files(state: SelectionState) -> dict:
    """Report (Markdown), per-item CSV and fine-tuning JSONL, written under the workspace for download."""
    from agent.report import full_report
    from tools.evalset import load_items
    from tools.export import finetune_jsonl, items_csv, training_costs

    lang = state.get("language", "en")
    if not state.get("results"):
        return {"messages": [_say(speak.nothing_run_yet(lang), "text")]}
    plan, run = state["plan"], state["run"]
    store = RunStore()
    eval_config = EvalConfig(**store.config(run["run_id"]))  # the run's own config, even if the plan changed since
    document = results_document(run["run_id"], eval_config, store)
    document["results"] = state["results"]
    document["recommendation"] = state["recommendation"]
    document["targets"] = targets_of(Brief(**state["brief"])).to_dict()
    grouped = store.results(run["run_id"])
    store.close()
    split, labels, *_ = prepare(eval_config)
    dataset = state["dataset"]
    items, *_ = load_items(dataset["path"], text_column=dataset["text_column"], label_column=dataset["label_column"],
                           sheet=dataset.get("sheet"))
    folder = workspace.home() / "reports" / workspace.safe_name(run["run_id"])
    folder.mkdir(parents=True, exist_ok=True)
    jsonl, tokens = finetune_jsonl(split, labels)
    costs = training_costs(tokens)
    report = full_report(Brief(**state["brief"]), dataset, plan, document, tokens, costs, lang)
    files = {"report.md": report, "items.csv": items_csv(grouped, {i.id: i.text for i in items}),
             "finetune.jsonl": jsonl}
    paths = {}
    for name, content in files.items():
        path = folder / name
        path.write_text(content, encoding="utf-8")
        paths[name] = str(path)
    text = speak.export_text(paths, tokens, costs, len(split.train_pool), lang)
    return {"messages": [_say(text, "export", files=paths)], "exports": paths}
