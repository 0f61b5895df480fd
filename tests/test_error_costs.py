"""tools/scoring/error_costs.py and `modelpick eval --error-cost`: errors priced per kind, totals against hand-computed
values, and a pick that changes when a cheap model's errors are dear."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.stub_server import StubConfig, StubServer
from tools.scoring.error_costs import ErrorCostError, ErrorCosts, check_labels, parse_spec, summarise_costs
from tools.scoring.metrics import ItemResult
from words.catalog import render

EXE = str(Path(sys.executable).parent / "modelpick")
LABELS = ["negative", "positive"]


def test_parse_spec_and_the_cost_of_each_answer() -> None:
    costs = parse_spec("spam->ham=1, ham->spam=$20")
    assert costs.pairs == {("spam", "ham"): 1.0, ("ham", "spam"): 20.0}
    assert costs.of("spam", "spam") == 0 and costs.of("spam", "ham") == 1 and costs.of("ham", "spam") == 20
    assert costs.of("ham", None) == 20  # unparseable, no default: the dearest listed error, never free
    assert parse_spec("spam->ham=1", default=3).of("ham", "spam") == 3
    assert ErrorCosts.from_dict(costs.to_dict()) == costs
    with pytest.raises(ErrorCostError) as error:
        parse_spec("spam=1")
    assert "gold->predicted=usd" in render(error.value, "en") and "真实标签->预测标签" in render(error.value, "zh")
    with pytest.raises(ErrorCostError) as error:
        check_labels(parse_spec("spam->hamm=1"), ["ham", "spam"])
    assert "'hamm', which is not a label" in render(error.value, "en")


def test_expected_error_cost_and_its_interval_by_hand() -> None:
    # 10 answered items: 7 right, 2 spam read as ham ($1 each), 1 ham read as spam ($20); 1 failed call (not counted)
    results = ([ItemResult(i, "ham", "ham", "ham", 0.1, 10, 1, None) for i in range(7)]
               + [ItemResult(7, "spam", "ham", "ham", 0.1, 10, 1, None), ItemResult(8, "spam", "ham", "ham", 0.1, 10, 1, None),
                  ItemResult(9, "ham", "spam", "spam", 0.1, 10, 1, None), ItemResult(10, "ham", None, None, None, 0, 0, "x")])
    summary = summarise_costs(results, parse_spec("spam->ham=1,ham->spam=20"))
    assert summary.answered == 10 and summary.per_1k_usd == pytest.approx(1000 * 22 / 10)
    values = [0] * 7 + [1, 1, 20]
    mean = sum(values) / 10
    sd = (sum((v - mean) ** 2 for v in values) / 9) ** 0.5
    assert summary.ci[1] == pytest.approx(1000 * (mean + 1.959964 * sd / 10 ** 0.5), rel=1e-5)
    assert summary.confusions == {("spam", "ham"): 2, ("ham", "spam"): 1}


def _data(tmp_path: Path, n: int = 400) -> Path:
    path = tmp_path / "reviews.csv"
    rows = ["text,label"] + [f"review number {i} says it is [{LABELS[i % 2]}],{LABELS[i % 2]}" for i in range(n)]
    path.write_text("\n".join(rows) + "\n")
    return path


def _candidates(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "candidates.yaml"
    entries = [{"id": "cheap", "model": "cheap", "input_usd_per_1m": 0.1, "output_usd_per_1m": 0.1},
               {"id": "careful", "model": "careful", "input_usd_per_1m": 5.0, "output_usd_per_1m": 5.0}]
    path.write_text("".join("- " + json.dumps({**e, "base_url": url}) + "\n" for e in entries))
    return path


def _eval(tmp_path: Path, url: str, *extra: str) -> dict:
    out = tmp_path / f"out{len(extra)}.json"
    done = subprocess.run([EXE, "eval", "--data", str(_data(tmp_path)), "--candidates-file", str(_candidates(tmp_path, url)),
                           "--eval-size", "200", "--target-accuracy", "0.6", "--json", str(out), *extra],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MODELPICK_HOME": str(tmp_path / "home")})
    assert done.returncode == 0, done.stderr[-800:]
    return json.loads(out.read_text())


def test_dear_errors_change_the_pick_and_the_totals_match_a_hand_computation(tmp_path) -> None:
    with StubServer(StubConfig(accuracies={"cheap": 0.75, "careful": 0.97}, labels=tuple(LABELS))) as stub:
        plain = _eval(tmp_path, stub.url)
        priced = _eval(tmp_path, stub.url, "--error-cost", "positive->negative=0.5,negative->positive=0.05",
                       "--volume-per-day", "10000", "--report", str(tmp_path / "report.md"))
    assert plain["recommendation"]["candidate"] == "cheap"  # both meet 60 %; cheap is cheaper per call
    assert all(r["total_cost_per_1k_usd"] is None for r in plain["results"]) and plain["error_costs"] is None
    assert priced["recommendation"]["candidate"] == "careful"
    assert priced["error_costs"] == {"pairs": {"positive->negative": 0.5, "negative->positive": 0.05}, "default": None}
    for row in priced["results"]:
        confusion, answered = row["confusion"], row["items"] - row["errors"]
        by_hand = 1000 * (confusion["positive"]["negative"] * 0.5 + confusion["negative"]["positive"] * 0.05
                          + (confusion["positive"]["unparseable"] + confusion["negative"]["unparseable"]) * 0.5) / answered
        assert row["error_cost_per_1k_usd"] == pytest.approx(by_hand, abs=1e-4)
        assert row["total_cost_per_1k_usd"] == pytest.approx(row["cost_per_1k_usd"] + by_hand, abs=2e-4)
        low, high = row["total_cost_per_1k_ci"]
        assert low <= row["total_cost_per_1k_usd"] <= high
    reasons = [r["id"] if isinstance(r, dict) else r for r in priced["recommendation"]["reasons"]]
    text = " ".join(str(r) for r in priced["recommendation"]["reasons"])
    assert "lowest total cost" in text and "a month" in text, reasons
    report = (tmp_path / "report.md").read_text()
    assert "**Total cost per 1,000 items**" in report and "| careful |" in report
