"""tools/run/adaptive.py: looks and their error shares, the stopping rules, the guarantee against a fixed run on
models of known accuracy, and `modelpick eval --adaptive` end to end over real HTTP (pinned JSON, resume)."""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.stub_server import StubConfig, StubServer
from tools.run import adaptive
from tools.run.adaptive import Look, RowState, Targets, decide, looks

ROOT = Path(__file__).resolve().parent.parent
EXE = str(Path(sys.executable).parent / "modelpick")
LABELS = ["negative", "positive"]


def _bench():
    """bench/adaptive.py, the simulation the guide quotes (bench/ is scripts, not a package)."""
    if "bench_adaptive" not in sys.modules:
        spec = importlib.util.spec_from_file_location("bench_adaptive", ROOT / "bench" / "adaptive.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_adaptive"] = module  # dataclasses look their module up here
        spec.loader.exec_module(module)
    return sys.modules["bench_adaptive"]


def test_looks_double_up_to_the_cap_and_spend_five_percent_in_all() -> None:
    schedule = looks(800)
    assert [look.n for look in schedule] == [100, 200, 400, 800]
    assert sum(look.alpha for look in schedule) == pytest.approx(0.05)
    assert schedule[-1].alpha == pytest.approx(0.04)  # most of the error is kept for the last look
    assert [look.n for look in looks(200)] == [50, 100, 200]  # looks under 40 items are skipped
    assert looks(60) == [Look(60, 0.05)]  # too small to look early: a fixed run


def test_hopeless_settled_and_dominated_rows() -> None:
    look = Look(200, 0.01)
    states = {("low", 0): RowState(150, 200, 0.1, 0.5, 200),        # 75 %: cannot reach 90 %
              ("sure", 0): RowState(196, 200, 1.0, 0.5, 200),       # 98 %: meets 90 % whatever comes next
              ("open", 0): RowState(183, 200, 0.5, 0.5, 200),       # 91.5 %: still open
              ("dear", 0): RowState(184, 200, 2.0, 0.5, 200),       # open, but dearer than "sure", which meets
              ("slow", 0): RowState(199, 200, 0.2, 9.0, 200),       # over the latency limit
              ("dying", 0): RowState(10, 10, 0.1, 0.5, 200)}        # most calls failed: not a verdict
    stops = decide(states, Targets(0.9, max_latency_s=2.0), look, settled_costs=[])
    assert stops == {("low", 0): "hopeless", ("sure", 0): "settled", ("dear", 0): "hopeless",
                     ("slow", 0): "hopeless"}
    assert decide(states, Targets(None), look, []) == {}  # no accuracy target: nothing to decide early


@pytest.mark.parametrize("target", [0.93, 0.94, 0.96])
def test_adaptive_picks_right_at_least_as_often_as_fixed_with_no_more_calls_and_no_false_met(target) -> None:
    """Five models of known accuracy, 60 seeds: adaptive with at most 600 items vs fixed 400 items."""
    result = _bench().compare(target, 400, 600, seeds=60)
    assert result["adaptive_right"] >= result["fixed_right"]
    assert result["adaptive_calls"] <= 1.05 * result["fixed_calls"]
    assert result["adaptive_false_met"] <= result["fixed_false_met"]


def test_false_met_is_no_more_frequent_than_a_fixed_run_for_a_model_just_under_the_target() -> None:
    """The repeated looks must not inflate false "met": a 93.5 % model against a 94 % target, 300 seeds."""
    bench = _bench()
    models = {"near": (0.935, 1.0)}
    trials = [bench.trial(seed, 0.94, 800, 800, models) for seed in range(300)]
    adaptive_false = sum(t.adaptive_false_met for t in trials)
    fixed_false = sum(t.fixed_false_met for t in trials)
    assert adaptive_false <= max(fixed_false, 0.025 * 300)


def _data(tmp_path: Path, n: int = 1400) -> Path:
    path = tmp_path / "reviews.csv"
    rows = ["text,label"] + [f"review number {i} says it is [{LABELS[i % 2]}],{LABELS[i % 2]}" for i in range(n)]
    path.write_text("\n".join(rows) + "\n")
    return path


