"""One evaluation end to end: data → eval set → candidates × techniques → metrics → verdicts → recommendation.

The configuration is stored with the run, so `resume` rebuilds exactly the same eval set and candidates and
finishes only what is missing. `results_document` is the pinned JSON shape shared by `modelpick eval --json`
and the chat.
"""

from __future__ import annotations

import atexit
import copy
import json
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple, cast

from core import collector
from core.shapes import ENDPOINT_PRICE, ResultRow, RowStatus, Technique
from knowledge.catalog import NoPrice, UnknownModel, load_catalog
from tools.candidates.registry import (
    BASELINE_ID,
    BUILT_IN,
    CandidateError,
    build_candidates,
    entry_price_model,
)
from tools.data.documents import DEFAULT_CHUNK_TOKENS, documents_digest
from tools.data.evalset import EvalSetError, EvalSplit, Item, load_items, power_analysis, split
from tools.data.tables import file_digest, table_key
from tools.planning.plan import PROBE_ITEMS
from tools.prompting.prompts import technique_id
from tools.prompting.techniques import Documents
from tools.run import adaptive
from tools.run.runner import RetryPolicy, Runner, RunOutcome, RunStore
from tools.scoring import cascade
from tools.scoring.compare import compare, row_key
from tools.scoring.error_costs import ErrorCosts, summarise_costs
from tools.scoring.metrics import (
    UNPARSEABLE,
    ItemResult,
    confusion,
    failure_of,
    mcnemar_between,
    per_class,
    row_status,
    summarise,
)
from tools.scoring.recommend import Targets, recommend, verdicts
from tools.tasks import generation
from tools.tasks.extraction import field_scores, invalid_json_share, load_records, micro_f1
from tools.tasks.generation import load_answers
from tools.tasks.kinds import Task, task_of
from tools.training import distil as distil_module

DEFAULT_CANDIDATES = list(BUILT_IN)  # offline: the trained baseline and the local LLM


@dataclass
class EvalConfig:
    """Everything needed to (re)build a run; stored as JSON in runs.sqlite (never an API key)."""

    data: str
    text_column: str | None = None
    label_column: str | None = None
    sheet: str | None = None
    candidates: list[str] = field(default_factory=lambda: list(DEFAULT_CANDIDATES))
    candidate_entries: list[dict] = field(default_factory=list)
    shots: list[int] = field(default_factory=lambda: [0])
    eval_size: int = 100
    seed: int = 0
    targets: dict = field(default_factory=dict)
    budget_usd: float | None = None
    hardware_cost_per_hour: float | None = None
    # The data file's SHA-256 when the run was made: a resume refuses a file that has changed since.
    data_sha256: str | None = None
    # Rounds that stop settled and hopeless rows early (`tools.run.adaptive`); eval_size is then the most items a row uses.
    adaptive: bool = False
    # What each kind of wrong answer costs (`tools.scoring.error_costs.ErrorCosts.to_dict`): ranks by total cost.
    error_costs: dict | None = None
    volume_per_day: float | None = None
    # Teachers whose labels of train-pool rows train a local classifier, measured as `distilled-<teacher>`.
    distil: list[str] = field(default_factory=list)
    distil_rows: int = distil_module.DEFAULT_ROWS
    # The user's documents for RAG techniques (files, folders, zips), how they are cut, and their digest when the
    # run was made (a resume refuses changed documents).
    docs: list[str] = field(default_factory=list)
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS
    docs_sha256: str | None = None
    # "classification" (a label column) or "extraction" (fields: columns or a JSON column; `tools.tasks.extraction`).
    task: str = "classification"
    fields: list[str] = field(default_factory=list)
    # Open answers (`tools.tasks.generation`): the judge (None: the dearest candidate), its rubric, and the columns of a
    # person's marks on answers in the data (the judge is measured against them).
    judge: str | None = None
    rubric: str | None = None
    human_column: str | None = None
    response_column: str | None = None

    def __post_init__(self) -> None:
        if self.data_sha256 is None and Path(self.data).is_file():
            self.data_sha256 = file_digest(self.data)
        if self.task == "generation":  # answers are judged after they are all in: rounds cannot stop on verdicts
            self.adaptive = False
        if self.docs and self.docs_sha256 is None:
            self.docs_sha256 = documents_digest(self.docs)

    @property
    def documents(self) -> Documents | None:
        return Documents(tuple(self.docs), self.chunk_tokens) if self.docs else None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


