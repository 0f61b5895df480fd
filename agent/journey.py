"""The journey after the interview: plan → (user says go) → run → recommend, and the follow-ups.

Nodes here decide *what* happens and call `tools/` and `knowledge/` to do it; they spend nothing before the
user's explicit "go" (see `agent/commands.py`) and never re-run what is already measured.
"""

from __future__ import annotations

import asyncio
from typing import cast

from langchain_core.runnables import RunnableConfig

from agent.silver import strongest_configured
from agent.state import SelectionState, brief_of, dataset_of, plan_of, run_of, task_of_data
from core.brief import Brief
from core.settings import current
from core.shapes import (
    DatasetProfile,
    DocumentsInfo,
    ForecastRow,
    Plan,
    RagPlan,
    ResultRow,
    RunInfo,
    SplitSummary,
    Technique,
    TokenEstimate,
)
from core.tokens import chat_tokens
from knowledge.catalog import ModelCard, UnknownModel, get_card
from knowledge.shortlist import forecast, forecast_at, shortlist
from tools.candidates.base import BASELINE_ID, BUILT_IN, CandidateError
from tools.candidates.pricing import entry_price, price_quote
from tools.candidates.registry import can_run, configured_entries, resolve_id
from tools.data.documents import DEFAULT_CHUNK_TOKENS
from tools.data.evalset import EvalSetError, EvalSplit, load_items, power_analysis
from tools.evaluation.config import EvalConfig, judge_of, prepare
from tools.evaluation.results import comparison, results_document, scored_results
from tools.evaluation.run import probe_speed, prompted, run_eval
from tools.output.exports import finetune_jsonl, items_csv, training_costs, write_exports
from tools.planning.forecast import prompt_tokens
from tools.planning.plan import call_count, expected_time, techniques
from tools.prompting.prompts import DEFAULT_PASSAGES
from tools.run import adaptive
from tools.run.runner import RunStore
from tools.scoring.compare import CompareError
from tools.scoring.error_costs import ErrorCosts
from tools.scoring.recommend import Targets, lifecycle_reasons, recommend, verdicts
from tools.tasks.extraction import load_records
from tools.tasks.generation import RIGHT, RUBRIC, judge_key, judge_messages, load_answers
from tools.tasks.kinds import VERDICT_TOKENS, task_of
from words import speak
from words.catalog import render, say
from words.report import accuracy_cost_chart, comparison_markdown, full_report, report_html

DEFAULT_EVAL_SIZE = 150  # an adaptive run's cap: 1.5x a fixed run's 100 (knowledge/guides/adaptive-evaluation.md)
DEFAULT_SHOTS = [0, 3]



def targets_of(brief: Brief) -> Targets:
    accuracy = brief.accuracy_target if brief.accuracy_target is not None else brief.break_even_accuracy
    return Targets(accuracy=accuracy, max_cost_per_1k_usd=brief.max_cost_per_1k_usd, max_latency_s=brief.max_latency_s)


def ready_for_plan(state: SelectionState) -> bool:
    """Task, labels, at least one target and labelled data: enough to propose an evaluation."""
    brief = brief_of(state)
    dataset = state.get("dataset") or {}
    has_target = any(v is not None for v in (brief.accuracy_target, brief.break_even_accuracy,
                                             brief.max_cost_per_1k_usd, brief.max_latency_s)) or bool(
        error_costs_of(state.get("error_kinds") or [], dataset.get("label_counts") or {}))
    if brief.task_type == "extraction":
        return bool(dataset.get("fields")) and has_target
    if brief.task_type == "generation":
        return bool(dataset.get("reference_column")) and has_target
    return (bool(dataset.get("label_column")) and brief.task_type in (None, "classification") and bool(brief.labels)
            and has_target)


# ---------------------------------------------------------------- plan


def error_costs_of(kinds: list[dict], label_counts: dict[str, int]) -> ErrorCosts | None:
    """The (gold, predicted) pairs the user's words price. "A missed X" is X answered as anything else; "a false
    X" is anything else answered as X. The class the user cares about is the one they named; unnamed, in binary
    data, the rarer class (the one a filter or detector looks for)."""
    labels = sorted(label_counts)
    if not kinds or len(labels) < 2:
        return None
    named = next((k["label"] for k in kinds if k.get("label") in label_counts), None)
    focus = named or (min(labels, key=lambda label: (label_counts[label], label)) if len(labels) == 2 else None)
    pairs: dict[tuple[str, str], float] = {}
    for kind in kinds:
        label = kind.get("label") if kind.get("label") in label_counts else focus
        if label is None:
            continue
        for other in (other for other in labels if other != label):
            pair = (label, other) if kind["kind"] == "missed" else (other, label)
            pairs[pair] = float(kind["usd"])
    return ErrorCosts(pairs) if pairs else None


