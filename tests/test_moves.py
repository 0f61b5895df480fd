"""The method's next move with numbers (issue 33): when a row reaches the accuracy but misses the cost, the next
steps name the model to fine-tune (one whose provider takes jobs today), its training cost and its cost per 1,000
once tuned — from the catalog's prices and the run's measured tokens — and the distillation alternative."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.catalog import get_card, load_catalog
from knowledge.lifecycle import fine_tune_can_start
from tools.output.exports import FINE_TUNE_EPOCHS
from tools.planning.moves import method_moves
from tools.scoring.recommend import Targets, recommend, verdicts
from words.catalog import render

DAY = date(2026, 12, 7)  # the lifecycle facts are dated: OpenAI takes new fine-tuning jobs until 2027-01-06
TARGETS = Targets(accuracy=0.9, max_cost_per_1k_usd=5, max_latency_s=2)


def _row(candidate: str, shots: int, accuracy: float, low: float, cost: float, tokens_in: float) -> dict:
    row = {"candidate": candidate, "technique": "zero-shot" if not shots else "k-shot", "shots": shots, "items": 300,
           "errors": 0, "accuracy": accuracy, "accuracy_ci": [low, min(1.0, accuracy + 0.02)], "cost_per_1k_usd": cost,
           "latency_p95_s": 1.0, "input_tokens_per_item": tokens_in, "output_tokens_per_item": 4.0}
    row["verdicts"] = verdicts(row, TARGETS)  # type: ignore[arg-type]
    return row


# The method guide's example: gpt-4o zero-shot misses the accuracy, 3-shot reaches it over the $5 ceiling.
GUIDE = [_row("gpt-4o", 0, 0.85, 0.81, 3.10, 1100), _row("gpt-4o", 3, 0.95, 0.92, 7.78, 3000),
         _row("gpt-4o-mini", 0, 0.80, 0.75, 0.17, 1100)]


def test_few_shot_reaches_the_accuracy_over_the_cost_so_the_fine_tune_is_named_and_priced() -> None:
    rec = recommend(GUIDE, TARGETS, train_rows=834, shots_tried=[0, 3], today=DAY)  # type: ignore[arg-type]
    assert rec["status"] == "none"
    first, second = rec["next_steps"][:2]
    assert first["id"] == "step.fine_tune_named" and second["id"] == "step.distil_named"
    move = first["values"]
    card = get_card(move["model"])
    assert fine_tune_can_start(card, DAY) and move["rows"] == 834 and move["reached"] == "gpt-4o"
    per_in, per_out = load_catalog().price_per_token(load_catalog().fine_tuned_key(card.id) or "")
    assert move["cost"] == pytest.approx((1100 * per_in + 4 * per_out) * 1000)  # zero-shot tokens × tuned price
    assert move["cost"] < 5  # it is offered because it would meet the ceiling the few-shot row missed
    training = 834 * (1100 + 4) * FINE_TUNE_EPOCHS * card.fine_tuning["training_usd_per_1m"] / 1e6  # type: ignore[index]
    assert move["usd"] == pytest.approx(training) and move["source"].startswith("https://")
    assert second["values"]["usd"] == pytest.approx(834 * 3.10 / 1000)  # the teacher labels zero-shot
    assert not any(s["id"].startswith("step.fine_tune_") and s["id"] != "step.fine_tune_named"
                   for s in rec["next_steps"])  # no generic "fine-tune a small model" beside the named one
    en, zh = render(first, "en"), render(first, "zh")
    assert f"fine-tune {card.id}" in en and "misses on cost" in en and f"微调 {card.id}" in zh and "成本不达标" in zh


def test_no_move_without_a_row_that_reaches_the_accuracy_or_without_train_rows() -> None:
    missing = [r for r in GUIDE if r["shots"] == 0]
    assert method_moves(missing, train_rows=834, today=DAY) == []  # type: ignore[arg-type]
    assert method_moves(GUIDE, train_rows=0, today=DAY) == []  # type: ignore[arg-type]


def test_only_models_whose_jobs_can_start_are_offered() -> None:
    offered = {move["values"]["model"] for move in method_moves(GUIDE, train_rows=500, today=DAY)  # type: ignore[arg-type]
               if move["id"] == "step.fine_tune_named"}
    assert offered and all(fine_tune_can_start(get_card(m), DAY) for m in offered)
    assert not any(m["id"] == "step.fine_tune_named" for m in method_moves(GUIDE, train_rows=500,  # type: ignore[arg-type]
                                                                        today=date(2027, 1, 7)))  # jobs closed
    assert "gpt-4.1-nano" not in offered  # shut down on 2026-10-23: never offered