Prepared = tuple[EvalSplit, list[str], str, str, int]
_prepared: OrderedDict[tuple, Prepared] = OrderedDict()
# Emptied at exit, before the interpreter's last garbage collections: they would otherwise traverse every cached
# row several times (100k rows: 0.12 s of a process's exit; emptying costs 0.03 s).
atexit.register(_prepared.clear)


# The most tokens the label block of a prompt may take: half the local model's 4,096-token context, so every
# candidate keeps room for the instruction, the examples and the item (MODELPICK_MAX_LABELS bounds the count).
MAX_LABEL_BLOCK_TOKENS = 2048


def check_label_prompt(labels: list[str], *, name: str) -> None:
    """A label set whose prompt block would not fit a candidate's context is refused before any call."""
    from core.tokens import count_tokens
    from tools.prompting.prompts import label_block

    tokens = count_tokens(label_block(labels))
    if tokens > MAX_LABEL_BLOCK_TOKENS:
        raise EvalSetError("evalset.labels_too_long_for_prompt", name=name, tokens=tokens, limit=MAX_LABEL_BLOCK_TOKENS,
                           count=len(labels))


def prepare(config: EvalConfig) -> Prepared:
    """The eval set for a config (deterministic per seed), its labels, the columns used and the usable rows.

    The table is parsed once per file (`tools.data.tables`); the split is kept per file, columns, size and seed, so
    the plan, the run, the follow-ups and the exports share one."""
    key = (table_key(config.data, config.sheet), config.text_column, config.label_column, config.eval_size,
           config.seed, config.task, tuple(config.fields))
    if key not in _prepared:
        with collector.paused():  # one object per row, no cycles (see core.collector)
            if config.task == "generation":  # an item's label is its reference answer; there are no labels
                items, text_col, reference_col, _marks = load_answers(
                    config.data, text_column=config.text_column, reference_column=config.label_column,
                    human_column=config.human_column, response_column=config.response_column, sheet=config.sheet)
                the_split = split(items, eval_size=config.eval_size, seed=config.seed, stratify=False)
                _prepared[key] = (the_split, [], text_col, reference_col, len(items))
            elif config.task == "extraction":  # the run's "labels" are the fields, an item's label its gold
                items, text_col, fields = load_records(config.data, text_column=config.text_column,
                                                       fields=config.fields or None, sheet=config.sheet)
                the_split = split(items, eval_size=config.eval_size, seed=config.seed, stratify=False)
                _prepared[key] = (the_split, fields, text_col, ", ".join(fields), len(items))
            else:
                items, text_col, label_col = load_items(config.data, text_column=config.text_column,
                                                        label_column=config.label_column, sheet=config.sheet)
                the_split = split(items, eval_size=config.eval_size, seed=config.seed)
                check_label_prompt(the_split.labels(), name=Path(config.data).name)
                _prepared[key] = (the_split, the_split.labels(), text_col, label_col, len(items))
        while len(_prepared) > 8:
            _prepared.popitem(last=False)
    return _prepared[key]


def token_price(price_model: str | None, override: tuple[float | None, float | None] | None,
                ) -> tuple[float, float] | None:
    """USD per (input, output) token: an override in USD per 1M (the candidates file), else the catalog's."""
    if override and override[0] is not None:
        return override[0] / 1e6, (override[1] or 0.0) / 1e6
    try:
        return load_catalog().price_per_token(price_model) if price_model else None
    except (UnknownModel, NoPrice):
        return None


def candidate_price(candidate) -> tuple[float, float] | None:
    """The price of a built candidate (the runner's budget and cost)."""
    return token_price(candidate.price_model, getattr(candidate, "price_override", None))


class PriceQuote(NamedTuple):
    """What a candidate named in a run's config pays per (input, output) token, and where that price comes from:
    the plan's forecast cites the same price the run's cost is computed with."""

    per_token: tuple[float, float] | None
    source: str | None  # a catalog card's source, or ENDPOINT_PRICE + id for a price in the endpoint's settings
    as_of: str | None  # the catalog card's date; None for the user's own price


def price_quote(candidate_id: str, entries: list[dict]) -> PriceQuote:
    """The price of a candidate named in a run's config, without building it: an endpoint's own price (its
    settings or the candidates file), else its model's catalog card (a fine-tune: its base's fine-tuned price)."""
    if distil_module.teacher_of(candidate_id):  # a local classifier: the trained baseline's price ($0)
        return _catalog_quote(BASELINE_ID)
    entry = next((e for e in entries if e["id"] == candidate_id), None)
    if entry is None:
        return _catalog_quote(candidate_id)
    if entry.get("input_usd_per_1m") is not None:
        own = token_price(None, (entry["input_usd_per_1m"], entry.get("output_usd_per_1m")))
        return PriceQuote(own, ENDPOINT_PRICE + candidate_id, None)
    return _catalog_quote(entry_price_model(entry))