def _candidates(tmp_path: Path, url: str, models: dict[str, tuple[float, float]]) -> Path:
    path = tmp_path / "candidates.yaml"
    path.write_text("".join("- " + json.dumps({"id": m, "base_url": url, "model": m, "max_concurrency": 8,
                                               "input_usd_per_1m": price, "output_usd_per_1m": price}) + "\n"
                            for m, (_, price) in models.items()))
    return path


def test_eval_adaptive_end_to_end_pinned_json_fewer_calls_and_resume(tmp_path) -> None:
    models = {"weak": (0.70, 0.1), "good": (0.95, 0.5), "best": (0.99, 5.0)}
    accuracies = {m: a for m, (a, _) in models.items()}
    home = tmp_path / "home"
    env = {**os.environ, "MODELPICK_HOME": str(home)}
    with StubServer(StubConfig(accuracies=accuracies, labels=tuple(LABELS))) as stub:
        args = [EXE, "eval", "--data", str(_data(tmp_path)), "--candidates-file",
                str(_candidates(tmp_path, stub.url, models)), "--eval-size", "800", "--target-accuracy", "0.85",
                "--adaptive", "--json", str(tmp_path / "out.json")]
        done = subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)
        assert done.returncode == 0, done.stderr[-800:]
        doc = json.loads((tmp_path / "out.json").read_text())
        rows = {r["candidate"]: r for r in doc["results"]}
        assert set(doc["adaptive"]) == {"rounds", "calls", "calls_if_fixed"}
        assert doc["adaptive"]["calls_if_fixed"] == 3 * 800 and doc["adaptive"]["calls"] < 2400
        # Cascade rows are read from these calls (no calls of their own).
        assert doc["adaptive"]["calls"] == sum(r["items"] for r in rows.values() if r["technique"] != "cascade")
        assert rows["weak"]["stopped"] == "hopeless" and rows["weak"]["items"] == 100  # 70 % vs 85 %: first look
        assert rows["good"]["stopped"] == "settled" and rows["good"]["verdicts"]["accuracy"] == "met"
        assert rows["best"]["stopped"] in ("settled", "hopeless") and rows["best"]["items"] < 800
        assert doc["recommendation"]["candidate"] == "good"
        served = sum(stub.stats.served_per_text.values())
        assert served == doc["adaptive"]["calls"]  # every call the JSON counts, and no other, reached the model
        # Resume after losing the last round of "good": the same decisions, the missing items asked again only.
        db = sqlite3.connect(home / "runs.sqlite")
        db.execute("DELETE FROM results WHERE candidate = 'good' AND rowid IN (SELECT rowid FROM results WHERE "
                   "candidate = 'good' ORDER BY rowid DESC LIMIT 30)")
        db.execute("DELETE FROM cache")  # so that the missing items must reach the model again
        db.commit()
        db.close()
        stub.reset_stats()
        again = subprocess.run([EXE, "eval", "--resume", doc["run_id"], "--json", str(tmp_path / "again.json")],
                               capture_output=True, text=True, timeout=300, env=env)
        assert again.returncode == 0, again.stderr[-800:]
        assert stub.stats.completions == 30
    resumed = json.loads((tmp_path / "again.json").read_text())
    assert resumed["adaptive"] == doc["adaptive"]
    assert [(r["candidate"], r["stopped"], r["items"]) for r in resumed["results"]] == \
        [(r["candidate"], r["stopped"], r["items"]) for r in doc["results"]]


