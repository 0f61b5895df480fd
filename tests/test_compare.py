"""tools/scoring/compare.py and `modelpick eval --compare A,B`: discordant items counted by hand, McNemar in words, the
disagreements listed in the report."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.stub_server import StubConfig, StubServer
from tools.scoring.compare import CompareError, compare, row_key
from tools.scoring.metrics import ItemResult
from words.catalog import comparison_sentence, p_value, render

EXE = str(Path(sys.executable).parent / "modelpick")
LABELS = ["negative", "positive"]


def _results(right: list[bool]) -> list[ItemResult]:
    return [ItemResult(i, "a", "a" if ok else "b", None, 0.1, 1, 1, None) for i, ok in enumerate(right)]


def test_counts_p_and_words_by_hand() -> None:
    # 20 items: A right on 3 where B is wrong, B right on 14 where A is wrong, both right on 3 → exact p = 0.0127
    a = _results([True] * 3 + [False] * 14 + [True] * 3)
    b = _results([False] * 3 + [True] * 14 + [True] * 3)
    cmp = compare(("A", 0), ("B", 0), {("A", 0): a, ("B", 0): b}, {i: f"text {i}" for i in range(20)})
    assert (cmp["a_right_b_wrong"], cmp["b_right_a_wrong"], cmp["paired_items"]) == (3, 14, 20)
    assert cmp["p"] == pytest.approx(0.01273, abs=1e-4) and cmp["better"] == {"candidate": "B", "shots": 0}
    assert cmp["disagreements"] == 17 and cmp["examples"][0] == {"item_id": 0, "text": "text 0", "gold": "a",
                                                                  "a": "a", "b": "b"}
    sentence = comparison_sentence(cmp, "en")
    assert sentence.startswith("B (zero-shot) is right on 14 items where A (zero-shot) is wrong, A (zero-shot) on 3")
    assert "B (zero-shot) is better (p = 0.013" in sentence
    assert "更好" in comparison_sentence(cmp, "zh")
    assert p_value(6.31e-30, "en") == "p < 0.001"  # never an exponent a person cannot read


def test_row_names() -> None:
    keys = [("tfidf-logreg", 0), ("stub", 0), ("stub", 3)]
    assert row_key("stub", keys) == ("stub", 0) and row_key("stub:3", keys) == ("stub", 3)
    with pytest.raises(CompareError) as error:
        row_key("stub:5", keys)
    assert "tfidf-logreg:0, stub:0, stub:3" in render(error.value, "en")


def test_eval_compare_in_the_json_and_the_report(tmp_path) -> None:
    data = tmp_path / "reviews.csv"
    data.write_text("text,label\n" + "".join(f"review number {i} says it is [{LABELS[i % 2]}],{LABELS[i % 2]}\n"
                                             for i in range(300)))
    candidates = tmp_path / "candidates.yaml"
    candidates.write_text("".join("- " + json.dumps({"id": m, "base_url": "URL", "model": m}) + "\n" for m in ("a", "b")))
    env = {**os.environ, "MODELPICK_HOME": str(tmp_path / "home")}
    with StubServer(StubConfig(accuracies={"a": 0.7, "b": 0.9}, labels=tuple(LABELS))) as stub:
        candidates.write_text(candidates.read_text().replace("URL", stub.url))
        done = subprocess.run([EXE, "eval", "--data", str(data), "--candidates-file", str(candidates), "--eval-size",
                               "200", "--compare", "a,b", "--json", str(tmp_path / "out.json"), "--report",
                               str(tmp_path / "report.md")], capture_output=True, text=True, timeout=300, env=env)
        bad = subprocess.run([EXE, "eval", "--data", str(data), "--candidates-file", str(candidates), "--compare", "a"],
                             capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr[-800:]
    assert bad.returncode == 1 and bad.stderr.startswith("error: --compare takes two names")
    cmp = json.loads((tmp_path / "out.json").read_text())["comparison"]
    db = sqlite3.connect(tmp_path / "home" / "runs.sqlite")
    right = {c: {i: p == g for i, p, g in db.execute("SELECT item_id, prediction, gold FROM results WHERE candidate=?",
                                                      (c,))} for c in ("a", "b")}
    assert cmp["a_right_b_wrong"] == sum(right["a"][i] and not right["b"][i] for i in right["a"])
    assert cmp["b_right_a_wrong"] == sum(right["b"][i] and not right["a"][i] for i in right["a"])
    assert cmp["better"] == {"candidate": "b", "shots": 0} and "b (zero-shot) is better" in cmp["sentence"]
    report = (tmp_path / "report.md").read_text()
    assert "**a (zero-shot) vs b (zero-shot)** on the same 200 items" in report and "| text | right answer |" in report
