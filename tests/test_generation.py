"""Open answers: overlap metrics, a judge through the runner, and the judge measured against people — Cohen's κ
and the prediction-powered correction equal to the values computed by hand from the stub's known behaviour."""

from __future__ import annotations

import csv
import json
import re

import pytest

from tests.stub_server import StubConfig, StubServer, unit_hash
from tests.test_cli_eval import _eval
from tools.evaluation.config import EvalConfig, prepare
from tools.tasks import generation

ACCURACY = {"strong-model": 0.9, "weak-model": 0.6}
JUDGE_ERROR = 0.15


def _rows(n: int = 140) -> list[dict]:
    rows = []
    for i in range(n):
        reference = f"City{i}"
        question = f"What is the capital of Country{i}? [{reference}]"
        right = unit_hash("human", question) < 0.5
        rows.append({"question": question, "reference": reference,
                     "response": reference if right else "I am not sure.", "human": "right" if right else "wrong"})
    return rows


def _write(path, rows: list[dict], human_share: float = 0.3):
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["question", "reference", "response", "human"])
        writer.writeheader()
        for i, row in enumerate(rows):
            writer.writerow({**row, "human": row["human"] if i < human_share * len(rows) else ""})
    return path


def _judge_says(question: str, reference: str, answer: str) -> bool:
    asked = generation.JUDGE_ASK.format(question=question, reference=reference, answer=answer)
    right = answer.casefold() == reference.casefold()
    return (not right) if unit_hash("judge", asked) < JUDGE_ERROR else right


def test_overlap_metrics_kappa_and_ppi_by_hand() -> None:
    assert generation.exact_match("The Paris", "paris") == 1.0
    assert generation.token_f1("Paris, France", "Paris") == pytest.approx(2 * 0.5 * 1 / 1.5)
    assert generation.chrf("Paris", "Paris") == pytest.approx(1.0) and generation.chrf("xyz", "Paris") == 0.0
    assert generation.token_f1("北京市", "北京") == pytest.approx(2 * (2 / 3) * 1 / (2 / 3 + 1))
    kappa, (low, high) = generation.cohen_kappa([(True, True)] * 40 + [(False, False)] * 40 + [(True, False)] * 20)
    assert kappa == pytest.approx((0.8 - 0.48) / 0.52) and low < kappa < high  # p_o 0.8, p_e .6×.4 + .4×.6
    estimate, (lo, hi) = generation.ppi_accuracy([True] * 80 + [False] * 20, [True, True, False, False],
                                                 [True, False, False, False])
    assert estimate == pytest.approx(0.8 - 0.25) and lo < estimate < hi
    assert generation.parse_verdict("**RIGHT**\nsame fact") == "right"
    assert generation.parse_verdict("错误：不是参考答案") == "wrong"
    assert generation.judge_reason("WRONG\nIt names another city.") == "It names another city."


def test_the_cli_judges_answers_measures_the_judge_and_corrects_accuracy(tmp_path) -> None:
    rows = _rows()
    data = _write(tmp_path / "qa.csv", rows)
    candidates = tmp_path / "candidates.yaml"
    with StubServer(StubConfig(accuracies=ACCURACY, judge_error_rate=JUDGE_ERROR)) as stub:
        candidates.write_text("\n".join("- " + json.dumps(e) for e in (
            {"id": "strong", "base_url": stub.url, "model": "strong-model", "input_usd_per_1m": 5,
             "output_usd_per_1m": 15},
            {"id": "weak", "base_url": stub.url, "model": "weak-model", "input_usd_per_1m": 0.1,
             "output_usd_per_1m": 0.4})) + "\n")
        out, report = tmp_path / "out.json", tmp_path / "report.md"
        proc = _eval("--data", str(data), "--task", "generation", "--candidates", "strong,weak", "--candidates-file",
                     str(candidates), "--human-col", "human", "--eval-size", "80", "--target-accuracy", "0.7",
                     "--json", str(out), "--report", str(report), home=tmp_path / "home")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(out.read_text())
    split, *_ = prepare(EvalConfig(data=str(data), task="generation", eval_size=80, candidates=[]))
    marked = [r for i, r in enumerate(rows) if i < 0.3 * len(rows)]
    pairs = [(_judge_says(r["question"], r["reference"], r["response"]), r["human"] == "right") for r in marked]
    agree = sum(a == b for a, b in pairs) / len(pairs)
    po, pj, ph = agree, sum(a for a, _ in pairs) / len(pairs), sum(b for _, b in pairs) / len(pairs)
    pe = pj * ph + (1 - pj) * (1 - ph)
    rectifier = sum(float(a) - float(b) for a, b in pairs) / len(pairs)
    rows_by = {r["candidate"]: r for r in document["results"]}
    assert set(rows_by) == {"strong", "weak"}  # the judge's verdicts are not rows
    for cid, model in (("strong", "strong-model"), ("weak", "weak-model")):
        row = rows_by[cid]
        answers = [item.label if unit_hash(model, item.text) < ACCURACY[model] else "I am not sure."
                   for item in split.eval]
        judged = [_judge_says(item.text, item.label, a) for item, a in zip(split.eval, answers, strict=True)]
        assert row["judge"] == "strong" and row["self_judged"] == (cid == "strong")
        assert row["judged_accuracy"] == pytest.approx(sum(judged) / len(judged), abs=1e-4)
        assert row["exact_match"] == pytest.approx(sum(a == i.label for a, i in zip(answers, split.eval,
                                                                                     strict=True)) / 80, abs=1e-4)
        assert row["judge_agreement"]["n"] == len(pairs)
        assert row["judge_agreement"]["accuracy"] == pytest.approx(agree, abs=1e-4)
        assert row["judge_agreement"]["kappa"] == pytest.approx((po - pe) / (1 - pe), abs=1e-4)
        assert row["accuracy_method"] == "ppi"
        assert row["accuracy"] == pytest.approx(sum(judged) / len(judged) - rectifier, abs=1e-4)
    assert rows_by["strong"]["accuracy"] > rows_by["weak"]["accuracy"]
    text = report.read_text()
    assert "Cohen's κ" in text and "judges its own answers" in text