def usable_documents(state: SelectionState) -> DocumentsInfo | None:
    """The conversation's documents when at least one passage could be read from them."""
    documents = state.get("documents")
    return documents if documents and documents["passages"] else None


def with_rag(plan: Plan, state: SelectionState, notes: list[str]) -> Plan:
    """Attached documents put RAG (DEFAULT_PASSAGES passages per prompt) beside the plan's other techniques;
    without documents RAG cannot run, and the plan says so instead."""
    asked = any(Technique.of(code).kind == "rag" for code in plan["shots"])
    if usable_documents(state) is None:
        if asked:
            notes.append(say("docs.none_given", state.get("language", "en")))
            return cast(Plan, {**plan, "shots": [c for c in plan["shots"] if Technique.of(c).kind != "rag"]})
        return plan
    if asked:
        return plan
    shots = [*plan["shots"], Technique("rag", DEFAULT_PASSAGES).code]
    return cast(Plan, {**plan, "shots": sorted(shots, key=lambda code: Technique.of(code).order)})


def _rag_plan(plan: Plan, state: SelectionState, tokens: dict[int, TokenEstimate]) -> RagPlan | None:
    documents = usable_documents(state)
    code = next((code for code in plan["shots"] if Technique.of(code).kind == "rag"), None)
    if documents is None or code is None:
        return None
    return {"documents": documents["documents"], "passages": documents["passages"], "k": Technique.of(code).k,
            "chunk_tokens": documents["chunk_tokens"],
            "extra_tokens_per_item": round(tokens[code].input_tokens - tokens[0].input_tokens, 1)}


def eval_split(state: SelectionState) -> tuple[EvalSplit, list[str]]:
    """The eval set of the conversation's plan (or of the first plan it would get): what a fine-tune must never
    train on."""
    config = _eval_config(state, state.get("plan") or _first_plan(configured_entries()))
    split, labels, *_ = prepare(config)
    return split, labels


def _judge_plan(config: EvalConfig, split: EvalSplit, dataset: DatasetProfile) -> dict | None:
    """Open answers: who judges, how many verdicts (every answer, and the answers people marked) and what they
    are forecast to cost — the judge reads the question, the reference and an answer about as long as it."""
    if config.task != "generation":
        return None
    judge = judge_of(config)
    marked = int(dataset.get("human_marks") or 0)
    verdicts = call_count(config.candidates, config.shots, len(split.eval)) + marked
    price = entry_price(judge, config.candidate_entries)
    cost = None
    if price is not None and split.eval:
        tokens = sum(chat_tokens(judge_messages(i.text, i.label, i.label, config.rubric or RUBRIC)) for i in split.eval)
        cost = verdicts * (tokens / len(split.eval) * price[0] + VERDICT_TOKENS * price[1])
    return {"model": judge, "calls": verdicts, "marked": marked, "cost_usd": cost, "self": judge in config.candidates}


def _eval_config(state: SelectionState, plan: Plan) -> EvalConfig:
    dataset = dataset_of(state)
    brief = brief_of(state)
    costs = error_costs_of(state.get("error_kinds") or [], dataset.get("label_counts") or {})
    documents = usable_documents(state)
    return EvalConfig(data=dataset["path"], text_column=dataset["text_column"],
                      label_column=dataset.get("reference_column") or dataset["label_column"], sheet=dataset.get("sheet"), candidates=list(plan["candidates"]),
                      candidate_entries=configured_entries(), shots=list(plan["shots"]), eval_size=plan["eval_size"],
                      seed=plan.get("seed", 0), targets=targets_of(brief).to_dict(),
                      adaptive=bool(plan.get("adaptive", True)), error_costs=costs.to_dict() if costs else None,
                      volume_per_day=brief.volume_per_day, distil=list(plan.get("distil") or []),
                      docs=list(documents["paths"]) if documents else [], task=task_of_data(dataset),
                      fields=list(dataset.get("fields") or []), human_column=dataset.get("human_column"),
                      judge=(plan.get("judge_model") or strongest_configured() or None)
                      if dataset.get("task") == "generation" else None,
                      budget_usd=(state.get("facts") or {}).get("eval_budget_usd"),
                      chunk_tokens=documents["chunk_tokens"] if documents else DEFAULT_CHUNK_TOKENS)


