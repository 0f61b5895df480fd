"""Honest metrics over per-item results: intervals, not just points; measured tokens, not guesses.

Each metric is a small function of the item results, so the CLI, the chat and the tests compute them the same
way. Costs are measured tokens × the catalog's price (`knowledge.catalog`), the only price source.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from core.shapes import RowStatus

UNPARSEABLE = "__unparseable__"
# The one rule for a failed row: more than this share of its items ended in an error (not a wrong answer — no
# answer at all). Its numbers would describe the few items that happened to get through, so none are reported.
FAILED_ERROR_SHARE = 0.5


@dataclass(frozen=True)
class ItemResult:
    """What one candidate did on one eval item (persisted as a row in runs.sqlite)."""

    item_id: int
    gold: str
    prediction: str | None  # a label, UNPARSEABLE, or None when the call failed
    raw: str | None
    latency_s: float | None
    input_tokens: int
    output_tokens: int
    error: str | None = None
    logprob: float | None = None  # the answer's log-probability, when the endpoint returned it

    @property
    def correct(self) -> bool:
        return self.error is None and self.prediction == self.gold


def wilson_interval(successes: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval (95 % by default): 90/100 → (0.826, 0.945).

    Closed form, no statsmodels: importing it costs more than a whole 2,000-item run against a fast endpoint.
    """
    if n == 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(1 - alpha / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value from the discordant counts (12 vs 4 → 0.077): twice the binomial(b + c, ½)
    tail at min(b, c), in exact integers (no scipy import)."""
    n = b + c
    if n == 0:
        return 1.0
    term = tail = 1
    for i in range(1, min(b, c) + 1):
        term = term * (n - i + 1) // i
        tail += term
    return min(1.0, 2 * tail / 2**n)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0–100); None for no values."""
    if not values:
        return None
    import numpy as np

    return float(np.percentile(np.asarray(values, dtype=float), q))


def per_class(results: Sequence[ItemResult], labels: Sequence[str]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per label (unparseable and failed predictions count as wrong)."""
    out = {}
    for label in labels:
        tp = sum(1 for r in results if r.prediction == label and r.gold == label and r.error is None)
        fp = sum(1 for r in results if r.prediction == label and r.gold != label and r.error is None)
        fn = sum(1 for r in results if r.gold == label and not (r.prediction == label and r.error is None))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return out


def macro_f1(results: Sequence[ItemResult], labels: Sequence[str]) -> float:
    scores = [v["f1"] for v in per_class(results, labels).values() if v["support"] > 0]
    return sum(scores) / len(scores) if scores else 0.0


def confusion(results: Sequence[ItemResult], labels: Sequence[str]) -> dict[str, dict[str, int]]:
    """gold → predicted → count, with 'unparseable' and 'error' columns kept apart."""
    columns = [*labels, "unparseable", "error"]
    table = {g: dict.fromkeys(columns, 0) for g in labels}
    for r in results:
        column = "error" if r.error else ("unparseable" if r.prediction == UNPARSEABLE else r.prediction)
        if r.gold in table and column in table[r.gold]:
            table[r.gold][column] += 1
    return table


def failure_of(results: Sequence[ItemResult]) -> str | None:
    """The cause when the row is failed (its most common error), None when it was measured."""
    errors = [r.error for r in results if r.error]
    if not results or len(errors) <= FAILED_ERROR_SHARE * len(results):
        return None
    return max(set(errors), key=errors.count)


def row_status(results: Sequence[ItemResult], eval_size: int, run_status: str) -> RowStatus:
    """"failed" (see `failure_of`), "stopped" (the run ended before this row covered the eval set) or "measured"."""
    if failure_of(results) is not None:
        return "failed"
    if run_status != "finished" and len(results) < eval_size:
        return "stopped"
    return "measured"


@dataclass
class Summary:
    items: int
    correct: int
    errors: int
    unparseable: int
    accuracy: float
    accuracy_ci: tuple[float, float]
    macro_f1: float
    latency_p50_s: float | None
    latency_p95_s: float | None
    input_tokens_per_item: float
    output_tokens_per_item: float
    cost_per_1k_usd: float | None


def summarise(results: Sequence[ItemResult], labels: Sequence[str], *, price_per_token: tuple[float, float] | None,
              hardware_cost_per_hour: float | None = None, alpha: float = 0.05) -> Summary:
    """Everything the results table shows for one candidate × technique.

    Accuracy, its interval and macro-F1 are over the items that were answered (an error is not a wrong answer;
    the error count is reported beside them)."""
    n = len(results)
    correct = sum(r.correct for r in results)
    answered = [r for r in results if r.error is None]
    latencies = [r.latency_s for r in answered if r.latency_s is not None]
    mean_in = sum(r.input_tokens for r in answered) / len(answered) if answered else 0.0
    mean_out = sum(r.output_tokens for r in answered) / len(answered) if answered else 0.0
    cost = None
    if price_per_token is not None:
        cost = 1000 * (mean_in * price_per_token[0] + mean_out * price_per_token[1])
        if hardware_cost_per_hour and latencies:
            cost += 1000 * hardware_cost_per_hour * (sum(latencies) / len(latencies)) / 3600
    return Summary(
        items=n, correct=correct, errors=sum(r.error is not None for r in results),
        unparseable=sum(r.prediction == UNPARSEABLE for r in results),
        accuracy=correct / len(answered) if answered else 0.0, accuracy_ci=wilson_interval(correct, len(answered), alpha),
        macro_f1=macro_f1(answered, labels), latency_p50_s=percentile(latencies, 50),
        latency_p95_s=percentile(latencies, 95), input_tokens_per_item=mean_in, output_tokens_per_item=mean_out,
        cost_per_1k_usd=cost,
    )


def mcnemar_between(a: Sequence[ItemResult], b: Sequence[ItemResult]) -> float:
    """Exact McNemar p-value between two candidates on the items both answered (paired by item id)."""
    right_b = {r.item_id: r.correct for r in b if r.error is None}
    paired = [r for r in a if r.error is None and r.item_id in right_b]
    only_a = sum(1 for r in paired if r.correct and not right_b[r.item_id])
    only_b = sum(1 for r in paired if not r.correct and right_b[r.item_id])
    return mcnemar_exact(only_a, only_b)
