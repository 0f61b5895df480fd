"""The decision: a verdict per candidate per target, then the cheapest candidate that meets them all.

"met" needs the whole 95 % interval (its lower bound) above the accuracy target, p95 latency under the limit
and measured cost under the ceiling; "marginal" means only the point estimate clears the accuracy target;
"missed" otherwise. When nothing meets the targets, the next steps say what to try and what it costs.
"""

from __future__ import annotations

from dataclasses import dataclass

Verdict = str  # "met" | "marginal" | "missed" | "unknown" | "no target" | "failed"
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


def verdicts(result: dict, targets: Targets) -> dict[str, Verdict]:
    """Verdicts for one result row (the engine's JSON shape); a failed row has no measured value to judge."""
    if result.get("status") == "failed":
        return dict.fromkeys(("accuracy", "cost", "latency"), "failed")
    return {
        "accuracy": accuracy_verdict(result["accuracy"], tuple(result["accuracy_ci"]), targets.accuracy),
        "cost": limit_verdict(result["cost_per_1k_usd"], targets.max_cost_per_1k_usd),
        "latency": limit_verdict(result["latency_p95_s"], targets.max_latency_s),
    }


def _label(row: dict) -> str:
    return f"{row['candidate']} ({row['technique']}{' k=' + str(row['shots']) if row.get('shots') else ''})"


def _ok(v: Verdict) -> bool:
    return v in ("met", "no target")


def recommend(results: list[dict], targets: Targets, *, train_rows: int = 0, shots_tried: list[int] | None = None,
              fine_tune_hint: str | None = None) -> dict:
    """The recommendation object: candidate, technique, status, reasons, next_steps.

    Only fully measured rows can be picked: a failed row has no numbers, a stopped one covers part of the eval set.
    """
    usable = [r for r in results if r.get("status", "measured") == "measured" and r["items"]]
    caveats = [f"{_label(r)} failed: {r['failure']}." for r in results if r.get("status") == "failed"]
    caveats += [f"{_label(r)} was stopped after {r['items']} items, so it is not compared."
                for r in results if r.get("status") == "stopped"]
    cost_key = lambda r: (r["cost_per_1k_usd"] if r["cost_per_1k_usd"] is not None else float("inf"),  # noqa: E731
                          r["latency_p95_s"] or 0.0, -r["accuracy"])
    met = sorted([r for r in usable if all(_ok(v) for v in r["verdicts"].values())], key=cost_key)
    if met:
        best = met[0]
        reasons = [f"{_label(best)} meets every target at the lowest measured cost: accuracy "
                   f"{best['accuracy']:.1%} (95% CI {best['accuracy_ci'][0]:.1%}–{best['accuracy_ci'][1]:.1%}), "
                   f"p95 latency {best['latency_p95_s']:.2f} s, ${best['cost_per_1k_usd']:.4f} per 1,000 items."]
        others = [r for r in met[1:3]]
        for other in others:
            reasons.append(f"Also meets the targets: {_label(other)} at ${other['cost_per_1k_usd']:.4f} per 1,000 items.")
        return {"candidate": best["candidate"], "technique": best["technique"], "shots": best.get("shots", 0),
                "status": "met", "reasons": reasons + caveats, "next_steps": []}
    marginal = sorted([r for r in usable if r["verdicts"]["accuracy"] == "marginal"
                       and _ok(r["verdicts"]["cost"]) and _ok(r["verdicts"]["latency"])], key=cost_key)
    steps = next_steps(usable, targets, train_rows=train_rows, shots_tried=shots_tried or [0],
                       fine_tune_hint=fine_tune_hint)
    if marginal:
        best = marginal[0]
        return {"candidate": best["candidate"], "technique": best["technique"], "shots": best.get("shots", 0),
                "status": "marginal",
                "reasons": [f"{_label(best)} reaches {best['accuracy']:.1%}, above the {targets.accuracy:.0%} target, "
                            f"but its 95% interval starts at {best['accuracy_ci'][0]:.1%}: more eval items are needed "
                            "to be sure.", *caveats],
                "next_steps": ["Run more eval items to narrow the interval.", *steps]}
    reasons = ["No candidate meets every target."]
    if usable:
        top = max(usable, key=lambda r: r["accuracy"])
        reasons.append(f"The most accurate was {_label(top)} at {top['accuracy']:.1%} "
                       f"(95% CI {top['accuracy_ci'][0]:.1%}–{top['accuracy_ci'][1]:.1%}).")
    else:
        reasons.append("No candidate produced usable results.")
    reasons += caveats
    return {"candidate": None, "technique": None, "shots": None, "status": "none", "reasons": reasons,
            "next_steps": steps}


def next_steps(results: list[dict], targets: Targets, *, train_rows: int, shots_tried: list[int],
               fine_tune_hint: str | None = None) -> list[str]:
    """What to try when nothing meets the targets, cheapest first."""
    steps = []
    if max(shots_tried) == 0:
        steps.append("Try k-shot prompting (e.g. --shots 0,3,5): a few labelled examples in the prompt often lift "
                     "accuracy most for small models, at the cost of more input tokens per item.")
    accuracy_short = [r for r in results if r["verdicts"]["accuracy"] == "missed"]
    if accuracy_short:
        steps.append("Add a stronger model from the catalog (`modelpick catalog search` ranks them with prices) to "
                     "see whether the target is reachable at all.")
        steps.append("Try retrieval (RAG): put the most similar labelled examples in each prompt (dynamic few-shot).")
        needed = FINE_TUNE_ROWS
        have = (f"your train pool of {train_rows:,} rows is enough to start" if train_rows >= needed else
                f"label about {needed - train_rows:,} more (the train pool has {train_rows:,})")
        steps.append(f"Fine-tune or distil a small model on about {needed:,} labelled rows kept out of the eval set: "
                     f"{have}." + (f" {fine_tune_hint}" if fine_tune_hint else ""))
    if any(r["verdicts"]["cost"] == "missed" for r in results):
        steps.append("Cut cost: fewer shots or shorter prompts, a smaller model, batch APIs, or distillation.")
    if any(r["verdicts"]["latency"] == "missed" for r in results):
        steps.append("Cut latency: shorter outputs, a smaller or non-reasoning model, or a closer region.")
    return steps
