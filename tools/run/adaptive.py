"""Adaptive runs: spend eval calls where the decision is still open.

Every candidate × technique runs on the same eval items in the same (shuffled, stratified) order, in rounds that
end at fixed looks — ⅛, ¼, ½ and all of `--eval-size` (looks under 40 items are skipped). After each look a row
stops when it is

- **hopeless**: it cannot become the recommendation — the upper end of its accuracy interval is below the
  target, its measured cost or p95 latency is over a hard limit, or a row already settled as meeting every
  target costs less;
- **settled**: the lower end of its interval is at or above the target and it is within the cost and latency
  limits: its verdict is "met" and more items cannot change that.

Repeated looks at the same data inflate the chance of a false "met", so each look uses its own share of the
error: **alpha spending with a Bonferroni split** — 80 % of α = 5 % at the last look, the rest divided
evenly over the earlier ones. By the union bound the chance that any look's interval misses the true accuracy
is at most α, the same as one fixed-size run, so an adaptive run calls a model "met" wrongly no more often than
a fixed run does. The intervals reported for an adaptive run are these (a little wider than a fixed run's at
the same size); the guide `knowledge/guides/adaptive-evaluation.md` says why this rule and not another.

Without an accuracy target there is nothing to decide early: every row runs to the end, as in a fixed run.
The decisions are a pure function of the stored item results, so a resumed run and the results document replay
them exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from tools.scoring.metrics import ItemResult, percentile, wilson_interval

ALPHA = 0.05
FINAL_SHARE = 0.8  # of α, spent at the last look; the rest is split evenly over the earlier looks
FIRST_LOOK_MIN = 40  # fewer items than this say too little to stop anything
LIMIT_MIN_ITEMS = 20  # a cost or latency limit is judged once this many items are answered

Stop = Literal["settled", "hopeless"]
Key = tuple[str, int]


@dataclass(frozen=True)
class Look:
    n: int  # items every running row has answered (or failed) at this look
    alpha: float  # the two-sided error this look's interval may spend


def looks(n_max: int) -> list[Look]:
    """The looks of a run with at most `n_max` items per row: ⅛, ¼, ½, all (each at least 40 items)."""
    sizes = sorted({n for n in (n_max // 8, n_max // 4, n_max // 2) if n >= FIRST_LOOK_MIN} | {n_max})
    if len(sizes) == 1:
        return [Look(n_max, ALPHA)]
    early = ALPHA * (1 - FINAL_SHARE) / (len(sizes) - 1)
    return [Look(n, early) for n in sizes[:-1]] + [Look(sizes[-1], ALPHA * FINAL_SHARE)]


@dataclass(frozen=True)
class RowState:
    """What a row has measured on the first n items."""

    correct: int
    answered: int
    cost_per_1k_usd: float | None
    latency_p95_s: float | None
    items: int = 0  # answered + failed


@dataclass(frozen=True)
class Targets:
    accuracy: float | None
    max_cost_per_1k_usd: float | None = None
    max_latency_s: float | None = None


CostFn = Callable[[Key, Sequence[ItemResult]], float | None]


def row_state(results: Sequence[ItemResult], cost_per_1k: float | None) -> RowState:
    answered = [r for r in results if r.error is None]
    latencies = [r.latency_s for r in answered if r.latency_s is not None]
    return RowState(sum(r.correct for r in answered), len(answered), cost_per_1k, percentile(latencies, 95),
                    len(results))


def _over_limits(state: RowState, targets: Targets) -> bool:
    if state.answered < LIMIT_MIN_ITEMS:
        return False
    cost, latency = state.cost_per_1k_usd, state.latency_p95_s
    return bool((targets.max_cost_per_1k_usd is not None and cost is not None and cost > targets.max_cost_per_1k_usd)
                or (targets.max_latency_s is not None and latency is not None and latency > targets.max_latency_s))


def decide(states: dict[Key, RowState], targets: Targets, look: Look,
           settled_costs: Sequence[float]) -> dict[Key, Stop]:
    """Which running rows stop at this look, and why. `settled_costs` are the costs of rows already settled."""
    if targets.accuracy is None:
        return {}
    stops: dict[Key, Stop] = {}
    for key, state in states.items():
        if 2 * state.answered <= state.items:
            continue  # a failing row (most calls failed): the runner's failure rules end it, not a verdict
        low, high = wilson_interval(state.correct, state.answered, look.alpha)
        if high < targets.accuracy or _over_limits(state, targets):
            stops[key] = "hopeless"
        elif low >= targets.accuracy:
            stops[key] = "settled"
    cheapest = min([*settled_costs, *(_cost(states[k]) for k, why in stops.items() if why == "settled")],
                   default=None)
    if cheapest is not None:
        for key, state in states.items():
            if key not in stops and 2 * state.answered > state.items and _cost(state) > cheapest:
                stops[key] = "hopeless"  # a cheaper row already meets every target: this one cannot be picked
    return stops


def _cost(state: RowState) -> float:
    return state.cost_per_1k_usd if state.cost_per_1k_usd is not None else float("inf")


@dataclass(frozen=True)
class Decision:
    """Where a row stopped: the look index and why (None: it ran every look)."""

    stopped: Stop | None
    look: int


def replay(grouped: dict[Key, list[ItemResult]], order: Sequence[int], n_max: int, targets: Targets,
           cost: CostFn, keys: Sequence[Key] | None = None,
           already_met: Sequence[float] = ()) -> tuple[dict[Key, Decision], int]:
    """The decisions of an adaptive run from its stored results, look by look; and how many looks were reached.

    `order` is the eval items' ids in run order; a look is reached when every row still running has a result for
    each of its first n items (a run stopped or killed mid-round replays up to its last complete look).
    `already_met` are the costs of rows outside the rounds that meet every target (a trained baseline measured
    on every item): a dearer row cannot become the pick.
    """
    schedule = looks(n_max)
    position = {item_id: index for index, item_id in enumerate(order)}
    running = list(keys if keys is not None else grouped)
    decisions: dict[Key, Decision] = {}
    settled_costs: list[float] = list(already_met)
    reached = 0
    for index, look in enumerate(schedule):
        if not running:
            break
        prefixes = {key: [r for r in grouped.get(key, []) if position.get(r.item_id, n_max) < look.n]
                    for key in running}
        if any(len(prefix) < look.n for prefix in prefixes.values()):
            break
        reached = index + 1
        if index == len(schedule) - 1:
            break
        states = {key: row_state(prefix, cost(key, prefix)) for key, prefix in prefixes.items()}
        for key, why in decide(states, targets, look, settled_costs).items():
            decisions[key] = Decision(why, index)
            running.remove(key)
            if why == "settled":
                settled_costs.append(_cost(states[key]))
        if not running:
            break
    last = len(schedule) - 1
    for key in running:
        decisions[key] = Decision(None, last)
    return decisions, reached


def interval(correct: int, answered: int, n_max: int, decision: Decision | None) -> tuple[float, float]:
    """The accuracy interval an adaptive row reports: at the error share of the look where it stopped."""
    schedule = looks(n_max)
    alpha = schedule[min(decision.look, len(schedule) - 1)].alpha if decision else schedule[-1].alpha
    return wilson_interval(correct, answered, alpha)