def _catalog_quote(name: str) -> PriceQuote:
    per_token = token_price(name, None)
    if per_token is None:
        return PriceQuote(None, None, None)
    card = load_catalog().resolve(name)
    return PriceQuote(per_token, card.price_source or card.source, card.as_of)


def entry_price(candidate_id: str, entries: list[dict]) -> tuple[float, float] | None:
    """USD per (input, output) token of a candidate named in a run's config (see `price_quote`)."""
    return price_quote(candidate_id, entries).per_token


async def run_eval(config: EvalConfig, store: RunStore, *, run_id: str | None = None,
                   progress=None, retry: RetryPolicy | None = None, should_stop=None,
                   only: list[str] | None = None, first_items: int | None = None) -> tuple[str, RunOutcome, EvalSplit]:
    """Run (or resume) an evaluation; returns the run id, how it ended and the eval set. `first_items` runs only
    the first items of the eval set (a pilot); the full run later skips what the pilot answered."""
    the_split, labels, _text, _label, _rows = prepare(config)
    if first_items is not None:
        the_split = replace(the_split, eval=the_split.eval[:first_items])
        config = replace(config, adaptive=False)
    candidates = build_candidates(prompted(only or config.candidates, config.task), config.candidate_entries)
    if run_id is None:
        run_id = store.create_run(config.to_dict())
    runner = Runner(store, retry=retry, progress=progress, price=candidate_price, budget_usd=config.budget_usd,
                    should_stop=should_stop, task=task_of(config.task))
    outcome = RunOutcome(run_id, "finished", 0.0)
    llm_candidates = [c for c in candidates if c.id != BASELINE_ID]
    baseline = [c for c in candidates if c.id == BASELINE_ID]
    if baseline:  # a trained baseline has no prompt: it runs once, as "zero-shot"
        outcome = await runner.run(run_id, the_split, labels, baseline, [0], seed=config.seed,
                                   documents=config.documents)
    if llm_candidates and outcome.status in ("finished",):
        if config.adaptive:
            keys = [(c.id, shots) for c in llm_candidates for shots in config.shots]

            def stops() -> dict[tuple[str, int], str]:
                decisions, _ = _replay(run_id, config, store, keys)
                return {key: decision.stopped for key, decision in decisions.items() if decision.stopped}

            sizes = [look.n for look in adaptive.looks(len(the_split.eval))]
            more = await runner.run_rounds(run_id, the_split, labels, llm_candidates, config.shots, sizes, stops,
                                           seed=config.seed, documents=config.documents)
        else:
            more = await runner.run(run_id, the_split, labels, llm_candidates, config.shots, seed=config.seed,
                                    documents=config.documents)
        outcome = RunOutcome(run_id, more.status, more.spent_usd, outcome.notes + more.notes)
    if config.task == "generation" and outcome.status == "finished":  # a pilot's answers are judged too
        judged = await _judge_answers(runner, store, run_id, config, the_split)
        outcome = RunOutcome(run_id, judged.status, judged.spent_usd, outcome.notes + judged.notes)
    teachers = config.distil if config.task == "classification" else []  # a classifier learns labels, not objects
    for teacher in teachers if outcome.status == "finished" and first_items is None and only is None else []:
        silver = await distil_module.teach(runner, store, run_id, the_split, labels, teacher,
                                           config.candidate_entries, config.distil_rows, seed=config.seed)
        taught = await runner.run(run_id, the_split, labels, [distil_module.DistilledCandidate(teacher, silver)], [0],
                                  seed=config.seed)
        outcome = RunOutcome(run_id, taught.status, taught.spent_usd, outcome.notes + taught.notes)
    return run_id, outcome, the_split


async def probe_speed(config: EvalConfig, store: RunStore, candidate_ids: list[str]) -> list[str]:
    """Time the built-in local candidates that were never measured in this workspace, so a plan can say how long
    its run will take: each answers PROBE_ITEMS train-pool items (never eval items, never cached into the run),
    zero-shot, stored as a run of its own. Local only: a probe of a paid endpoint would spend before the user's
    yes. Returns the candidates probed; one that fails to start is left unmeasured (the run will say why)."""
    local = [cid for cid in candidate_ids if cid in BUILT_IN and store.mean_latency(cid) is None]
    the_split, labels, *_ = prepare(config)
    if not local or len(the_split.train_pool) < PROBE_ITEMS:
        return []
    probe = replace(the_split, eval=the_split.train_pool[:PROBE_ITEMS])
    run_id = store.create_run({**config.to_dict(), "timing_probe": True})
    runner = Runner(store, price=candidate_price, use_cache=False)
    try:
        await runner.run(run_id, probe, labels, build_candidates(local, config.candidate_entries), [0], seed=config.seed)
    except CandidateError:
        return []
    store.set_status(run_id, "timing probe")
    return [cid for cid in local if store.mean_latency(cid) is not None]


