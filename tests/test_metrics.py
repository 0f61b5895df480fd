"""tools/scoring/metrics.py and tools/scoring/recommend.py against known values."""

from __future__ import annotations

import pytest

from tools.scoring.metrics import (
    UNPARSEABLE,
    ItemResult,
    confusion,
    macro_f1,
    mcnemar_exact,
    summarise,
    wilson_interval,
)
from tools.scoring.recommend import Targets, accuracy_verdict, recommend, verdicts
from words.catalog import render


def test_wilson_interval_known_values() -> None:
    assert wilson_interval(90, 100) == pytest.approx((0.826, 0.945), abs=5e-4)
    assert wilson_interval(915, 1000) == pytest.approx((0.896, 0.931), abs=5e-4)


def test_closed_forms_agree_with_statsmodels_and_scipy() -> None:
    """The metrics avoid importing statsmodels and scipy (seconds of start-up); they must give the same numbers."""
    from scipy.stats import binomtest
    from statsmodels.stats.proportion import proportion_confint

    for n in (1, 2, 7, 30, 100, 401, 2000, 10_000):
        for k in sorted({0, 1, n // 3, n // 2, n - 1, n} & set(range(n + 1))):
            assert wilson_interval(k, n) == pytest.approx(proportion_confint(k, n, method="wilson"), abs=1e-9)
            assert wilson_interval(k, n, alpha=0.01) == pytest.approx(
                proportion_confint(k, n, alpha=0.01, method="wilson"), abs=1e-9)
    for b, c in ((0, 1), (1, 0), (3, 3), (12, 4), (4, 12), (40, 61), (500, 430), (3000, 3200)):
        expected = binomtest(min(b, c), b + c, 0.5).pvalue
        assert mcnemar_exact(b, c) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_mcnemar_exact_known_value() -> None:
    assert mcnemar_exact(12, 4) == pytest.approx(0.077, abs=5e-4)
    assert mcnemar_exact(0, 0) == 1.0


def _r(i, gold, pred, lat=0.1, tin=100, tout=1, error=None):
    return ItemResult(i, gold, pred, pred, lat, tin, tout, error)


def test_summary_counts_unparseable_as_wrong_errors_apart_and_costs_measured_tokens() -> None:
    results = [_r(0, "a", "a"), _r(1, "a", "b"), _r(2, "b", "b"), _r(3, "b", UNPARSEABLE),
               _r(4, "a", None, None, 0, 0, "timeout")]
    s = summarise(results, ["a", "b"], price_per_token=(1e-6, 2e-6))
    assert (s.items, s.correct, s.errors, s.unparseable) == (5, 2, 1, 1)
    # unparseable output is a wrong answer; a call that failed is no answer: 2 right of the 4 answered
    assert s.accuracy == pytest.approx(0.5)
    assert s.input_tokens_per_item == 100 and s.output_tokens_per_item == 1
    assert s.cost_per_1k_usd == pytest.approx(1000 * (100 * 1e-6 + 1 * 2e-6))
    assert s.latency_p50_s == pytest.approx(0.1)
    table = confusion(results, ["a", "b"])
    assert table["b"]["unparseable"] == 1 and table["a"]["error"] == 1 and table["a"]["b"] == 1


def test_macro_f1_is_the_mean_of_per_class_f1() -> None:
    results = [_r(0, "a", "a"), _r(1, "a", "a"), _r(2, "b", "a"), _r(3, "b", "b")]
    # a: P 2/3 R 1 F1 0.8; b: P 1 R 0.5 F1 2/3
    assert macro_f1(results, ["a", "b"]) == pytest.approx((0.8 + 2 / 3) / 2)


def test_hardware_cost_per_hour_prices_local_time() -> None:
    results = [_r(i, "a", "a", lat=0.36) for i in range(10)]
    s = summarise(results, ["a"], price_per_token=(0.0, 0.0), hardware_cost_per_hour=1.0)
    assert s.cost_per_1k_usd == pytest.approx(1000 * 0.36 / 3600)


@pytest.mark.parametrize(("acc", "ci", "target", "verdict"), [
    (0.915, (0.896, 0.931), 0.90, "marginal"), (0.95, (0.92, 0.97), 0.90, "met"),
    (0.85, (0.80, 0.89), 0.90, "missed"), (0.5, (0.4, 0.6), None, "no target"),
])
def test_accuracy_verdict_uses_the_interval_lower_bound(acc, ci, target, verdict) -> None:
    assert accuracy_verdict(acc, ci, target) == verdict


def _row(name, acc, lo, cost, p95, shots=0):
    row = {"candidate": name, "technique": "zero-shot" if not shots else "k-shot", "shots": shots, "items": 100,
           "errors": 0, "accuracy": acc, "accuracy_ci": [lo, min(1, acc + 0.05)], "cost_per_1k_usd": cost,
           "latency_p95_s": p95}
    return row


def test_recommendation_is_the_cheapest_meeting_all_targets() -> None:
    targets = Targets(accuracy=0.9, max_cost_per_1k_usd=5, max_latency_s=2)
    rows = [_row("big", 0.97, 0.93, 4.0, 0.8), _row("small", 0.95, 0.91, 0.2, 0.5),
            _row("tiny", 0.92, 0.88, 0.01, 0.3), _row("pricey", 0.99, 0.97, 9.0, 0.5)]
    for row in rows:
        row["verdicts"] = verdicts(row, targets)
    rec = recommend(rows, targets)
    assert rec["status"] == "met" and rec["candidate"] == "small"
    assert rows[3]["verdicts"]["cost"] == "missed" and rows[2]["verdicts"]["accuracy"] == "marginal"


def test_no_candidate_meets_gives_next_steps_with_k_shot_first() -> None:
    targets = Targets(accuracy=0.95)
    rows = [_row("a", 0.6, 0.5, 0.0, 0.1)]
    rows[0]["verdicts"] = verdicts(rows[0], targets)
    rec = recommend(rows, targets, train_rows=200, shots_tried=[0])
    assert rec["status"] == "none" and rec["candidate"] is None
    steps = [render(s, "en") for s in rec["next_steps"]]
    assert "k-shot" in steps[0] and any("label about 800 more" in s for s in steps)


def test_with_no_targets_nothing_meets_every_target_and_the_ranking_is_said() -> None:
    """A 2-class run with no target once read 'meets every target … accuracy 15.0%'."""
    from words.catalog import render

    rows = [_row("smollm2-135m", 0.15, 0.08, 0.0, 0.2), _row("tfidf-logreg", 0.8, 0.7, 0.0, 0.01)]
    for row in rows:
        row["verdicts"] = {"accuracy": "no target", "cost": "no target", "latency": "no target"}
    rec = recommend(rows, Targets())
    assert rec["status"] == "none" and rec["candidate"] is None
    said = " ".join(render(r, "en") for r in rec["reasons"])
    assert "meets every target" not in said and "No targets were set" in said and "tfidf-logreg" in said
    assert [s["id"] for s in rec["next_steps"]] == ["step.set_target"]
