"""Cascades from stored results: a cheap model answers first; a stronger one is asked only where a signal that
exists in production says the cheap answer is doubtful. No new call is made — every row already answered the
same eval items, so "what would the cascade have done" is a lookup.

Signals (all available without calling the stronger model): the first model's answer is unparseable or its call
failed; the first model disagrees with the trained baseline (which costs nothing to run beside it); the first
model is unsure — its answer's log-probability (returned by the endpoint) is among the least sure `share` of
answers. The last one has a threshold, and a threshold fitted on the items it is scored on would flatter it: the
eval items are split in two halves, each half escalated with the threshold learnt on the other (cross-fitting,
no extra calls); the threshold to deploy is learnt on all of them and shown. Showing the best few of many
cascades is a selection effect: `tools.evaluation.results` pays for it in their intervals (the error shared among all the
cascades built). A cascade's accuracy counts the final answers; its cost per item is the first model's plus the
second's on escalated items; its latency per item is the sum of both calls.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from tools.scoring.metrics import UNPARSEABLE, ItemResult

Key = tuple[str, int]
SIGNALS = ("unparseable", "disagrees_with_baseline", "low_confidence")
UNSURE_SHARES = (0.1, 0.2, 0.3, 0.5)  # low_confidence: the least sure share of answers escalated, one cascade each
KEEP = 3  # cascades shown: the best few that no other row beats on both accuracy and cost


@dataclass(frozen=True)
class Cascade:
    first: Key
    then: Key
    signal: str
    results: list[ItemResult]
    escalated: frozenset[int]
    cost_per_item_usd: float | None
    share: float | None = None  # low_confidence: the least sure share escalated
    threshold: float | None = None  # low_confidence: escalate when the answer's log-probability is below this

    @property
    def name(self) -> str:
        """"cheap:0→careful:3" (escalating unparseable answers), "…/baseline", "…/unsure20": the ids and shots of
        both steps and the signal (the row's name in tables and the JSON)."""
        steps = f"{self.first[0]}:{self.first[1]}→{self.then[0]}:{self.then[1]}"
        if self.signal == "disagrees_with_baseline":
            return steps + "/baseline"
        if self.signal == "low_confidence":
            return f"{steps}/unsure{round(100 * (self.share or 0))}"
        return steps

    @property
    def escalated_share(self) -> float:
        return len(self.escalated) / len(self.results) if self.results else 0.0


def _escalate(signal: str, first: ItemResult, baseline: ItemResult | None) -> bool:
    if signal == "unparseable":
        return first.error is not None or first.prediction == UNPARSEABLE
    return baseline is not None and baseline.prediction != first.prediction


def unsure_threshold(logprobs: Sequence[float], share: float) -> float:
    """The log-probability under which the least sure `share` of these answers lie (midway between neighbours)."""
    ordered = sorted(logprobs)
    k = round(share * len(ordered))
    if k <= 0:
        return float("-inf")
    if k >= len(ordered):
        return float("inf")
    return (ordered[k - 1] + ordered[k]) / 2


def _answered(result: ItemResult) -> bool:
    return result.error is None and result.prediction != UNPARSEABLE


def _unsure_escalations(first: Mapping[int, ItemResult], ids: Sequence[int],
                        share: float) -> tuple[set[int], float] | None:
    """Items escalated for low confidence (cross-fitted over two halves) and the threshold learnt on all items;
    None when the first model's answers carry no log-probabilities (its endpoint does not return them)."""
    sure = {i: first[i].logprob for i in ids if _answered(first[i])}
    if not sure or any(value is None for value in sure.values()):
        return None
    values = {i: float(v) for i, v in sure.items() if v is not None}
    ordered = sorted(ids)
    halves = [set(ordered[0::2]), set(ordered[1::2])]
    escalated = {i for i in ids if i not in values}  # failed or unparseable: escalated whatever the threshold
    for half, other in ((halves[0], halves[1]), (halves[1], halves[0])):
        learnt = [values[i] for i in other if i in values]
        if not learnt:
            return None
        cut = unsure_threshold(learnt, share)
        escalated |= {i for i in half if i in values and values[i] < cut}
    deploy = unsure_threshold(list(values.values()), share)
    return (escalated, deploy) if math.isfinite(deploy) else None


PriceFn = Callable[[Key], tuple[float, float] | None]


def build(first: Key, then: Key, signal: str, grouped: Mapping[Key, Sequence[ItemResult]],
          baseline: Key | None, price: PriceFn, share: float | None = None) -> Cascade | None:
    """The cascade on the items every step (and the baseline, for its signal) has a result for."""
    a = {r.item_id: r for r in grouped[first]}
    b = {r.item_id: r for r in grouped[then]}
    base = {r.item_id: r for r in grouped[baseline]} if baseline else {}
    ids = [i for i in a if i in b and (signal != "disagrees_with_baseline" or i in base)]
    threshold = None
    unsure: set[int] = set()
    if signal == "low_confidence":
        found = _unsure_escalations(a, ids, share or 0.0)
        if found is None:
            return None
        unsure, threshold = found
    price_a, price_b = price(first), price(then)
    results, escalated, cost = [], set(), 0.0
    for item_id in ids:
        x, y = a[item_id], b[item_id]
        doubtful = (item_id in unsure) if signal == "low_confidence" else _escalate(signal, x, base.get(item_id))
        if doubtful:
            escalated.add(item_id)
            latency = (x.latency_s or 0.0) + y.latency_s if y.latency_s is not None else None
            results.append(ItemResult(item_id, y.gold, y.prediction, y.raw, latency, x.input_tokens + y.input_tokens,
                                      x.output_tokens + y.output_tokens, y.error))
            cost += _cost(x, price_a) + _cost(y, price_b)
        else:
            results.append(x)
            cost += _cost(x, price_a)
    if not ids or not escalated or len(escalated) == len(ids):
        return None  # escalating nothing is the first model; everything, the second plus a wasted call
    known = price_a is not None and price_b is not None
    return Cascade(first, then, signal, results, frozenset(escalated), cost / len(ids) if known else None,
                   share if signal == "low_confidence" else None, threshold)


def _cost(result: ItemResult, price: tuple[float, float] | None) -> float:
    return 0.0 if price is None else result.input_tokens * price[0] + result.output_tokens * price[1]


def candidates(rows: Sequence[Mapping], baseline: Key | None) -> list[tuple[Key, Key, str, float | None]]:
    """(first, then, signal, share) for every measured calling row and every dearer measured row (`share`: the
    least sure share escalated, for low_confidence)."""
    measured = [r for r in rows if r.get("status") == "measured" and r.get("cost_per_1k_usd") is not None]
    pairs: list[tuple[Key, Key, str, float | None]] = []
    for a in measured:
        first = (a["candidate"], a["shots"])
        if first == baseline:
            continue
        for b in measured:
            then = (b["candidate"], b["shots"])
            if then == first or b["cost_per_1k_usd"] <= a["cost_per_1k_usd"] or then[0] == first[0]:
                continue
            for signal in SIGNALS:
                if signal == "disagrees_with_baseline" and (baseline is None or then == baseline):
                    continue
                if signal == "low_confidence":
                    pairs += [(first, then, signal, share) for share in UNSURE_SHARES]
                else:
                    pairs.append((first, then, signal, None))
    return pairs


def one_per_signal(cascade_rows: Sequence[Mapping]) -> list[Mapping]:
    """One row per (first, then, signal): of an unsure cascade's escalated shares, the cheapest whose accuracy
    meets the target, else the most accurate — the other shares would fill the table with one cascade."""
    groups: dict[tuple, list[Mapping]] = {}
    for row in cascade_rows:
        c = row["cascade"]
        groups.setdefault((c["first"]["candidate"], c["first"]["shots"], c["then"]["candidate"], c["then"]["shots"],
                           c["signal"]), []).append(row)
    kept = []
    for rows in groups.values():
        met = [r for r in rows if (r.get("verdicts") or {}).get("accuracy") == "met"]
        kept.append(min(met, key=lambda r: r["cost_per_1k_usd"] or 0.0) if met else
                    max(rows, key=lambda r: (r["accuracy"] or 0.0, -(r["cost_per_1k_usd"] or 0.0))))
    return kept


def efficient(cascade_rows: Sequence[Mapping], other_rows: Sequence[Mapping]) -> list[Mapping]:
    """The cascades no row (single or cascade) beats on both accuracy and cost per 1k; the best few."""
    pool = [r for r in [*cascade_rows, *other_rows] if r.get("accuracy") is not None
            and r.get("cost_per_1k_usd") is not None]

    def beaten(row: Mapping) -> bool:
        return any(o is not row and o["accuracy"] >= row["accuracy"] and o["cost_per_1k_usd"] <= row["cost_per_1k_usd"]
                   and (o["accuracy"] > row["accuracy"] or o["cost_per_1k_usd"] < row["cost_per_1k_usd"]) for o in pool)

    kept = [r for r in cascade_rows if r.get("accuracy") is not None and not beaten(r)]
    return sorted(kept, key=lambda r: (-r["accuracy"], r["cost_per_1k_usd"]))[:KEEP]