def test_a_fixed_run_has_no_adaptive_block_and_no_stops(tmp_path) -> None:
    models = {"good": (0.95, 0.5)}
    with StubServer(StubConfig(accuracies={"good": 0.95}, labels=tuple(LABELS))) as stub:
        done = subprocess.run([EXE, "eval", "--data", str(_data(tmp_path, 200)), "--candidates-file",
                               str(_candidates(tmp_path, stub.url, models)), "--eval-size", "100",
                               "--target-accuracy", "0.8", "--json", str(tmp_path / "out.json")],
                              capture_output=True, text=True, timeout=300,
                              env={**os.environ, "MODELPICK_HOME": str(tmp_path / "home")})
    assert done.returncode == 0, done.stderr[-800:]
    doc = json.loads((tmp_path / "out.json").read_text())
    assert doc["adaptive"] is None and [r["stopped"] for r in doc["results"]] == [None]


def test_adaptive_module_names_its_rule() -> None:
    assert "Bonferroni" in (adaptive.__doc__ or "")
    guide = (ROOT / "knowledge" / "guides" / "adaptive-evaluation.md").read_text()
    assert "alpha spending" in guide.lower() and "bench/adaptive.py" in guide


def test_a_free_baseline_that_meets_every_target_stops_the_paid_rows_at_the_first_look(tmp_path) -> None:
    models = {"good": (0.95, 0.5)}
    with StubServer(StubConfig(accuracies={"good": 0.95}, labels=tuple(LABELS))) as stub:
        done = subprocess.run([EXE, "eval", "--data", str(_data(tmp_path)), "--candidates", "tfidf-logreg,good",
                               "--candidates-file", str(_candidates(tmp_path, stub.url, models)), "--eval-size", "800",
                               "--target-accuracy", "0.85", "--adaptive", "--json", str(tmp_path / "out.json")],
                              capture_output=True, text=True, timeout=300,
                              env={**os.environ, "MODELPICK_HOME": str(tmp_path / "home")})
        calls = stub.stats.completions
    assert done.returncode == 0, done.stderr[-800:]
    doc = json.loads((tmp_path / "out.json").read_text())
    rows = {r["candidate"]: r for r in doc["results"]}
    assert rows["tfidf-logreg"]["verdicts"]["accuracy"] == "met" and rows["tfidf-logreg"]["items"] == 800
    assert rows["good"]["stopped"] in ("settled", "hopeless") and rows["good"]["items"] == 100 and calls == 100
    assert doc["adaptive"] == {"rounds": 1, "calls": 100, "calls_if_fixed": 800}
    assert doc["recommendation"]["candidate"] == "tfidf-logreg"


def test_the_live_numbers_of_a_row_hold_across_round_boundaries(tmp_path) -> None:
    """The running accuracy is over every item answered so far (it read 87 % → 14 % → 45 % when a new round
    restarted its counts); the speed counts only the items of this pass (a row measured earlier read 214747
    items/s)."""
    import asyncio

    from tools.evaluation.config import EvalConfig
    from tools.evaluation.run import run_eval
    from tools.run.runner import RunStore

    models = {"good": (0.9, 0.5)}
    events = []
    with StubServer(StubConfig(accuracies={"good": 0.9}, labels=tuple(LABELS))) as stub:
        config = EvalConfig(data=str(_data(tmp_path)), candidates=["good"],
                            candidate_entries=[{"id": "good", "base_url": stub.url, "model": "good",
                                                "max_concurrency": 8, "input_usd_per_1m": 0.5,
                                                "output_usd_per_1m": 0.5}],
                            shots=[0], eval_size=800, adaptive=True, targets={"accuracy": 0.97})
        store = RunStore()
        run_id = store.create_run(config.to_dict())
        asyncio.run(run_eval(config, store, run_id=run_id, progress=events.append))
    assert len(models) == 1 and events
    rows = [e for e in events if e.candidate == "good"]
    starts = [e for e in rows if e.done_before > 0 and e.done == e.done_before]
    assert starts, "the run had no second round"
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.done >= before.done and after.correct >= before.correct  # never a reset
    answered = [e for e in rows if e.done - e.errors >= 50]
    shares = [e.correct / (e.done - e.errors) for e in answered]
    assert max(shares) - min(shares) < 0.15  # around the true 90 %, not 14 %
    assert all(e.rate < 5_000 for e in rows)
