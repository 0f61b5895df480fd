"""One evaluation run end to end: data → eval set → candidates × techniques through the runner, the judge
for open answers, the distilled students — and the timing probe a plan cites.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace

from tools.candidates.base import BASELINE_ID, BUILT_IN, CandidateError
from tools.candidates.pricing import candidate_price
from tools.candidates.registry import build_candidates
from tools.data.evalset import EvalSplit, Item
from tools.evaluation.config import EvalConfig, judge_of, prepare
from tools.evaluation.results import replay_decisions
from tools.planning.plan import PROBE_ITEMS
from tools.run import adaptive
from tools.run.runner import RetryPolicy, Runner, RunOutcome, RunStore
from tools.scoring.metrics import (
    UNPARSEABLE,
)
from tools.tasks import generation
from tools.tasks.generation import load_answers
from tools.tasks.kinds import Task, task_of
from tools.training import distil as distil_module


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
                decisions, _ = replay_decisions(run_id, config, store, keys)
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
