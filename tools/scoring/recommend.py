"""The decision: a verdict per candidate per target, then the cheapest candidate that meets them all.

"met" needs the whole 95 % interval (its lower bound) above the accuracy target, p95 latency under the limit
and measured cost under the ceiling; "marginal" means only the point estimate clears the accuracy target;
"missed" otherwise. When nothing meets the targets, the next steps say what to try and what it costs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from core.problems import reason
from core.shapes import (
    BASELINE_ID,
    DISTILLED_PREFIX,
    Reason,
    Recommendation,
    ResultRow,
    Technique,
    Verdict,
    Verdicts,
)
from knowledge.lifecycle import retiring_soon
from tools.planning.moves import method_moves

# The method guide's worked example fine-tuned on 1,000 labelled rows (knowledge/guides/fine-tuning.md).
FINE_TUNE_ROWS = 1000


@dataclass
class Targets:
    accuracy: float | None = None
    max_cost_per_1k_usd: float | None = None
    max_latency_s: float | None = None

    def to_dict(self) -> dict:
        return {"accuracy": self.accuracy, "max_cost_per_1k_usd": self.max_cost_per_1k_usd,
                "max_latency_s": self.max_latency_s}


def accuracy_verdict(accuracy: float, ci: tuple[float, float], target: float | None) -> Verdict:
    if target is None:
        return "no target"
    if ci[0] >= target:
        return "met"
    return "marginal" if accuracy >= target else "missed"


def limit_verdict(value: float | None, limit: float | None) -> Verdict:
    if limit is None:
        return "no target"
    if value is None:
        return "unknown"
    return "met" if value <= limit else "missed"


def verdicts(result: ResultRow, targets: Targets) -> Verdicts:
    """Verdicts for one result row (the engine's JSON shape); a failed row has no measured value to judge."""
    if result.get("status") == "failed" or result["accuracy"] is None or result["accuracy_ci"] is None:
        return {"accuracy": "failed", "cost": "failed", "latency": "failed"}
    low, high = result["accuracy_ci"]
    return {
        "accuracy": accuracy_verdict(result["accuracy"], (low, high), targets.accuracy),
        "cost": limit_verdict(result["cost_per_1k_usd"], targets.max_cost_per_1k_usd),
        "latency": limit_verdict(result["latency_p95_s"], targets.max_latency_s),
    }


def technique_reason(shots: int) -> Reason:
    """The technique of a row as a message: zero-shot, k-shot with its k, k retrieved examples, or RAG."""
    technique = Technique.of(shots)
    if technique.kind == "rag":
        return reason("technique.rag", passages=technique.k)
    if technique.kind == "retrieved":
        return reason("technique.retrieved", shots=technique.k)
    return reason("technique.zero_shot") if not shots else reason("technique.k_shot", shots=shots)


def _label(row: ResultRow) -> Reason:
    if row.get("cascade"):
        return reason("label.row", candidate=row["candidate"], technique=reason("technique.cascade"))
    if row["candidate"] == BASELINE_ID:
        return reason("label.row", candidate=row["candidate"], technique=reason("technique.trained"))
    if row["candidate"].startswith(DISTILLED_PREFIX):
        return reason("label.row", candidate=row["candidate"], technique=reason(
            "technique.distilled", teacher=row["candidate"].removeprefix(DISTILLED_PREFIX)))
    return reason("label.row", candidate=row["candidate"], technique=technique_reason(row.get("shots", 0)))


def _ok(v: str) -> bool:
    return v in ("met", "no target")


def _meets_all(v: Verdicts) -> bool:
    return _ok(v["accuracy"]) and _ok(v["cost"]) and _ok(v["latency"])


def _ci(row: ResultRow) -> dict:
    low, high = row["accuracy_ci"] or (0.0, 1.0)
    return {"low": low, "high": high}


def _caveats(results: list[ResultRow]) -> list[Reason]:
    """Rows that cannot be compared, and why: failed ones with their cause, stopped ones with their size."""
    caveats = [reason("rec.failed", label=_label(r), cause=r.get("failure")) for r in results
               if r.get("status") == "failed"]
    return caveats + [reason("rec.stopped", label=_label(r), items=r["items"]) for r in results
                      if r.get("status") == "stopped"]


def _cost_key(row: ResultRow) -> tuple[float, float, float]:
    cost = row["cost_per_1k_usd"]
    return (cost if cost is not None else float("inf"), row["latency_p95_s"] or 0.0, -(row["accuracy"] or 0.0))


def _pick(row: ResultRow, status: Literal["met", "marginal", "none"], reasons: list[Reason], steps: list[Reason],
          today: date | None = None) -> Recommendation:
    return {"candidate": row["candidate"], "technique": row["technique"],
            "shots": row.get("shots", 0), "status": status, "reasons": reasons + lifecycle_reasons(row["candidate"], today),
            "next_steps": steps}


def lifecycle_reasons(candidate: str, today: date | None = None) -> list[Reason]:
    """A pick that shuts down within 6 months says so, with the provider's successor (knowledge/lifecycle.py)."""
    soon = retiring_soon(candidate, today)
    if soon is None or soon.days < 0:
        return []
    found = [reason("rec.retires", model=candidate, date=soon.shutdown, days=soon.days, source=soon.source or "—",
                    as_of=soon.as_of or "—")]
    return found + ([reason("rec.retires_successor", successor=soon.successor)] if soon.successor else [])


def recommend(results: list[ResultRow], targets: Targets, *, train_rows: int = 0,
              shots_tried: list[int] | None = None, volume_per_day: float | None = None,
              today: date | None = None) -> Recommendation:
    """The recommendation: candidate, technique, status, reasons and next steps (as messages).

    `today` dates the lifecycle facts (a retiring pick, a fine-tune that can still start): the real day by default.
    Only fully measured rows can be picked: a failed row has no numbers, a stopped one covers part of the eval set.
    With error costs, the pick is the lowest total cost (API + expected errors) among rows within every target.
    """
    usable = [r for r in results if r.get("status", "measured") == "measured" and r["items"]]
    caveats = _caveats(results)
    no_targets = targets.accuracy is None and targets.max_cost_per_1k_usd is None and targets.max_latency_s is None
    if no_targets and not any(r.get("total_cost_per_1k_usd") is not None for r in usable):
        # Nothing can be met or missed: say so and rank by accuracy (then cost), never "meets every target".
        reasons = [reason("rec.no_targets")]
        if usable:
            top = max(usable, key=lambda r: (r["accuracy"] or 0.0, -(r["cost_per_1k_usd"] or 0.0)))
            reasons.append(reason("rec.ranked_by_accuracy", label=_label(top), accuracy=top["accuracy"], **_ci(top),
                                  cost=top["cost_per_1k_usd"] or 0.0))
        return {"candidate": None, "technique": None, "shots": None, "status": "none",
                "reasons": reasons + caveats, "next_steps": [reason("step.set_target")]}
    priced = sorted([r for r in usable if r.get("total_cost_per_1k_usd") is not None and _meets_all(r["verdicts"])],
                    key=lambda r: (r["total_cost_per_1k_usd"], r["latency_p95_s"] or 0.0))
    if priced:
        return _pick(priced[0], "met", _total_reasons(priced, volume_per_day) + caveats, [], today)
    met = sorted([r for r in usable if _meets_all(r["verdicts"])], key=_cost_key)
    if met:
        best = met[0]
        reasons = [reason("rec.meets", label=_label(best), accuracy=best["accuracy"], **_ci(best),
                          latency=best["latency_p95_s"] or 0.0, cost=best["cost_per_1k_usd"] or 0.0)]
        reasons += [reason("rec.also_meets", label=_label(other), cost=other["cost_per_1k_usd"] or 0.0)
                    for other in met[1:3]]
        return _pick(best, "met", reasons + caveats, [], today)
    marginal = sorted([r for r in usable if r["verdicts"]["accuracy"] == "marginal"
                       and _ok(r["verdicts"]["cost"]) and _ok(r["verdicts"]["latency"])], key=_cost_key)
    steps = next_steps(usable, train_rows=train_rows, shots_tried=shots_tried or [0], today=today)
    if marginal:
        best = marginal[0]
        because = reason("rec.marginal", label=_label(best), accuracy=best["accuracy"], target=targets.accuracy,
                         low=_ci(best)["low"])
        return _pick(best, "marginal", [because, *caveats], [reason("step.more_items"), *steps], today)
    reasons = [reason("rec.none_meets")]
    if usable:
        top = max(usable, key=lambda r: r["accuracy"] or 0.0)
        reasons.append(reason("rec.most_accurate", label=_label(top), accuracy=top["accuracy"], **_ci(top)))
    else:
        reasons.append(reason("rec.nothing_usable"))
    return {"candidate": None, "technique": None, "shots": None, "status": "none", "reasons": reasons + caveats,
            "next_steps": steps}


def _total_reasons(ranked: list[ResultRow], volume_per_day: float | None) -> list[Reason]:
    """Why the lowest total cost wins, what comes next, and what each error type costs a month."""
    best = ranked[0]
    low, high = best["total_cost_per_1k_ci"] or (0.0, 0.0)
    reasons = [reason("rec.lowest_total", label=_label(best), total=best["total_cost_per_1k_usd"], low=low, high=high,
                      api=best["cost_per_1k_usd"] or 0.0, errors=best["error_cost_per_1k_usd"] or 0.0,
                      accuracy=best["accuracy"])]
    if len(ranked) > 1:
        other = ranked[1]
        o_low, o_high = other["total_cost_per_1k_ci"] or (0.0, 0.0)
        which = "rec.total_runner_up_overlap" if o_low <= high else "rec.total_runner_up"
        reasons.append(reason(which, label=_label(other), total=other["total_cost_per_1k_usd"], low=o_low, high=o_high))
    if volume_per_day:
        for pair, numbers in list((best.get("error_types") or {}).items())[:3]:
            gold, predicted = pair.split("->", 1)
            reasons.append(reason("rec.error_type_month", gold=gold, predicted=predicted or "unparseable",
                                  count=int(numbers["count"]), items=best["items"] - best["errors"],
                                  usd=numbers["cost_per_1k_usd"] * volume_per_day / 1000 * 30, volume=volume_per_day))
    return reasons


def next_steps(results: list[ResultRow], *, train_rows: int, shots_tried: list[int],
               today: date | None = None) -> list[Reason]:
    """What to try when nothing meets the targets, cheapest first; when a row reaches the accuracy but misses
    cost or latency, the method's move first — which model to fine-tune or distil, priced (`moves`)."""
    moves = method_moves(results, train_rows=train_rows, today=today)
    steps: list[Reason] = list(moves)
    if max(shots_tried) == 0:
        steps.append(reason("step.k_shot"))
    if any(r["verdicts"]["accuracy"] == "missed" for r in results):
        steps += [reason("step.stronger_model"), reason("step.retrieval")]
        if not moves and train_rows >= FINE_TUNE_ROWS:  # (when named above, the move is said with numbers)
            steps.append(reason("step.fine_tune_enough", needed=FINE_TUNE_ROWS, have=train_rows))
        elif not moves:
            steps.append(reason("step.fine_tune_more", needed=FINE_TUNE_ROWS, have=train_rows,
                                missing=FINE_TUNE_ROWS - train_rows))
    if any(r["verdicts"]["cost"] == "missed" for r in results):
        steps.append(reason("step.cut_cost"))
    if any(r["verdicts"]["latency"] == "missed" for r in results):
        steps.append(reason("step.cut_latency"))
    return steps