def _edited(plan: Plan, command: dict, entries: list[dict], labeller: str | None, lang: str,
            notes: list[str]) -> Plan:
    """The plan after the user's edit (add / drop / eval size / shots); the silver labeller is never scored."""
    plan = cast(Plan, {**plan, "candidates": list(plan["candidates"])})
    name, model, number = command.get("name"), command.get("model"), command.get("number")
    if name in ("add", "drop") and model:
        model = resolve_id(model, entries)
    if name == "add" and model:
        if not can_run(model, entries):
            notes.append(speak.not_runnable(model, lang))
        elif model not in plan["candidates"]:
            plan["candidates"].append(model)
    elif name == "drop" and model:
        plan["candidates"] = [c for c in plan["candidates"] if c != model]
        if not plan["candidates"]:
            notes.append(speak.no_candidates_left(lang))
    elif name == "distil" and model:
        model = resolve_id(model, entries)
        if model == BASELINE_ID or not can_run(model, entries):
            notes.append(speak.not_runnable(model, lang))
        else:
            plan["distil"] = [model]
    elif name == "eval_size" and number:
        plan["eval_size"] = number
    elif name == "shots" and number is not None:
        plan["shots"] = sorted({0, number})
    elif name == "judge" and model:  # open answers: this model grades them
        model = resolve_id(model, entries)
        if not can_run(model, entries):
            notes.append(speak.not_runnable(model, lang))
        else:
            plan["judge_model"] = model
    elif name == "rag_passages" and number:  # RAG with K passages per prompt (with_rag adds it when documents exist)
        plan["shots"] = [code for code in plan["shots"] if Technique.of(code).kind != "rag"]
        plan["shots"].append(Technique("rag", min(number, 50)).code)
    elif name == "retrieved_shots" and number:  # K retrieved beside K drawn: what retrieval adds, paired
        plan["shots"] = sorted({0, number, -number}, key=lambda k: (k < 0, abs(k)))
    if labeller in plan["candidates"]:  # scoring a model against its own labels measures nothing
        plan["candidates"] = [c for c in plan["candidates"] if c != labeller]
        notes.append(speak.labeller_not_scored(labeller, lang))
    return plan


def _forecasts(plan: Plan, tokens: dict[int, TokenEstimate], items: int, volume: float | None,
               entries: list[dict]) -> list[ForecastRow]:
    """A row per candidate and technique: catalog models at their card's price, endpoints at the price their
    settings give (their own, or their model's in the catalog) — unpriced ones too, with "—"."""
    rows: list[ForecastRow] = []
    for cid in plan["candidates"]:
        card = catalog_card(cid)
        for shots in techniques(cid, plan["shots"]):
            if card is not None:
                rows.append(forecast(card, tokens[shots], eval_items=items, volume_per_day=volume))
                continue
            quote = price_quote(cid, entries)
            rows.append(forecast_at(cid, quote.per_token, tokens[shots], eval_items=items, volume_per_day=volume,
                                    source=quote.source, as_of=quote.as_of))
    return rows


