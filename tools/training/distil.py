"""Distillation without a GPU: a teacher model labels train-pool rows, a local classifier learns from its labels.

The method's cost ladder ends here: once a strong model meets the target, its answers on rows kept out of the eval
set ("silver labels") train the project's TF-IDF + logistic-regression classifier, which then answers for $0 and
in milliseconds. The distilled classifier is a candidate like any other (`distilled-<teacher>`): measured on the
same eval items against the gold labels, so the user sees what the savings cost in accuracy.

The teacher's calls are a run of their own (`<run>-silver-<teacher>`: resumable, never mixed into the teacher's
eval results), spent only as part of a run the user said yes to, and counted in its spend.
"""

from __future__ import annotations

import random
from dataclasses import replace

from core.shapes import DISTILLED_PREFIX
from tools.candidates.baseline import BaselineCandidate
from tools.candidates.registry import build_candidates
from tools.data.evalset import EvalSplit, Item
from tools.run.runner import Runner, RunStore

PREFIX = DISTILLED_PREFIX
DEFAULT_ROWS = 500  # silver labels a teacher writes by default (diminishing returns for a linear model after)


def distilled_id(teacher: str) -> str:
    return PREFIX + teacher


def teacher_of(candidate_id: str) -> str | None:
    return candidate_id[len(PREFIX):] if candidate_id.startswith(PREFIX) else None


def silver_items(split: EvalSplit, rows: int, seed: int = 0) -> list[Item]:
    """The rows a teacher labels: a seeded random sample of the train pool (never eval or few-shot items; the
    pool is ordered by class, so its first rows would teach only some classes)."""
    pool = split.train_pool
    return sorted(random.Random(seed).sample(pool, rows), key=lambda i: i.id) if len(pool) > rows else list(pool)


def silver_run_id(run_id: str, teacher: str) -> str:
    return f"{run_id}-silver-{teacher}"


async def teach(runner: Runner, store: RunStore, run_id: str, split: EvalSplit, labels: list[str], teacher: str,
                entries: list[dict], rows: int, seed: int = 0) -> dict[int, str]:
    """The teacher's labels of the silver rows ({item id: label}, parseable answers only), asked once: a resumed
    run asks only the rows not answered yet."""
    silver_id = silver_run_id(run_id, teacher)
    if store.config(silver_id) is None:
        store.create_run({"silver_for": run_id, "teacher": teacher, "rows": rows}, run_id=silver_id)
    items = silver_items(split, rows, seed)
    await runner.run(silver_id, replace(split, eval=items), labels, build_candidates([teacher], entries), [0],
                     seed=seed)
    answers = store.results(silver_id).get((teacher, 0), [])
    return {r.item_id: r.prediction for r in answers if r.error is None and r.prediction in labels}


class DistilledCandidate(BaselineCandidate):
    """The baseline's classifier, trained on a teacher's labels of the train pool instead of the gold ones."""

    def __init__(self, teacher: str, silver: dict[int, str]):
        super().__init__(distilled_id(teacher))
        self.silver = silver

    async def start(self, split: EvalSplit, labels: list[str]) -> None:
        relabelled = [item._replace(label=self.silver[item.id]) for item in split.train_pool if item.id in self.silver]
        await super().start(replace(split, train_pool=relabelled, few_shot_pool=[]), labels)
