"""Adaptive against fixed-size runs on models of known accuracy: how often each picks the right model, how many
calls it makes, how often it calls a model "met" that truly is not.

Five models (true accuracies 80, 88, 92, 95, 97 %, costs $0.1–$4 per 1,000 items, dearer = better); per seed a
20,000-item population whose per-item right/wrong is drawn once, so each model's true accuracy over the whole
population is known; the eval items are a random sample of it. "Right pick" = the cheapest model whose true
accuracy meets the target. The decisions are `tools.run.adaptive.replay`, exactly as a run makes them.

Run: `.venv/bin/python bench/adaptive.py [--seeds 150]`. The numbers quoted in
knowledge/guides/adaptive-evaluation.md come from this script.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.run import adaptive  # noqa: E402
from tools.scoring.metrics import ItemResult, wilson_interval  # noqa: E402

MODELS = {"m80": (0.80, 0.1), "m88": (0.88, 0.3), "m92": (0.92, 0.6), "m95": (0.95, 1.2), "m97": (0.97, 4.0)}
POPULATION = 20_000


@dataclass
class Trial:
    right_pick: str | None
    fixed_pick: str | None
    adaptive_pick: str | None
    fixed_false_met: int
    adaptive_false_met: int
    adaptive_calls: int


def _cheapest(names: list[str], models: dict) -> str | None:
    return min(names, key=lambda m: models[m][1]) if names else None


def trial(seed: int, target: float, n_fixed: int, n_max: int, models: dict = MODELS) -> Trial:
    rng = random.Random(seed)
    right = {m: [rng.random() < accuracy for _ in range(POPULATION)] for m, (accuracy, _) in models.items()}
    truth = {m: sum(values) / POPULATION for m, values in right.items()}
    order = rng.sample(range(POPULATION), max(n_fixed, n_max))
    fixed_met = [m for m in models if wilson_interval(sum(right[m][i] for i in order[:n_fixed]), n_fixed)[0] >= target]
    grouped = {(m, 0): [ItemResult(i, "a", "a" if right[m][i] else "b", "a", 0.1, 10, 1, None) for i in order[:n_max]]
               for m in models}
    decisions, _ = adaptive.replay(grouped, order[:n_max], n_max, adaptive.Targets(target),
                                   lambda key, _results: models[key[0]][1])
    schedule = adaptive.looks(n_max)
    adaptive_met, calls = [], 0
    for (m, _), decision in decisions.items():
        n = schedule[decision.look].n if decision.stopped else n_max
        calls += n
        if wilson_interval(sum(right[m][i] for i in order[:n]), n, schedule[decision.look].alpha)[0] >= target:
            adaptive_met.append(m)
    return Trial(_cheapest([m for m in models if truth[m] >= target], models), _cheapest(fixed_met, models),
                 _cheapest(adaptive_met, models),
                 sum(truth[m] < target for m in fixed_met), sum(truth[m] < target for m in adaptive_met), calls)


def compare(target: float, n_fixed: int, n_max: int, seeds: int) -> dict:
    trials = [trial(seed, target, n_fixed, n_max) for seed in range(seeds)]
    return {"fixed_right": sum(t.fixed_pick == t.right_pick for t in trials) / seeds,
            "adaptive_right": sum(t.adaptive_pick == t.right_pick for t in trials) / seeds,
            "fixed_false_met": sum(t.fixed_false_met for t in trials),
            "adaptive_false_met": sum(t.adaptive_false_met for t in trials),
            "fixed_calls": n_fixed * len(MODELS), "adaptive_calls": sum(t.adaptive_calls for t in trials) / seeds}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=150)
    args = parser.parse_args()
    print(f"{args.seeds} seeds; fixed run: 400 items per model; adaptive: at most 400 / 600 / 800")
    for target in (0.90, 0.93, 0.94, 0.96):
        for n_max in (400, 600, 800):
            r = compare(target, 400, n_max, args.seeds)
            print(f"target {target:.0%} cap {n_max}: right pick fixed {r['fixed_right']:.0%} adaptive "
                  f"{r['adaptive_right']:.0%} · calls fixed {r['fixed_calls']} adaptive {r['adaptive_calls']:.0f} · "
                  f"false 'met' fixed {r['fixed_false_met']} adaptive {r['adaptive_false_met']}")


if __name__ == "__main__":
    main()
