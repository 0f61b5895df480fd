"""Honest failures: a dead endpoint is detected in seconds and reported as failed — never as a measured 0 %.

Real parts: a stub server in its own process that exits mid-run, a port nothing listens on, and the real
llama.cpp server killed with SIGILL (what a build that does not match the CPU does) or SIGKILL mid-run.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import DATASETS
from tests.test_cli_eval import _eval
from tools.candidates.chat import ChatCandidate
from tools.candidates.local import LocalLLM, free_port
from tools.data.evalset import Item, split
from tools.evaluation.config import EvalConfig
from tools.evaluation.results import results_document
from tools.run.runner import RetryPolicy, Runner, RunStore
from tools.scoring.metrics import ItemResult, failure_of, row_status, summarise
from tools.scoring.recommend import Targets, recommend, verdicts
from words.catalog import phrase_document, render

LABELS = ["negative", "positive"]
ROOT = Path(__file__).resolve().parent.parent


def _data(tmp_path: Path, n: int = 200) -> Path:
    path = tmp_path / "reviews.csv"
    rows = ["text,label"] + [f"review number {i} says it is [{LABELS[i % 2]}],{LABELS[i % 2]}" for i in range(n)]
    path.write_text("\n".join(rows) + "\n")
    return path


class StubProcess:
    """The stub server in a process of its own (so it can really die), answering `die_after` times."""

    def __init__(self, die_after: int | None = None, latency: float = 0.02):
        args = [sys.executable, "-m", "tests.stub_server", "--labels", ",".join(LABELS), "--latency", str(latency)]
        if die_after is not None:
            args += ["--die-after", str(die_after)]
        self.process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        self.url = self.process.stdout.readline().strip()

    def died_at(self) -> float | None:
        return time.monotonic() if self.process.poll() is not None else None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


# ---------------------------------------------------------------- the rule, on known values


def _results(correct: int, wrong: int, errors: int) -> list[ItemResult]:
    rows = [ItemResult(i, "a", "a", "a", 0.1, 10, 1) for i in range(correct)]
    rows += [ItemResult(100 + i, "a", "b", "b", 0.1, 10, 1) for i in range(wrong)]
    rows += [ItemResult(200 + i, "a", None, None, None, 0, 0, "connection error: refused") for i in range(errors)]
    return rows


def test_more_than_half_errors_is_failed_and_accuracy_counts_answered_items_only() -> None:
    assert failure_of(_results(10, 0, 11)) == "connection error: refused"
    assert failure_of(_results(10, 0, 10)) is None  # exactly half: measured, with the errors shown
    assert row_status(_results(10, 0, 11), 21, "finished") == "failed"
    assert row_status(_results(10, 0, 0), 40, "cancelled") == "stopped"
    assert row_status(_results(10, 0, 0), 10, "cancelled") == "measured"
    summary = summarise(_results(15, 5, 10), ["a", "b"], price_per_token=None)
    assert summary.items == 30 and summary.errors == 10
    assert summary.accuracy == pytest.approx(0.75)  # 15 of the 20 answered, not 15 of 30


def test_a_failed_row_is_never_picked_and_its_cause_is_said() -> None:
    failed = {"candidate": "local", "technique": "zero-shot", "shots": 0, "status": "failed",
              "failure": "the llama.cpp server crashed with an illegal instruction (SIGILL)", "items": 40,
              "errors": 40, "accuracy": None, "accuracy_ci": None, "cost_per_1k_usd": None, "latency_p95_s": None}
    measured = {"candidate": "base", "technique": "zero-shot", "shots": 0, "status": "measured", "items": 40,
                "errors": 0, "accuracy": 0.8, "accuracy_ci": [0.65, 0.9], "cost_per_1k_usd": 0.0,
                "latency_p95_s": 0.01}
    targets = Targets(accuracy=0.5)
    for row in (failed, measured):
        row["verdicts"] = verdicts(row, targets)
    assert failed["verdicts"] == {"accuracy": "failed", "cost": "failed", "latency": "failed"}
    rec = recommend([failed, measured], targets)
    assert rec["candidate"] == "base" and rec["status"] == "met"
    assert any("local (zero-shot) failed: the llama.cpp server crashed" in render(r, "en") for r in rec["reasons"])
    alone = recommend([failed], targets)
    assert alone["candidate"] is None and any("failed" in render(r, "en") for r in alone["reasons"])


# ---------------------------------------------------------------- a stub that dies, one that never answers


def test_an_endpoint_that_dies_mid_run_fails_within_seconds_and_the_others_complete(tmp_path) -> None:
    items = [Item(i, f"review number {i} says it is [{LABELS[i % 2]}]", LABELS[i % 2]) for i in range(160)]
    the_split = split(items, eval_size=100, seed=0)
    dying, healthy = StubProcess(die_after=20), StubProcess()
    store = RunStore(tmp_path / "runs.sqlite")
    finished_at: dict[str, float] = {}

    def progress(p) -> None:
        if p.finished:
            finished_at[p.candidate] = time.monotonic()

    try:
        candidates = [ChatCandidate("dying", model="stub-model", base_url=dying.url, max_concurrency=4, timeout_s=5),
                      ChatCandidate("healthy", model="stub-model", base_url=healthy.url, max_concurrency=4)]
        runner = Runner(store, progress=progress)  # the default retry policy: six attempts with backoff
        run_id = store.create_run({})
        outcome = asyncio.run(runner.run(run_id, the_split, LABELS, candidates, [0]))
        died = dying.process.wait(timeout=5) and time.monotonic()
    finally:
        dying.close()
        healthy.close()
    assert dying.process.returncode == 70
    assert finished_at["dying"] - died < 10  # measured from our look after the run: an upper bound
    grouped = store.results(run_id)
    dead, alive = grouped[("dying", 0)], grouped[("healthy", 0)]
    assert len(dead) == 100 and sum(r.error is None for r in dead) == 20
    assert all("stopped answering" in render(r.error, "en") for r in dead if r.error)
    assert len(alive) == 100 and all(r.error is None for r in alive)
    assert any(render(n, "en").startswith("dying: failed — the endpoint stopped answering") for n in outcome.notes)


def test_eval_reports_a_dead_and_a_refusing_endpoint_as_failed(tmp_path) -> None:
    dying = StubProcess(die_after=15)
    refusing = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    entries = [{"id": "dying", "base_url": dying.url, "model": "stub-model", "max_concurrency": 4,
                "input_usd_per_1m": 0.5, "output_usd_per_1m": 1.5},
               {"id": "refusing", "base_url": refusing, "model": "stub-model", "input_usd_per_1m": 0.5,
                "output_usd_per_1m": 1.5}]
    candidates = tmp_path / "candidates.yaml"
    candidates.write_text("\n".join("- " + json.dumps(e) for e in entries) + "\n")
    out, report = tmp_path / "out.json", tmp_path / "report.md"
    started = time.monotonic()
    try:
        proc = _eval("--data", str(_data(tmp_path)), "--candidates", "tfidf-logreg,dying,refusing",
                     "--candidates-file", str(candidates), "--eval-size", "60", "--target-accuracy", "0.5",
                     "--json", str(out), "--report", str(report), home=tmp_path / "home")
    finally:
        dying.close()
    assert time.monotonic() - started < 60  # seconds, not items × retries
    assert proc.returncode == 3, proc.stderr
    rows = {r["candidate"]: r for r in json.loads(out.read_text())["results"]}
    for cid in ("dying", "refusing"):
        row = rows[cid]
        assert row["status"] == "failed" and row["failure"]
        assert row["accuracy"] is None and row["accuracy_ci"] is None and row["mcnemar_p_vs_best"] is None
        assert row["verdicts"] == {"accuracy": "failed", "cost": "failed", "latency": "failed"}
        assert f"failed: {cid} (zero-shot): " in proc.stderr
    assert "is unreachable" in rows["refusing"]["failure"]
    assert "stopped answering" in rows["dying"]["failure"]
    assert rows["tfidf-logreg"]["status"] == "measured" and rows["tfidf-logreg"]["failure"] is None
    doc = json.loads(out.read_text())
    assert doc["recommendation"]["candidate"] == "tfidf-logreg"
    text = report.read_text()
    assert "| dying | zero-shot | failed: the endpoint stopped answering" in text
    assert "| refusing | zero-shot | failed: could not start" in text
    assert "| 0.0% (" not in text  # no measured-looking number for a failed row


# ---------------------------------------------------------------- the real llama.cpp server, killed mid-run


@pytest.mark.slow
@pytest.mark.parametrize("sig, words", [(signal.SIGILL, "illegal instruction (SIGILL): its build does not match "
                                                        "this CPU; run `make install` again"),
                                        (signal.SIGKILL, "was killed (SIGKILL)")])
def test_a_llama_cpp_server_that_dies_mid_run_is_failed_with_its_cause(tmp_path, sig, words) -> None:
    config = EvalConfig(data=str(DATASETS / "sentiment_uci_labelled_sentences.csv"), candidates=["smollm2-135m"],
                        shots=[3], eval_size=40)
    from tools.evaluation.config import prepare

    the_split, labels, *_ = prepare(config)
    store = RunStore()
    local = LocalLLM()
    killed: dict[str, float] = {}

    def progress(p) -> None:
        if p.done >= 5 and not killed and local.process is not None:
            os.kill(local.process.pid, sig)
            killed["at"] = time.monotonic()
        if p.finished:
            killed["finished"] = time.monotonic()

    run_id = store.create_run(config.to_dict())
    runner = Runner(store, progress=progress, retry=RetryPolicy())
    outcome = asyncio.run(runner.run(run_id, the_split, labels, [local], [3]))
    assert killed["finished"] - killed["at"] < 10
    doc = phrase_document(results_document(run_id, config, store, outcome=outcome), "en")
    row = doc["results"][0]
    assert row["status"] == "failed" and words in row["failure"] and "llama-server-" in row["failure"]
    assert row["accuracy"] is None and doc["recommendation"]["candidate"] is None
    assert any(words in reason for reason in doc["recommendation"]["reasons"])
    chinese = phrase_document(results_document(run_id, config, store, outcome=outcome), "zh")["results"][0]
    assert ("非法指令" if sig == signal.SIGILL else "强制终止") in chinese["failure"]


# ---------------------------------------------------------------- what the chat says


def test_the_chat_says_failed_in_the_table_why_not_and_the_report(tmp_path, monkeypatch) -> None:
    from langgraph.checkpoint.sqlite import SqliteSaver

    from agent.graph import compile_graph, new_replies, turn_input
    from core import workspace

    dying = StubProcess(die_after=10)
    candidates = tmp_path / "candidates.yaml"
    candidates.write_text("- " + json.dumps({"id": "stub-llm", "base_url": dying.url, "model": "stub-model",
                                             "input_usd_per_1m": 0.5, "output_usd_per_1m": 1.5}) + "\n")
    monkeypatch.setenv("MODELPICK_CANDIDATES_FILE", str(candidates))

    def turn(text: str, files=None) -> tuple[dict, str]:
        state = graph.invoke(turn_input(text, files), {"configurable": {"thread_id": "failing"}})
        return state, "\n\n".join(m.content for m in new_replies(state))

    try:
        with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
            graph = compile_graph(saver)
            turn("classify reviews as positive or negative, 60% accuracy, no cost limit, no latency limit")
            turn("", [workspace.keep_upload("failing", _data(tmp_path), "reviews.csv")])
            turn("drop smollm2-135m")
            state, reply = turn("go")
            row = next(r for r in state["results"] if r["candidate"] == "stub-llm")
            assert row["status"] == "failed" and row["accuracy"] is None
            assert "stub-llm (zero-shot) failed, nothing was measured: the endpoint stopped answering" in reply
            assert re.search(r"\| stub-llm \| zero-shot \| \d+ \| \*\*failed\*\*: the endpoint stopped answering", reply)
            assert state["recommendation"]["candidate"] == "tfidf-logreg"
            _, reply = turn("why not stub-llm?")
            assert "stub-llm failed, so it was never measured: the endpoint stopped answering" in reply
            assert "was measured:" not in reply  # the old, false claim
            state, _ = turn("download the report")
            report = Path(state["exports"]["report.md"]).read_text()
            assert "| stub-llm | zero-shot | failed: the endpoint stopped answering" in report
    finally:
        dying.close()