def judge_of(config: EvalConfig) -> str:
    """The judge: the one asked for, else the candidate with the highest list price (the accuracy-first choice)."""
    if config.judge:
        return config.judge

    def price(cid: str) -> float:
        per_token = entry_price(cid, config.candidate_entries)
        return sum(per_token) if per_token else 0.0

    return max(config.candidates, key=price)


async def _judge_answers(runner: Runner, store: RunStore, run_id: str, config: EvalConfig,
                         the_split: EvalSplit) -> RunOutcome:
    """The judge grades every answer (and the answers a person marked), through the same runner: its verdicts are
    stored as rows of their own (`generation.judge_key`), costed in the run's spend."""
    judge_id = judge_of(config)
    judge = build_candidates([judge_id], config.candidate_entries)[0]
    grader = Runner(store, retry=runner.retry, progress=runner.progress, price=candidate_price,
                    budget_usd=config.budget_usd, should_stop=runner.should_stop,
                    task=Task("judge", config.rubric or generation.RUBRIC))
    questions = {item.id: item.text for item in the_split.eval}
    outcome = RunOutcome(run_id, "finished", 0.0)
    grouped = store.results(run_id)
    for (cid, shots), answers in list(grouped.items()):
        if cid.startswith(generation.JUDGE_PREFIX):
            continue
        cases = [Item(r.item_id, json.dumps({"question": questions.get(r.item_id, ""), "reference": r.gold,
                                             "answer": r.prediction}, ensure_ascii=False), generation.RIGHT)
                 for r in answers if r.error is None and r.prediction not in (None, UNPARSEABLE)]
        if cases:
            outcome = await grader.run(run_id, _cases(cases), [], [_as(judge, generation.judge_key(judge_id, cid))],
                                       [shots])
    marks = load_answers(config.data, text_column=config.text_column, reference_column=config.label_column,
                         human_column=config.human_column, response_column=config.response_column,
                         sheet=config.sheet)[3] if config.human_column else []
    if marks and outcome.status == "finished":
        cases = [Item(m.item_id, json.dumps({"question": m.question, "reference": m.reference, "answer": m.answer},
                                            ensure_ascii=False), generation.RIGHT if m.right else generation.WRONG)
                 for m in marks]
        outcome = await grader.run(run_id, _cases(cases), [], [_as(judge, generation.judge_key(judge_id, "human"))],
                                   [0])
    return outcome


def _cases(items: list[Item]) -> EvalSplit:
    return EvalSplit(eval=items, few_shot_pool=[], train_pool=[], dropped_duplicates=0, dropped_empty=0,
                     conflicting_duplicates=0)


def _as(candidate, name: str):
    """The judge under the name its verdicts are stored by (a shallow copy: same endpoint, same price)."""
    renamed = copy.copy(candidate)
    renamed.id = name
    return renamed


def prompted(candidate_ids: list[str], task: str) -> list[str]:
    """The candidates a task can run: the trained baseline only classifies."""
    return [c for c in candidate_ids if task == "classification" or c != BASELINE_ID]


def _targets(config: EvalConfig) -> Targets:
    return Targets(**{k: config.targets.get(k) for k in ("accuracy", "max_cost_per_1k_usd", "max_latency_s")})


