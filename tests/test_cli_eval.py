"""`modelpick eval` end to end: the pinned JSON, a crash and resume that repeats no finished call, bad input."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import DATASETS, packages_imported_by
from tests.stub_server import StubConfig, StubServer

EXE = str(Path(sys.executable).parent / "modelpick")
LABELS = ["negative", "positive"]
RESULT_KEYS = {"candidate", "technique", "shots", "items", "correct", "errors", "unparseable", "accuracy",
               "accuracy_ci", "macro_f1", "latency_p50_s", "latency_p95_s", "input_tokens_per_item",
               "output_tokens_per_item", "cost_per_1k_usd", "verdicts", "mcnemar_p_vs_best"}


def _data(tmp_path: Path, n: int = 200) -> Path:
    path = tmp_path / "reviews.csv"
    rows = ["text,label"] + [f"review number {i} says it is [{LABELS[i % 2]}],{LABELS[i % 2]}" for i in range(n)]
    path.write_text("\n".join(rows) + "\n")
    return path


def _candidates(tmp_path: Path, url: str, **extra) -> Path:
    path = tmp_path / "candidates.yaml"
    entry = {"id": "stub", "base_url": url, "model": "stub-model", "max_concurrency": 4,
             "input_usd_per_1m": 0.5, "output_usd_per_1m": 1.5, **extra}
    path.write_text("- " + json.dumps(entry) + "\n")
    return path


def _eval(*args: str, home: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "MODELPICK_HOME": str(home)}
    return subprocess.run([EXE, "eval", *args], capture_output=True, text=True, timeout=timeout, env=env)


def test_pinned_json_and_report(tmp_path) -> None:
    with StubServer() as stub:
        out, report = tmp_path / "out.json", tmp_path / "report.md"
        proc = _eval("--data", str(_data(tmp_path)), "--candidates", "tfidf-logreg,stub", "--candidates-file",
                     str(_candidates(tmp_path, stub.url)), "--shots", "0,3", "--eval-size", "60",
                     "--target-accuracy", "0.7", "--max-cost-per-1k", "1", "--json", str(out), "--report",
                     str(report), home=tmp_path / "home")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert set(doc) >= {"run_id", "dataset", "eval_set", "targets", "results", "recommendation"}
    assert set(doc["dataset"]) >= {"rows", "labels", "text_column", "label_column"}
    assert set(doc["eval_set"]) >= {"size", "few_shot_pool", "train_pool", "dropped_duplicates"}
    assert doc["targets"] == {"accuracy": 0.7, "max_cost_per_1k_usd": 1.0, "max_latency_s": None}
    rows = doc["results"]
    assert [(r["candidate"], r["technique"], r["shots"]) for r in rows] == [
        ("tfidf-logreg", "zero-shot", 0), ("stub", "zero-shot", 0), ("stub", "k-shot", 3)]
    for row in rows:
        assert set(row) >= RESULT_KEYS and row["items"] == 60
        assert set(row["verdicts"]) == {"accuracy", "cost", "latency"}
    stub_zero, stub_three = rows[1], rows[2]
    assert stub_three["input_tokens_per_item"] > stub_zero["input_tokens_per_item"] > 0
    expected = 1000 * (stub_zero["input_tokens_per_item"] * 0.5 + stub_zero["output_tokens_per_item"] * 1.5) / 1e6
    assert stub_zero["cost_per_1k_usd"] == pytest.approx(expected, rel=1e-3)
    assert set(doc["recommendation"]) >= {"candidate", "technique", "status", "reasons", "next_steps"}
    assert "| stub | 3-shot |" in report.read_text()


def test_killed_run_resumes_without_repeating_a_finished_call(tmp_path) -> None:
    home = tmp_path / "home"
    with StubServer(StubConfig(latency_s=0.03)) as stub:
        env = {**os.environ, "MODELPICK_HOME": str(home)}
        args = [EXE, "eval", "--data", str(_data(tmp_path)), "--candidates", "stub", "--candidates-file",
                str(_candidates(tmp_path, stub.url)), "--eval-size", "150"]
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while stub.stats.completions < 40 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        proc.kill()
        proc.wait()
        db = sqlite3.connect(home / "runs.sqlite")
        run_id = db.execute("SELECT run_id FROM runs").fetchone()[0]
        raw_outputs = [row[0] for row in db.execute("SELECT raw FROM results WHERE error IS NULL")]
        done_ids = {r[0] for r in db.execute("SELECT item_id FROM results WHERE error IS NULL")}
        in_flight, in_flight_usd = db.execute("SELECT COUNT(*), SUM(usd) FROM inflight").fetchone()
        db.close()
        assert 0 < len(done_ids) < 150, "the kill must land mid-run"
        assert 1 <= in_flight <= 4 and in_flight_usd > 0  # max_concurrency 4: the calls the kill cut off
        served_before = dict(stub.stats.served_per_text)
        resumed = _eval("--resume", run_id, "--json", str(tmp_path / "out.json"), home=home)
        assert resumed.returncode == 0, resumed.stderr
        db = sqlite3.connect(home / "runs.sqlite")
        items = {i: f"review number {i} says it is [{LABELS[i % 2]}]" for i in range(200)}
        repeated = [items[i] for i in done_ids if stub.stats.served_per_text[items[i]] != 1]
        assert repeated == [], f"finished calls repeated after resume: {repeated[:3]}"
        assert db.execute("SELECT COUNT(*) FROM results WHERE run_id = ?", (run_id,)).fetchone()[0] == 150
        # The cut-off calls may have been billed: they are counted as spent (at most), and the output says so.
        lost, lost_usd = db.execute("SELECT COUNT(*), SUM(usd) FROM interrupted").fetchone()
        measured = db.execute("SELECT AVG(cost_usd) FROM results WHERE cached = 0 AND error IS NULL").fetchone()[0]
        assert lost == in_flight and lost_usd < in_flight_usd  # the bound, replaced by the measured mean
        assert lost_usd == pytest.approx(in_flight * measured, rel=0.05)
        assert db.execute("SELECT COUNT(*) FROM inflight").fetchone()[0] == 0
        calls = f"{in_flight} paid call" + ("" if in_flight == 1 else "s")
        assert f"When the run was interrupted, {calls} in flight may have been billed" in resumed.stderr
        assert sum(stub.stats.served_per_text.values()) >= sum(served_before.values())
        assert all(raw in LABELS for raw in raw_outputs)  # raw outputs were persisted as they arrived
    doc = json.loads((tmp_path / "out.json").read_text())
    assert doc["run_id"] == run_id and doc["results"][0]["items"] == 150


def test_unknown_candidate_lists_the_known_ones(tmp_path) -> None:
    proc = _eval("--data", str(_data(tmp_path)), "--candidates", "tfidf-logreg,gpt-9", "--json",
                 str(tmp_path / "o.json"), home=tmp_path / "home")
    assert proc.returncode == 1 and "Unknown candidate 'gpt-9'. Known: tfidf-logreg, smollm2-135m" in proc.stderr
    assert not (tmp_path / "o.json").exists()


def test_eval_size_larger_than_the_data(tmp_path) -> None:
    proc = _eval("--data", str(_data(tmp_path, 50)), "--candidates", "tfidf-logreg", "--eval-size", "500",
                 home=tmp_path / "home")
    assert proc.returncode == 1 and "larger than the data allows" in proc.stderr


def test_one_class_label_column(tmp_path, samples) -> None:
    proc = _eval("--data", str(samples["one_class.csv"]), "--candidates", "tfidf-logreg", home=tmp_path / "home")
    assert proc.returncode == 1 and "one class only" in proc.stderr


def test_unreachable_endpoint_is_one_line_and_the_others_still_run(tmp_path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out = tmp_path / "out.json"
    proc = _eval("--data", str(_data(tmp_path)), "--candidates", "tfidf-logreg,stub", "--candidates-file",
                 str(_candidates(tmp_path, f"http://127.0.0.1:{port}/v1")), "--eval-size", "40", "--json", str(out),
                 home=tmp_path / "home")
    assert proc.returncode == 3
    assert f"stub: could not start — http://127.0.0.1:{port}/v1 is unreachable" in proc.stderr
    rows = {r["candidate"]: r for r in json.loads(out.read_text())["results"]}
    assert rows["tfidf-logreg"]["errors"] == 0 and rows["stub"]["errors"] == 40


def test_missing_api_key_env_is_named(tmp_path) -> None:
    proc = _eval("--data", str(_data(tmp_path)), "--candidates-file",
                 str(_candidates(tmp_path, "http://127.0.0.1:9/v1", api_key_env="MODELPICK_TEST_NO_SUCH_KEY")),
                 home=tmp_path / "home")
    assert proc.returncode == 1 and "MODELPICK_TEST_NO_SUCH_KEY is not set" in proc.stderr


@pytest.mark.slow
def test_real_llama_cpp_smollm2_zero_and_three_shot(tmp_path) -> None:
    home = tmp_path / "home"
    out = tmp_path / "out.json"
    proc = _eval("--data", str(DATASETS / "sentiment_uci_labelled_sentences.csv"), "--candidates", "smollm2-135m",
                 "--shots", "0,3", "--eval-size", "40", "--json", str(out), home=home, timeout=600)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(out.read_text())["results"]
    assert [(r["technique"], r["items"], r["errors"]) for r in rows] == [("zero-shot", 40, 0), ("k-shot", 40, 0)]
    for row in rows:
        assert row["latency_p50_s"] > 0 and row["input_tokens_per_item"] > 0 and row["output_tokens_per_item"] > 0
        assert row["cost_per_1k_usd"] == 0.0
    assert rows[1]["input_tokens_per_item"] > rows[0]["input_tokens_per_item"] + 50
    db = sqlite3.connect(home / "runs.sqlite")
    assert db.execute("SELECT COUNT(*) FROM results WHERE candidate = 'smollm2-135m'").fetchone()[0] == 80
    # the server was stopped afterwards: its port no longer answers
    log = next((home / "logs").glob("llama-server-*.log"))
    port = int(log.stem.rsplit("-", 1)[1])
    with socket.socket() as sock, pytest.raises(OSError):
        sock.settimeout(1)
        sock.connect(("127.0.0.1", port))


def test_an_unforeseen_error_is_one_line_and_logged(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    import tools.evaluation.config
    from cli.main import app

    def broken(_config):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(tools.evaluation.config, "prepare", broken)
    result = CliRunner().invoke(app, ["eval", "--data", str(_data(tmp_path)), "--candidates", "tfidf-logreg"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: RuntimeError: disk on fire (details in ")
    assert "Traceback" not in result.output
    log = Path(os.environ["MODELPICK_HOME"]) / "logs" / "errors.log"
    assert "disk on fire" in log.read_text() and "Traceback" in log.read_text()


def test_resume_refuses_a_data_file_changed_since_the_run(tmp_path) -> None:
    home = tmp_path / "home"
    data = _data(tmp_path)
    with StubServer() as stub:
        first = _eval("--data", str(data), "--candidates", "stub", "--candidates-file",
                      str(_candidates(tmp_path, stub.url)), "--eval-size", "40", home=home)
        assert first.returncode == 0, first.stderr
        db = sqlite3.connect(home / "runs.sqlite")
        run_id = db.execute("SELECT run_id FROM runs").fetchone()[0]
        rows_before = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        db.execute("DELETE FROM results WHERE item_id IN (SELECT item_id FROM results LIMIT 10)")
        db.commit()
        db.close()
        data.write_text(data.read_text().replace("review number 1 ", "review number one "))  # an edited file
        resumed = _eval("--resume", run_id, "--json", str(tmp_path / "out.json"), home=home)
    assert resumed.returncode == 1
    assert resumed.stderr.startswith("error: The data file ") and "has changed since run" in resumed.stderr
    assert not (tmp_path / "out.json").exists()
    db = sqlite3.connect(home / "runs.sqlite")
    assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == rows_before - 10  # nothing was added


def test_a_symlink_is_refused_and_a_workbook_names_the_sheet_flag(tmp_path, samples) -> None:
    link = tmp_path / "data.csv"
    link.symlink_to("/etc/passwd")
    proc = _eval("--data", str(link), "--candidates", "tfidf-logreg", home=tmp_path / "home")
    assert proc.returncode == 1 and "is a symbolic link" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "home" / "uploads").exists()
    proc = _eval("--data", str(samples["sheets.xlsx"]), "--candidates", "tfidf-logreg", home=tmp_path / "home")
    assert proc.returncode == 1 and "which one holds the examples" in proc.stderr and "--sheet" in proc.stderr


def test_the_eval_path_imports_no_conversation_or_ui_code(tmp_path) -> None:
    """`modelpick eval` starts fast: LangGraph, LangChain and Chainlit are for the chat only."""
    with StubServer() as stub:
        code = ("from cli.main import app\n"
                f"app(['eval', '--data', {str(_data(tmp_path))!r}, '--candidates', 'stub', '--candidates-file', "
                f"{str(_candidates(tmp_path, stub.url))!r}, '--eval-size', '20'], standalone_mode=False)")
        conversation = {"langgraph", "langchain_core", "langchain_openai", "chainlit", "chromadb", "sklearn"}
        assert packages_imported_by(code, conversation, tmp_path / "home") == []


def test_a_fine_tuned_candidate_runs_and_pays_the_fine_tuned_price(tmp_path) -> None:
    from knowledge.catalog import load_catalog

    card = load_catalog().resolve("ft:gpt-4o-mini-2024-07-18")
    with StubServer(StubConfig(model="ft:gpt-4o-mini-2024-07-18:acme::x1", labels=tuple(LABELS))) as stub:
        candidates = tmp_path / "candidates.yaml"
        candidates.write_text("- " + json.dumps({"id": "my-ft", "base_url": stub.url,
                                                 "model": "ft:gpt-4o-mini-2024-07-18:acme::x1"}) + "\n")
        out = tmp_path / "out.json"
        proc = _eval("--data", str(_data(tmp_path)), "--candidates", "my-ft", "--candidates-file", str(candidates),
                     "--eval-size", "40", "--json", str(out), home=tmp_path / "home")
    assert proc.returncode == 0, proc.stderr
    row = json.loads(out.read_text())["results"][0]
    expected = 1000 * (row["input_tokens_per_item"] * card.input_usd_per_1m
                       + row["output_tokens_per_item"] * card.output_usd_per_1m) / 1e6
    assert row["cost_per_1k_usd"] == pytest.approx(expected, rel=1e-3) and row["cost_per_1k_usd"] > 0
