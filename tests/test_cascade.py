"""tools/cascade.py through `modelpick eval`: a cheap model escalating to a strong one where it disagrees with the
trained baseline — accuracy, cost and escalated share against a hand computation from the stored results."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.stub_server import StubConfig, StubServer

EXE = str(Path(sys.executable).parent / "modelpick")
LABELS = ["negative", "positive"]


def _data(tmp_path: Path) -> Path:
    data = tmp_path / "reviews.csv"
    data.write_text("text,label\n" + "".join(f"review number {i} says it is [{LABELS[i % 2]}],{LABELS[i % 2]}\n"
                                             for i in range(400)))
    return data


def _run(tmp_path: Path, stub: StubServer, ids: str, *extra: str) -> dict:
    candidates = tmp_path / "candidates.yaml"
    candidates.write_text("".join("- " + json.dumps({"id": m, "base_url": stub.url, "model": m,
                                                     "input_usd_per_1m": usd, "output_usd_per_1m": usd}) + "\n"
                                  for m, usd in {"cheap": 0.2, "careful": 10.0}.items()))
    done = subprocess.run([EXE, "eval", "--data", str(_data(tmp_path)), "--candidates", ids, "--candidates-file",
                           str(candidates), "--eval-size", "200", "--json", str(tmp_path / "out.json"), *extra],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MODELPICK_HOME": str(tmp_path / "home")})
    assert done.returncode == 0, done.stderr[-800:]
    return json.loads((tmp_path / "out.json").read_text())


def test_an_unsure_cheap_model_escalating_to_a_strong_one_matches_a_hand_computation(tmp_path) -> None:
    config = StubConfig(accuracies={"cheap": 0.7, "careful": 0.97}, unsure=("cheap",), labels=tuple(LABELS))
    with StubServer(config) as stub:
        doc = _run(tmp_path, stub, "cheap,careful", "--target-accuracy", "0.85")
    row = next(r for r in doc["results"] if r["technique"] == "cascade")
    assert row["candidate"] == "cheap:0→careful:0" and row["cascade"]["signal"] == "unparseable"
    db = sqlite3.connect(tmp_path / "home" / "runs.sqlite")
    got = {c: {i: (p, g, ti, to) for i, p, g, ti, to in db.execute(
        "SELECT item_id, prediction, gold, input_tokens, output_tokens FROM results WHERE candidate = ?", (c,))}
        for c in ("cheap", "careful")}
    escalated = [i for i in got["cheap"] if got["cheap"][i][0] == "__unparseable__"]
    right = sum((got["careful"] if i in escalated else got["cheap"])[i][0] == got["cheap"][i][1] for i in got["cheap"])
    cost = sum((got["cheap"][i][2] + got["cheap"][i][3]) * 0.2e-6 for i in got["cheap"]) + sum(
        (got["careful"][i][2] + got["careful"][i][3]) * 10e-6 for i in escalated)
    assert 0.2 < len(escalated) / 200 < 0.4
    assert row["cascade"]["escalated_share"] == pytest.approx(len(escalated) / 200, abs=1e-4)
    assert row["accuracy"] == pytest.approx(right / 200, abs=1e-4)
    assert row["cost_per_1k_usd"] == pytest.approx(1000 * cost / 200, rel=1e-3)
    careful = next(r for r in doc["results"] if r["candidate"] == "careful")
    assert row["cost_per_1k_usd"] < 0.5 * careful["cost_per_1k_usd"]
    assert doc["recommendation"]["candidate"] == "cheap:0→careful:0"  # it meets 85 % and is the cheapest that does
    assert all(r["cascade"] is None for r in doc["results"] if r["technique"] != "cascade")


def test_no_cascade_is_shown_when_a_single_row_beats_it(tmp_path) -> None:
    """The trained baseline reads the '[label]' in these texts perfectly at $0: every cascade is beaten."""
    with StubServer(StubConfig(accuracies={"cheap": 0.7, "careful": 0.97}, labels=tuple(LABELS))) as stub:
        doc = _run(tmp_path, stub, "tfidf-logreg,cheap,careful")
    assert not [r for r in doc["results"] if r["technique"] == "cascade"]

