"""Distillation without a GPU: a stub teacher of known label noise labels train-pool rows, the local classifier
trained on its labels is measured on the gold eval labels as `distilled-<teacher>` ($0, measured latency)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.stub_server import StubConfig, StubServer
from tests.test_cli_eval import _eval

LABELS = ("billing", "bugs", "sales")
WORDS = {"billing": "invoice refund charge payment card", "bugs": "crash error broken freeze login",
         "sales": "pricing demo quote upgrade discount"}


def _data(tmp_path, n: int = 900):
    path = tmp_path / "tickets.csv"
    rows = ["text,label"]
    for i in range(n):
        label = LABELS[i % 3]
        words = WORDS[label].split()
        rows.append(f"ticket {i} about {words[i % 5]} and {words[(i * 7) % 5]} [{label}],{label}")
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_distilled_classifier_learns_from_a_noisy_teacher_and_costs_nothing(tmp_path) -> None:
    with StubServer(StubConfig(labels=LABELS, accuracies={"teacher-model": 0.8})) as stub:
        candidates = tmp_path / "candidates.yaml"
        candidates.write_text("- " + json.dumps({"id": "teacher", "base_url": stub.url, "model": "teacher-model",
                                                 "input_usd_per_1m": 2.0, "output_usd_per_1m": 8.0}) + "\n")
        out = tmp_path / "out.json"
        proc = _eval("--data", str(_data(tmp_path)), "--candidates", "teacher", "--candidates-file", str(candidates),
                     "--eval-size", "150", "--distil", "teacher", "--distil-rows", "300", "--json", str(out),
                     home=tmp_path / "home")
        asked = stub.stats.completions
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    rows = {r["candidate"]: r for r in doc["results"]}
    teacher, student = rows["teacher"], rows["distilled-teacher"]
    assert student["technique"] == "distilled" and student["items"] == 150
    assert student["cost_per_1k_usd"] == 0 and student["latency_p95_s"] is not None
    assert 0.7 <= teacher["accuracy"] <= 0.9  # the teacher is right 80% of the time
    # 20% symmetric label noise: the classifier still learns the words of each class, and beats its teacher
    assert student["accuracy"] >= 0.9 > teacher["accuracy"]
    assert asked == 150 + 300  # the eval items, then the silver rows (once each)
    db = sqlite3.connect(tmp_path / "home" / "runs.sqlite")
    silver = {row[0] for row in db.execute("SELECT item_id FROM results WHERE run_id LIKE '%-silver-teacher'")}
    evaluated = {row[0] for row in db.execute("SELECT item_id FROM results WHERE run_id = ? AND candidate = 'teacher'",
                                              (doc["run_id"],))}
    assert len(silver) == 300 and not silver & evaluated  # silver rows are never eval items
    silver_cost = db.execute("SELECT SUM(cost_usd) FROM results WHERE run_id LIKE '%-silver-%'").fetchone()[0]
    total = db.execute("SELECT SUM(cost_usd) FROM results").fetchone()[0]
    db.close()
    from tools.run.runner import RunStore

    store = RunStore(tmp_path / "home" / "runs.sqlite")
    assert silver_cost > 0 and store.spent(doc["run_id"]) == pytest.approx(total)  # the labelling counts as spent