def _replay(run_id: str, config: EvalConfig, store: RunStore, keys: list[tuple[str, int]],
            grouped: dict | None = None) -> tuple[dict[tuple[str, int], adaptive.Decision], int]:
    """The adaptive decisions of a run, replayed from its stored results (the run and the document agree)."""
    the_split, labels, *_ = prepare(config)
    grouped = grouped if grouped is not None else store.results(run_id)
    targets = _targets(config)

    def cost(key: tuple[str, int], results) -> float | None:
        price = entry_price(key[0], config.candidate_entries)
        hardware = config.hardware_cost_per_hour if price == (0.0, 0.0) else None
        return summarise(results, labels, price_per_token=price, hardware_cost_per_hour=hardware).cost_per_1k_usd

    limits = adaptive.Targets(targets.accuracy, targets.max_cost_per_1k_usd, targets.max_latency_s)
    met = []  # a trained baseline that meets every target on the whole eval set: dearer rows cannot be the pick
    for (cid, shots), results in grouped.items():
        if cid == BASELINE_ID and len(results) == len(the_split.eval):
            row = result_row(cid, shots, results, labels, entry_price(cid, config.candidate_entries), None, "measured")
            verdict = verdicts(row, targets)
            if all(v in ("met", "no target") for v in verdict.values()) and row["cost_per_1k_usd"] is not None:
                met.append(row["cost_per_1k_usd"])
    return adaptive.replay(grouped, [i.id for i in the_split.eval], len(the_split.eval), limits, cost, keys, met)


def results_document(run_id: str, config: EvalConfig, store: RunStore, *, outcome: RunOutcome | None = None) -> dict:
    """The pinned JSON (`modelpick eval --json`): dataset, eval_set, targets, results, recommendation — with its
    messages as ids (`agent.messages.phrase_document` phrases them)."""
    the_split, labels, text_col, label_col, rows = prepare(config)
    targets = _targets(config)
    grouped = store.results(run_id)
    judging = _Judging(grouped, config) if config.task == "generation" else None
    by_id = {c: i for i, c in enumerate(config.candidates)}
    order = sorted(grouped, key=lambda key: (by_id.get(key[0], 99), Technique.of(key[1]).order))
    prices = {cid: entry_price(cid, config.candidate_entries) for cid, _ in grouped}
    run_status = outcome.status if outcome else "finished"
    costs = ErrorCosts.from_dict(config.error_costs)
    # The rows that ran in rounds: not the trained baseline nor a distilled classifier (they answer every item).
    calling = [key for key in order if key[0] != BASELINE_ID and not distil_module.teacher_of(key[0])]
    decisions, reached = _replay(run_id, config, store, calling, grouped) if config.adaptive else ({}, 0)
    schedule = adaptive.looks(len(the_split.eval))
    rows_out: list[ResultRow] = []
    for cid, shots in order:
        results = grouped[(cid, shots)]
        price = prices.get(cid)
        hardware = config.hardware_cost_per_hour if price == (0.0, 0.0) else None
        decision = decisions.get((cid, shots))
        expected = schedule[decision.look].n if decision and decision.stopped else len(the_split.eval)
        alpha = schedule[decision.look].alpha if decision else 0.05
        row = result_row(cid, shots, results, labels, price, hardware, row_status(results, expected, run_status),
                         alpha=alpha, task=config.task)
        row["stopped"] = decision.stopped if decision else None
        if judging is not None:
            row.update(judging.fields(cid, shots, row))
        row.update(_error_cost_fields(row, results, costs))
        row["verdicts"] = verdicts(row, targets)
        row["cascade"] = None
        rows_out.append(row)
    if config.task != "generation":  # a cascade's signals read labels or objects, not open answers
        # An adaptive run's rows spend their error across looks; a cascade is held to the smallest share of it.
        alpha = min(look.alpha for look in schedule) if config.adaptive else 0.05
        rows_out += _cascade_rows(grouped, rows_out, labels, prices, costs, targets, config.task, alpha)
    scored = [r for r in rows_out if r["status"] == "measured"] or [r for r in rows_out if r["status"] != "failed"]
    if scored:
        best = max(scored, key=lambda r: r["accuracy"] or 0.0)
        best_results = grouped[(best["candidate"], best["shots"])]
        for row in rows_out:
            row["mcnemar_p_vs_best"] = None if (row is best or row["status"] == "failed") else float(
                f"{mcnemar_between(grouped[(row['candidate'], row['shots'])], best_results):.4g}")
    else:
        for row in rows_out:
            row["mcnemar_p_vs_best"] = None
    power = power_analysis(targets.accuracy or 0.9, len(the_split.eval))
    document = {
        "run_id": run_id,
        "status": outcome.status if outcome else "finished",
        "notes": outcome.notes if outcome else [],
        "task": config.task,
        "dataset": {"path": str(config.data), "rows": rows, "labels": labels, "text_column": text_col,
                    "label_column": label_col, **({"fields": labels} if config.task == "extraction" else {})},
        "eval_set": {**the_split.summary(), "power": power.to_dict(), "power_sentence": power.reason()},
        "targets": targets.to_dict(),
        "results": rows_out,
        "adaptive": {"rounds": reached, "calls": sum(len(grouped[key]) for key in calling),
                     "calls_if_fixed": len(calling) * len(the_split.eval)} if config.adaptive else None,
        "error_costs": costs.to_dict() if costs else None,
        "recommendation": recommend(rows_out, targets, train_rows=len(the_split.train_pool),
                                    shots_tried=config.shots, volume_per_day=config.volume_per_day),
    }
    return document


