"""A run's results as the pinned JSON document shared by `modelpick eval --json` and the chat: per-row
metrics, verdicts, the recommendation, cascades and error costs, and two rows compared.
"""

from __future__ import annotations

from typing import cast

from core.shapes import ResultRow, RowStatus, Technique
from tools.candidates.base import BASELINE_ID
from tools.candidates.pricing import entry_price
from tools.data.evalset import power_analysis
from tools.evaluation.config import EvalConfig, judge_of, prepare
from tools.prompting.prompts import technique_id
from tools.run import adaptive
from tools.run.runner import RunOutcome, RunStore
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
from tools.tasks.extraction import field_scores, invalid_json_share, micro_f1
from tools.training import distil as distil_module


def _targets(config: EvalConfig) -> Targets:
    return Targets(**{k: config.targets.get(k) for k in ("accuracy", "max_cost_per_1k_usd", "max_latency_s")})

def replay_decisions(run_id: str, config: EvalConfig, store: RunStore, keys: list[tuple[str, int]],
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
    messages as ids (`words.catalog.phrase_document` phrases them)."""
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
    decisions, reached = replay_decisions(run_id, config, store, calling, grouped) if config.adaptive else ({}, 0)
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

def comparison(run_id: str, config: EvalConfig, store: RunStore, a: str, b: str) -> dict:
    """Two rows of a run side by side (`tools.scoring.compare`): where they disagree and whether one is better."""
    the_split, *_ = prepare(config)
    grouped = store.results(run_id)
    keys = list(grouped)
    return compare(row_key(a, keys), row_key(b, keys), grouped, {item.id: item.text for item in the_split.eval})