def test_generation_without_human_marks_says_the_judge_is_unmeasured(tmp_path) -> None:
    data = _write(tmp_path / "qa.csv", _rows(60), human_share=0)
    candidates = tmp_path / "candidates.yaml"
    with StubServer(StubConfig(accuracies=ACCURACY)) as stub:
        candidates.write_text("- " + json.dumps({"id": "weak", "base_url": stub.url, "model": "weak-model"}) + "\n"
                              "- " + json.dumps({"id": "strong", "base_url": stub.url, "model": "strong-model"})
                              + "\n")
        out = tmp_path / "out.json"
        proc = _eval("--data", str(data), "--task", "generation", "--candidates", "weak", "--judge", "strong",
                     "--candidates-file", str(candidates), "--eval-size", "40", "--json", str(out),
                     home=tmp_path / "home")
    assert proc.returncode == 0, proc.stderr
    (row,) = json.loads(out.read_text())["results"]
    assert row["judge"] == "strong" and not row["self_judged"] and row["judge_agreement"] is None
    assert "accuracy_method" not in row and row["accuracy"] == row["judged_accuracy"]


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "brief", "planned", "shown", "errors"), [
    ("en", "answer customer questions about our cities, 50% accuracy, no cost limit, no latency limit",
     "Judge: strong grades every answer", "Cohen's κ", "the judge's reason"),
    ("zh", "回答客户关于城市的问题，准确率50%，不限成本，不限延迟", "评审：strong 对照参考答案批改每个回答", "Cohen's κ",
     "评审理由")])
def test_an_open_answer_journey_in_the_chat(tmp_path, monkeypatch, lang, brief, planned, shown, errors) -> None:
    from langgraph.checkpoint.sqlite import SqliteSaver

    from agent.graph import compile_graph
    from core import workspace
    from tests.test_journey import _turn

    data = _write(tmp_path / "qa.csv", _rows())
    with StubServer(StubConfig(accuracies=ACCURACY, judge_error_rate=JUDGE_ERROR)) as stub:
        candidates = tmp_path / "candidates.yaml"
        candidates.write_text("\n".join("- " + json.dumps(e) for e in (
            {"id": "strong", "base_url": stub.url, "model": "strong-model", "input_usd_per_1m": 5,
             "output_usd_per_1m": 15},
            {"id": "weak", "base_url": stub.url, "model": "weak-model", "input_usd_per_1m": 0.1,
             "output_usd_per_1m": 0.4})) + "\n")
        monkeypatch.setenv("MODELPICK_CANDIDATES_FILE", str(candidates))
        with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
            graph = compile_graph(saver)
            state, reply = _turn(graph, brief)
            assert state["brief"]["task_type"] == "generation"
            state, reply = _turn(graph, "", [workspace.keep_upload("journey", data, "qa.csv")])
            assert state["dataset"]["reference_column"] == "reference" and state["dataset"]["human_marks"] == 42
            state, reply = _turn(graph, "drop smollm2-135m" if lang == "en" else "去掉 smollm2-135m")
            assert planned in reply and state["plan"]["judge"]["marked"] == 42 and stub.stats.completions == 0
            state, reply = _turn(graph, "judge with weak" if lang == "en" else "用 weak 评审")
            assert state["plan"]["judge"]["model"] == "weak" and state["plan"]["judge"]["self"]
            state, reply = _turn(graph, "judge with strong" if lang == "en" else "用 strong 评审")
            assert ("drawn at random" if lang == "en" else "随机抽取") in reply and "City25 1" not in reply
            assert "tfidf-logreg" not in {s["id"] for s in state["plan"]["shortlist"]}  # it only classifies
            state, reply = _turn(graph, "pilot" if lang == "en" else "先跑试点")
            share = float(re.search(r"(\d+\.\d)%", reply).group(1))
            assert state["run"]["status"] == "pilot" and share > 50  # the pilot's answers are judged, not string-matched
            state, reply = _turn(graph, "go" if lang == "en" else "开始")
            rows = {r["candidate"]: r for r in state["results"]}
            assert rows["weak"]["accuracy_method"] == "ppi" and rows["strong"]["self_judged"]
            assert shown in reply
            state, reply = _turn(graph, "show errors of weak" if lang == "en" else "看看 weak 的错例")
            assert errors in reply and "I am not sure." in reply