def pinned(document: dict) -> dict:
    """The results document as the pinned JSON says it: a retrieved row is `"technique": "retrieved-k-shot"`
    with `"shots": K`, a RAG row `"technique": "rag"`, `"shots": 0` and `"passages": K` (inside a run, techniques
    are keyed by one integer, `core.shapes.Technique.code`)."""

    def row(value: dict) -> dict:
        if not isinstance(value.get("shots"), int):
            return value
        technique = Technique.of(value["shots"])
        return {**value, "shots": technique.shots, **({"passages": technique.k} if technique.kind == "rag" else {})}

    out = {**document, "results": [row(r) for r in document.get("results") or []]}
    if isinstance(document.get("recommendation"), dict):
        out["recommendation"] = row(document["recommendation"])
    if isinstance(document.get("comparison"), dict):
        out["comparison"] = {**document["comparison"], **{
            side: row(document["comparison"][side]) for side in ("a", "b", "better")
            if isinstance(document["comparison"].get(side), dict)}}
    return out


def result_row(cid: str, shots: int, results: list, labels: list[str], price: tuple[float, float] | None,
               hardware: float | None, status: RowStatus, *, alpha: float = 0.05, task: str = "classification",
               ) -> ResultRow:
    """One pinned result row. A failed row carries its cause and no numbers: nothing was measured. `alpha` is
    the error the interval may spend (an adaptive run's look, `tools.run.adaptive`)."""
    s = summarise(results, labels, price_per_token=price, hardware_cost_per_hour=hardware, alpha=alpha)
    failure = failure_of(results) if status == "failed" else None
    measured = failure is None
    return {
        "candidate": cid, "technique": "distilled" if distil_module.teacher_of(cid) else technique_id(shots),
        "shots": shots,
        "status": status, "failure": failure,
        "items": s.items, "correct": s.correct, "errors": s.errors, "unparseable": s.unparseable,
        "accuracy": round(s.accuracy, 4) if measured else None,
        "accuracy_ci": [round(s.accuracy_ci[0], 4), round(s.accuracy_ci[1], 4)] if measured else None,
        "macro_f1": round(s.macro_f1, 4) if measured else None,
        "latency_p50_s": _round(s.latency_p50_s) if measured else None,
        "latency_p95_s": _round(s.latency_p95_s) if measured else None,
        "input_tokens_per_item": round(s.input_tokens_per_item, 1),
        "output_tokens_per_item": round(s.output_tokens_per_item, 1),
        "cost_per_1k_usd": None if (s.cost_per_1k_usd is None or not measured) else round(s.cost_per_1k_usd, 6),
        "per_class": {k: {m: round(v, 4) for m, v in d.items()}
                      for k, d in per_class([r for r in results if r.error is None], labels).items()},
        "confusion": confusion(results, labels),
        "error_messages": sorted({r.error for r in results if r.error})[:3],
    } if task == "classification" else _extraction_row(cid, shots, results, labels, s, failure, status)


def _extraction_row(cid: str, shots: int, results: list, fields: list[str], s, failure: str | None,
                    status: RowStatus) -> ResultRow:
    """An extraction row: `accuracy` is all fields right (Wilson CI); per field precision/recall/F1, micro-F1 and
    the share of replies with no JSON object; `macro_f1` is the mean of the fields' F1."""
    measured = failure is None
    answered = [r for r in results if r.error is None]
    scores = field_scores(answered, fields)
    return {
        "candidate": cid, "technique": technique_id(shots), "shots": shots, "status": status, "failure": failure,
        "metric": "all_fields_right",
        "items": s.items, "correct": s.correct, "errors": s.errors, "unparseable": s.unparseable,
        "accuracy": round(s.accuracy, 4) if measured else None,
        "accuracy_ci": [round(s.accuracy_ci[0], 4), round(s.accuracy_ci[1], 4)] if measured else None,
        "fields": {f: {m: round(v[m], 4) for m in ("precision", "recall", "f1")} for f, v in scores.items()}
        if measured else {},
        "micro_f1": round(micro_f1(answered, fields), 4) if measured else None,
        "invalid_json": round(invalid_json_share(results), 4) if measured else None,
        "macro_f1": round(sum(v["f1"] for v in scores.values()) / max(1, len(scores)), 4) if measured else None,
        "latency_p50_s": _round(s.latency_p50_s) if measured else None,
        "latency_p95_s": _round(s.latency_p95_s) if measured else None,
        "input_tokens_per_item": round(s.input_tokens_per_item, 1),
        "output_tokens_per_item": round(s.output_tokens_per_item, 1),
        "cost_per_1k_usd": None if (s.cost_per_1k_usd is None or not measured) else round(s.cost_per_1k_usd, 6),
        "per_class": {}, "confusion": {},
        "error_messages": sorted({r.error for r in results if r.error})[:3],
    }