def propose_plan(state: SelectionState, command: dict | None = None) -> dict:
    """The eval set, power analysis, shortlist, techniques and forecast — then wait for 'go'."""
    lang, brief, dataset = state.get("language", "en"), brief_of(state), dataset_of(state)
    entries = configured_entries()
    silver = dataset.get("silver")
    labeller = silver["by"] if silver else None
    notes: list[str] = []
    plan = state.get("plan") or _first_plan(entries)
    if not state.get("plan"):  # edits said before there was a plan ("drop smollm2" in the interview) apply now
        for earlier in state.get("plan_edits") or []:
            plan = _edited(plan, earlier, entries, labeller, lang, notes)
    plan = with_rag(_edited(plan, command or {}, entries, labeller, lang, notes), state, notes)
    plan["candidates"] = prompted(plan["candidates"], task_of_data(dataset))  # the baseline only classifies
    try:
        config = _eval_config(state, plan)
        split, labels, *_ = prepare(config)
    except EvalSetError as error:
        if error.code != "too_large":
            return {"messages": [speak.reply(speak.data_problem(render(error, lang), lang), "data_error")], "pending": None}
        notes.append(render(error, lang))
        plan["eval_size"] = max(2, min(plan["eval_size"], int(error.values.get("usable", dataset["rows"])) // 2))
        config = _eval_config(state, plan)
        split, labels, *_ = prepare(config)
    items = len(split.eval)
    tokens = {shots: prompt_tokens(split, labels, shots, seed=config.seed, documents=config.documents,
                                   task=task_of(config.task))
              for shots in {0, *plan["shots"]}}
    picks = shortlist(brief.model_dump(), cast(dict, dataset), tokens[0])
    store = RunStore() if RunStore.exists() else None
    plan.update({"split": cast(SplitSummary, split.summary()), "labels": labels,
                 "power_sentence": power_analysis(targets_of(brief).accuracy or 0.9, items).reason(),
                 "shortlist": [{"id": p.card.id, "reason": p.reason, "runnable": can_run(p.card.id, entries)}
                               for p in picks.candidates if p.card.id in prompted([p.card.id], config.task)],
                 "excluded": [{"id": i, "reason": r} for i, r in picks.excluded],
                 "forecasts": _forecasts(plan, tokens, items, brief.volume_per_day, entries),
                 "calls": call_count(plan["candidates"], plan["shots"], items), "eval_config": config.to_dict(),
                 "looks": ([look.n for look in adaptive.looks(items)]
                           if config.adaptive and targets_of(brief).accuracy is not None else None),
                 "expected_time": expected_time(store, plan["candidates"], plan["shots"], items, entries),
                 "silver_by": labeller, "rag": _rag_plan(plan, state, tokens),
                 "judge": _judge_plan(config, split, dataset)})
    if plan["expected_time"]["unmeasured"] and current().timing_probe:
        store = store or RunStore()
        probed = asyncio.run(probe_speed(config, store, plan["expected_time"]["unmeasured"]))
        if probed:
            plan["expected_time"] = {**expected_time(store, plan["candidates"], plan["shots"], items, entries),
                                     "probed": probed}
    if store is not None:
        store.close()
    plan["pilot"] = _pilot_offer(plan, items)
    if plan.get("distil"):
        plan["distil_cost_usd"] = _distil_cost(plan["distil"], tokens[0], config.distil_rows, entries)
    plan["budget"] = budget_check(plan, config.budget_usd)
    waived = set(state.get("waived") or [])
    plan["open_targets"] = [f for f in ("accuracy_target", "max_cost_per_1k_usd", "max_latency_s")
                            if getattr(brief, f) is None and f not in waived
                            and not (f == "accuracy_target" and (brief.break_even_accuracy or state.get("error_kinds")))]
    retiring = [reasons for cid in plan["candidates"] if (reasons := lifecycle_reasons(cid))]
    notes += [" ".join(render(r, lang) for r in reasons) for reasons in retiring]  # said before any spend
    if plan["budget"] and plan["budget"]["over"]:
        notes.insert(0, speak.over_budget(plan["budget"], lang))
    return {"plan": plan, "messages": [speak.reply(speak.plan_text(plan, brief, lang, notes), "plan")],
            "pending": {"kind": "plan"}}


PILOT_ITEMS = 50


def budget_check(plan: Plan, budget_usd: float | None) -> dict | None:
    """The plan's most expensive outcome against the user's evaluation budget, and what would fit in it: fewer
    items (the eval cost scales with them), or the plan without its dearest candidate."""
    if budget_usd is None:
        return None
    forecasts = plan.get("forecasts") or []
    costs = [f["eval_cost_usd"] for f in forecasts]
    extra = [plan.get("distil_cost_usd"), (plan.get("judge") or {}).get("cost_usd") if plan.get("judge") else 0.0]
    if None in costs or (plan.get("distil") and extra[0] is None):
        return {"budget_usd": budget_usd, "forecast_usd": None, "over": False, "unpriced": True}
    scaled = sum(c or 0.0 for c in costs) + ((plan.get("judge") or {}).get("cost_usd") or 0.0)
    total = scaled + (extra[0] or 0.0)
    by_model: dict[str, float] = {}
    for f in forecasts:
        by_model[f["model_id"]] = by_model.get(f["model_id"], 0.0) + (f["eval_cost_usd"] or 0.0)
    dearest = max(by_model, key=lambda m: by_model[m]) if by_model else None
    size = plan["split"]["size"]
    room = budget_usd - (extra[0] or 0.0)
    fits = int(size * room / scaled) if scaled > 0 and room > 0 else 0
    return {"budget_usd": budget_usd, "forecast_usd": total, "over": total > budget_usd, "unpriced": False,
            "fits_items": min(size, fits), "dearest": dearest,
            "without_dearest_usd": total - by_model[dearest] if dearest else None}


def _distil_cost(teachers: list[str], tokens: TokenEstimate, rows: int, entries: list[dict]) -> float | None:
    """What the teachers' zero-shot labels of `rows` train-pool rows will cost (None when a price is unknown)."""
    total = 0.0
    for teacher in teachers:
        price = entry_price(teacher, entries)
        if price is None:
            return None
        total += rows * (tokens.input_tokens * price[0] + tokens.output_tokens * price[1])
    return total


def _pilot_offer(plan: Plan, items: int) -> dict | None:
    """The method's first step, offered when the plan has a paid model: the strongest alone on the first items,
    to learn whether the target is reachable at all before paying for the rest (its answers are kept)."""
    strongest = strongest_configured()
    if strongest is None or strongest not in plan["candidates"] or items <= PILOT_ITEMS:
        return None
    costs = [f["eval_cost_usd"] for f in plan.get("forecasts") or [] if f["model_id"] == strongest]
    share = PILOT_ITEMS / items
    return {"model": strongest, "items": PILOT_ITEMS,
            "cost_usd": sum(c or 0.0 for c in costs) * share if costs and None not in costs else None,
            "calls": PILOT_ITEMS * len(techniques(strongest, plan["shots"]))}


def run_pilot(state: SelectionState, config: RunnableConfig | None = None) -> dict:
    """Spend (only on the explicit "pilot"): the strongest model alone on the first items; then say whether the
    target looks reachable. The run keeps its answers, so "go" afterwards does not ask them again."""
    lang = state.get("language", "en")
    plan = plan_of(state)
    offer = plan.get("pilot")
    if not offer:
        return {"messages": [speak.reply(say("pilot.none", lang), "text")]}
    eval_config = EvalConfig(**plan["eval_config"])
    settings = (config or {}).get("configurable", {})
    store = RunStore()
    run_id = (state.get("run") or {}).get("run_id") or store.create_run(eval_config.to_dict())
    try:
        asyncio.run(run_eval(eval_config, store, run_id=run_id, progress=settings.get("progress"),
                             should_stop=settings.get("should_stop"), only=[offer["model"]], first_items=offer["items"]))
    except CandidateError as error:
        return {"messages": [speak.reply(f"⚠️ {render(error, lang)}", "run_error")]}
    grouped = scored_results(run_id, eval_config, store)
    store.close()
    target = targets_of(brief_of(state)).accuracy
    rows = [(shots, grouped.get((offer["model"], shots), [])) for shots in techniques(offer["model"], plan["shots"])]
    text = speak.pilot_text(offer["model"], rows, target, lang)
    return {"run": {"run_id": run_id, "status": "pilot"}, "messages": [speak.reply(text, "plan")],
            "pending": {"kind": "plan"}}


def _first_plan(entries: list[dict]) -> Plan:
    return {"candidates": [*BUILT_IN, *[e["id"] for e in entries]], "shots": list(DEFAULT_SHOTS),
            "eval_size": DEFAULT_EVAL_SIZE, "seed": 0, "adaptive": True}


def catalog_card(model_id: str) -> ModelCard | None:
    try:
        return get_card(model_id)
    except UnknownModel:
        return None


# ---------------------------------------------------------------- run


def run_evaluation(state: SelectionState, config: RunnableConfig | None = None, only: list[str] | None = None) -> dict:
    """Spend: run the planned candidates (or only the newly added ones) with live progress; then recommend."""
    lang = state.get("language", "en")
    plan = plan_of(state)
    eval_config = EvalConfig(**plan["eval_config"])
    settings = (config or {}).get("configurable", {})
    store = RunStore()
    run_id = (state.get("run") or {}).get("run_id")
    if run_id is None:
        run_id = store.create_run(eval_config.to_dict())
    else:
        store.update_config(run_id, eval_config.to_dict())
    try:
        _, outcome, _ = asyncio.run(run_eval(eval_config, store, run_id=run_id, progress=settings.get("progress"),
                                             should_stop=settings.get("should_stop"), only=only))
    except CandidateError as error:
        return {"messages": [speak.reply(f"⚠️ {render(error, lang)}", "run_error")]}
    document = results_document(run_id, eval_config, store, outcome=outcome)
    store.close()
    run: RunInfo = {"run_id": run_id, "status": outcome.status, "notes": outcome.notes,
                    "eval_set": document["eval_set"], "silver_by": plan.get("silver_by"),
                    "adaptive": document["adaptive"]}
    return _decided(state, document["results"], run, lang, kind="results")


def _decided(state: SelectionState, results: list[ResultRow], run: RunInfo, lang: str, kind: str) -> dict:
    brief = brief_of(state)
    targets = targets_of(brief)
    for row in results:
        row["verdicts"] = verdicts(row, targets)
    train_rows = (run.get("eval_set") or {}).get("train_pool", 0)
    shots = (state.get("plan") or {}).get("shots", [0])
    recommendation = recommend(results, targets, train_rows=train_rows, shots_tried=shots,
                               volume_per_day=brief.volume_per_day)
    text = speak.results_text(results, recommendation, brief, targets, run, lang)
    return {"results": results, "recommendation": recommendation, "run": run,
            "pending": None, "messages": [speak.reply(text, kind)]}


def recommend_again(state: SelectionState) -> dict:
    """Targets changed after the run: re-decide from the stored results — no model is called."""
    lang = state.get("language", "en")
    results = [cast(ResultRow, dict(r)) for r in state.get("results") or []]
    return _decided(state, results, cast(RunInfo, dict(run_of(state))), lang, kind="results")


# ---------------------------------------------------------------- follow-ups


def _accuracy(row: ResultRow) -> float:
    return row["accuracy"] if row.get("accuracy") is not None else -1.0  # type: ignore[return-value]


def _texts(state: SelectionState) -> dict[int, str]:
    """Item texts by id, from the kept table (no parse)."""
    dataset = dataset_of(state)
    if dataset.get("reference_column"):
        items = load_answers(dataset["path"], text_column=dataset["text_column"],
                             reference_column=dataset["reference_column"], sheet=dataset.get("sheet"))[0]
        return {i.id: i.text for i in items}
    if dataset.get("fields"):
        items = load_records(dataset["path"], text_column=dataset["text_column"], fields=dataset["fields"],
                             sheet=dataset.get("sheet"))[0]
        return {i.id: i.text for i in items}
    items, *_ = load_items(dataset["path"], text_column=dataset["text_column"], label_column=dataset["label_column"],
                           sheet=dataset.get("sheet"))
    return {i.id: i.text for i in items}


def show_errors(state: SelectionState, model: str | None) -> dict:
    """Misclassified items of one candidate (default: the recommended or most accurate one), from runs.sqlite."""
    lang = state.get("language", "en")
    results = state.get("results") or []
    if not results:
        return {"messages": [speak.reply(speak.nothing_run_yet(lang), "text")]}
    recommendation = state.get("recommendation")
    picked = recommendation["candidate"] if recommendation else None
    wanted = resolve_id(model, configured_entries()) if model else (picked or max(results, key=_accuracy)["candidate"])
    rows = [r for r in results if r["candidate"] == wanted]
    if not rows:
        return {"messages": [speak.reply(speak.not_in_results(wanted, [r["candidate"] for r in results], lang), "text")]}
    row = max(rows, key=_accuracy)
    store = RunStore()
    grouped = store.results(run_of(state)["run_id"])
    store.close()
    if row.get("metric") == "judged":  # open answers: wrong is what the judge said, with its reason
        said = {r.item_id: r for r in grouped.get((judge_key(row["judge"], wanted), row["shots"]), [])}
        graded = [(r, said.get(r.item_id)) for r in grouped.get((wanted, row["shots"]), []) if r.error is None]
        wrong_answers = [(r, verdict) for r, verdict in graded if verdict is None or verdict.prediction != RIGHT]
        return {"messages": [speak.reply(speak.answer_errors_text(wanted, row, wrong_answers, _texts(state), lang),
                                         "errors")]}
    wrong = [r for r in grouped.get((wanted, row["shots"]), []) if not r.correct]
    return {"messages": [speak.reply(speak.errors_text(wanted, row, wrong, _texts(state), lang), "errors")]}


def why_not(state: SelectionState, model: str) -> dict:
    """Why a model is not the pick: its measured verdicts if it ran, else the shortlist's reason and its price."""
    lang = state.get("language", "en")
    entries = configured_entries()
    model_id = resolve_id(model, entries)
    results = [r for r in (state.get("results") or []) if r["candidate"] == model_id]
    excluded = {e["id"]: e["reason"] for e in (state.get("plan") or {}).get("excluded", [])}
    text = speak.why_not_text(model, model_id, results, catalog_card(model_id), excluded.get(model_id),
                              can_run(model_id, entries), state.get("recommendation"), lang,
                              targets_of(brief_of(state)).to_dict())
    return {"messages": [speak.reply(text, "why_not")]}


def why_pick(state: SelectionState, model: str | None) -> dict:
    """"Why this one?" / "为什么推荐这个模型？": the recommendation's own reasons and numbers from this run (not
    excerpts from the knowledge store); about another model, why it is not the pick."""
    lang = state.get("language", "en")
    rec = state.get("recommendation")
    if not state.get("results") or not rec:
        return {"messages": [speak.reply(speak.nothing_run_yet(lang), "text")]}
    if model is not None:
        model_id = resolve_id(model, configured_entries())
        if model_id != rec["candidate"]:
            return why_not(state, model)
    text = speak.why_text(cast(list[ResultRow], state["results"]), rec, lang)
    return {"messages": [speak.reply(text, "why")]}


def what_happened(state: SelectionState) -> dict:
    """"What happened?": how the last run ended (finished, stopped, budget), failures and notes — its own facts."""
    lang = state.get("language", "en")
    run = state.get("run")
    if not run or not state.get("results"):
        return {"messages": [speak.reply(speak.nothing_run_yet(lang), "text")]}
    text = speak.run_story(cast(list[ResultRow], state["results"]), cast(RunInfo, run), lang)
    return {"messages": [speak.reply(text, "text")]}


def compare_two(state: SelectionState, first: str, second: str) -> dict:
    """"Compare A and B": where two measured rows disagree and whether one is better (no model is called)."""
    lang = state.get("language", "en")
    if not state.get("results"):
        return {"messages": [speak.reply(speak.nothing_run_yet(lang), "text")]}
    entries = configured_entries()
    names = []
    for name in (first, second):
        candidate, colon, shots = name.partition(":")
        names.append(resolve_id(candidate, entries) + colon + shots)
    run_id = run_of(state)["run_id"]
    store = RunStore()
    try:
        cmp = comparison(run_id, EvalConfig(**(store.config(run_id) or {})), store, names[0], names[1])
    except CompareError as error:
        return {"messages": [speak.reply(render(error, lang), "text")]}
    finally:
        store.close()
    return {"messages": [speak.reply(comparison_markdown(cmp, lang), "compare")]}


def export_files(state: SelectionState) -> dict:
    """Report (Markdown, and HTML with the chart), per-item CSV and fine-tuning JSONL, for download."""
    lang = state.get("language", "en")
    if not state.get("results"):
        return {"messages": [speak.reply(speak.nothing_run_yet(lang), "text")]}
    run_id = run_of(state)["run_id"]
    store = RunStore()
    eval_config = EvalConfig(**(store.config(run_id) or {}))  # the run's own config, even if the plan changed
    document = {**results_document(run_id, eval_config, store), "results": state.get("results"),
                "recommendation": state.get("recommendation"),
                "targets": targets_of(brief_of(state)).to_dict()}
    grouped = store.results(run_id)
    store.close()
    split, labels, *_ = prepare(eval_config)
    jsonl, tokens = finetune_jsonl(split, labels, task_of(eval_config.task))
    costs = training_costs(tokens)
    report = full_report(brief_of(state), dataset_of(state), plan_of(state), document, tokens, costs, lang)
    targets = targets_of(brief_of(state))
    chart = accuracy_cost_chart(cast(list, state.get("results")), {"accuracy": targets.accuracy,
                                "max_cost_per_1k_usd": targets.max_cost_per_1k_usd},
                                cast(dict | None, state.get("recommendation")), lang)
    paths = write_exports(run_id, {"report.md": report, "report.html": report_html(report, [chart], lang),
                                   "items.csv": items_csv(grouped, _texts(state)), "finetune.jsonl": jsonl})
    text = speak.export_text(paths, tokens, costs, len(split.train_pool), lang)
    return {"messages": [speak.reply(text, "export", files=paths)], "exports": paths}