def scored_results(run_id: str, config: EvalConfig, store: RunStore) -> dict:
    """A run's item results as they are scored: for open answers, right means the judge said RIGHT (the answers'
    own tokens, latency and errors kept); for every other task the stored results as they are."""
    grouped = store.results(run_id)
    if config.task == "generation":
        _Judging(grouped, config)  # replaces each row's results by its judged ones, in place
    return grouped


class _Judging:
    """A generation run's verdicts: each row's answers become judged results (right = the judge said RIGHT; an
    empty answer is wrong), the judge's agreement with people, and — with their marks — the PPI correction."""

    def __init__(self, grouped: dict, config: EvalConfig):
        self.judge = judge_of(config)
        self.answers: dict = {}
        self.verdicts: dict = {}
        human: list[ItemResult] = []
        for (cid, shots), results in list(grouped.items()):
            if cid.startswith(generation.JUDGE_PREFIX):
                grouped.pop((cid, shots))
                self.verdicts[(cid, shots)] = {r.item_id: r.prediction for r in results if r.error is None}
                if cid == generation.judge_key(self.judge, "human"):
                    human = results
        # (judge says right, the person says right) on the answers a person marked and the judge could grade
        self.pairs = [(r.prediction == generation.RIGHT, r.gold == generation.RIGHT) for r in human
                      if r.error is None and r.prediction != UNPARSEABLE]
        for key, results in list(grouped.items()):
            said = self.verdicts.get((generation.judge_key(self.judge, key[0]), key[1]), {})
            self.answers[key] = results
            grouped[key] = [ItemResult(r.item_id, generation.RIGHT, said.get(r.item_id, generation.WRONG)
                                       if r.error is None else None, r.raw, r.latency_s, r.input_tokens,
                                       r.output_tokens, r.error) for r in results]

    def fields(self, cid: str, shots: int, row: ResultRow) -> ResultRow:
        answers = self.answers[(cid, shots)]
        overlap = generation.overlap_scores(answers)
        out: ResultRow = {"metric": "judged", "judge": self.judge, "self_judged": cid == self.judge,
                     "judged_accuracy": row.get("accuracy"), "macro_f1": None,
                     "exact_match": round(overlap["exact_match"], 4), "token_f1": round(overlap["token_f1"], 4),
                     "chrf": round(overlap["chrf"], 4), "judge_agreement": None}
        if self.pairs:
            agree = sum(a == b for a, b in self.pairs) / len(self.pairs)
            kappa, (low, high) = generation.cohen_kappa(self.pairs)
            out["judge_agreement"] = {"n": len(self.pairs), "accuracy": round(agree, 4), "kappa": round(kappa, 4),
                                      "kappa_ci": [round(low, 4), round(high, 4)]}
            judged = [r.prediction == generation.RIGHT for r in self._judged(cid, shots)]
            if judged and row.get("accuracy") is not None:
                estimate, (lo, hi) = generation.ppi_accuracy(judged, [a for a, _ in self.pairs],
                                                             [b for _, b in self.pairs])
                out.update({"accuracy": round(estimate, 4), "accuracy_ci": [round(lo, 4), round(hi, 4)],
                            "accuracy_method": "ppi"})
        return out

    def _judged(self, cid: str, shots: int) -> list[ItemResult]:
        said = self.verdicts.get((generation.judge_key(self.judge, cid), shots), {})
        return [ItemResult(r.item_id, generation.RIGHT, said.get(r.item_id, generation.WRONG), None, None, 0, 0)
                for r in self.answers[(cid, shots)] if r.error is None]


def _cascade_rows(grouped: dict, rows: list[ResultRow], labels: list[str], prices: dict, costs: ErrorCosts | None,
                  targets: Targets, task: str = "classification", alpha: float = 0.05) -> list[ResultRow]:
    """The cascades worth showing (`tools.scoring.cascade`), as result rows; their item results join `grouped`.

    Every cascade built is a look at the same items, and the best are shown: their intervals share `alpha`
    among them (Bonferroni), so picking the best of many cannot turn a lucky one into a "meets"."""
    baseline = next((key for key in grouped if key[0] == BASELINE_ID), None)
    built = [c for c in (cascade.build(first, then, signal, grouped, baseline, lambda key: prices.get(key[0]), share)
                         for first, then, signal, share in cascade.candidates(rows, baseline)) if c is not None]
    cascade_rows: list[ResultRow] = []
    for c in built:
        row = result_row(c.name, c.first[1], c.results, labels, None, None, "measured", alpha=alpha / len(built),
                         task=task)
        row["technique"] = "cascade"
        row["cost_per_1k_usd"] = None if c.cost_per_item_usd is None else round(1000 * c.cost_per_item_usd, 6)
        row["stopped"] = None
        row["cascade"] = {"first": {"candidate": c.first[0], "shots": c.first[1]},
                          "then": {"candidate": c.then[0], "shots": c.then[1]}, "signal": c.signal,
                          "escalated_share": round(c.escalated_share, 4),
                          "threshold": None if c.threshold is None else round(c.threshold, 4),
                          "tried": len(built), "interval": round(1 - alpha / len(built), 6)}
        row.update(_error_cost_fields(row, c.results, costs))
        row["verdicts"] = verdicts(row, targets)
        cascade_rows.append(row)
        grouped[(c.name, c.first[1])] = c.results
    return [cast(ResultRow, r) for r in cascade.efficient(cascade.one_per_signal(cascade_rows), rows)]


def _error_cost_fields(row: ResultRow, results: list, costs: ErrorCosts | None) -> ResultRow:
    """Expected error cost and total cost per 1,000 items, with intervals; None everywhere without error costs."""
    empty: ResultRow = {"error_cost_per_1k_usd": None, "total_cost_per_1k_usd": None, "total_cost_per_1k_ci": None,
             "error_types": None}
    if costs is None or row["status"] == "failed":
        return empty
    summary = summarise_costs(results, costs)
    api = row["cost_per_1k_usd"]
    types = {f"{g}->{p}": {"count": n, "cost_per_1k_usd": round(1000 * n * costs.of(g, p) / summary.answered, 4)}
             for (g, p), n in sorted(summary.confusions.items(), key=lambda kv: -kv[1] * costs.of(*kv[0]))}
    return {"error_cost_per_1k_usd": round(summary.per_1k_usd, 4),
            "total_cost_per_1k_usd": None if api is None else round(api + summary.per_1k_usd, 4),
            "total_cost_per_1k_ci": None if api is None else [round(api + summary.ci[0], 4),
                                                              round(api + summary.ci[1], 4)],
            "error_types": types}


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def resume_config(store: RunStore, run_id: str) -> EvalConfig:
    stored = store.config(run_id)
    if stored is None:
        raise CandidateError("candidate.no_run", run_id=run_id, path=str(store.path))
    config = EvalConfig(**stored)
    if not Path(config.data).is_file():
        raise CandidateError("candidate.no_data_file", path=config.data)
    if config.data_sha256 is not None and file_digest(config.data) != config.data_sha256:
        raise CandidateError("candidate.data_changed", run_id=run_id, path=config.data)
    if config.docs and config.docs_sha256 is not None and documents_digest(config.docs) != config.docs_sha256:
        raise CandidateError("docs.changed", run_id=run_id)
    return config


def data_path(value: str) -> str:
    """The data file's resolved path; a symlink is refused (it could point anywhere, e.g. /etc/passwd)."""
    path = Path(value).expanduser()
    if path.is_symlink():
        raise CandidateError("candidate.symlink", path=value)
    if not path.is_file():
        raise CandidateError("candidate.no_data_file", path=value)
    return str(path.resolve())


def document_path(value: str) -> str:
    """A document, folder or zip for RAG, resolved; a symlink is refused like a data file's."""
    path = Path(value).expanduser()
    if path.is_symlink():
        raise CandidateError("candidate.symlink", path=value)
    if not path.exists():
        raise CandidateError("docs.missing", name=value)
    return str(path.resolve())


def comparison(run_id: str, config: EvalConfig, store: RunStore, a: str, b: str) -> dict:
    """Two rows of a run side by side (`tools.scoring.compare`): where they disagree and whether one is better."""
    the_split, *_ = prepare(config)
    grouped = store.results(run_id)
    keys = list(grouped)
    return compare(row_key(a, keys), row_key(b, keys), grouped, {item.id: item.text for item in the_split.eval})
