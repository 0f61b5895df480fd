"""Launching a fine-tune: the train pool only, the catalog's training price before any spend, the files and jobs
API over real HTTP (a stub of OpenAI's), status that survives a restart, and the fine-tuned model joining the
candidates — priced as a fine-tune and measured on the same eval items."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from knowledge.catalog import get_card
from tests.stub_server import StubConfig, StubServer
from tools.candidates.endpoints import user_entries
from tools.evaluation.config import EvalConfig, prepare
from tools.output.exports import FINE_TUNE_EPOCHS, finetune_jsonl
from tools.run.runner import RunStore
from tools.training.finetune import FineTuneError, estimate, launch, refresh

EXE = str(Path(__file__).resolve().parent.parent / ".venv" / "bin" / "modelpick")
LABELS = ("billing", "bugs", "sales")


def _data(tmp_path: Path, rows: int = 240) -> Path:
    path = tmp_path / "tickets.csv"
    lines = [f"ticket {n} about {LABELS[n % 3]} matters [{LABELS[n % 3]}],{LABELS[n % 3]}" for n in range(rows)]
    path.write_text("text,label\n" + "\n".join(lines) + "\n")
    return path


def _entries(url: str) -> list[dict]:
    return [{"id": "gpt-4.1-mini", "base_url": url, "model": "gpt-4.1-mini"}]


def test_the_estimate_trains_on_the_train_pool_only_at_the_catalogs_price(tmp_path) -> None:
    split, labels, *_ = prepare(EvalConfig(data=str(_data(tmp_path)), eval_size=60, candidates=[]))
    plan = estimate("gpt-4.1-mini", split, labels, _entries("http://127.0.0.1:9/v1"))
    jsonl, tokens = finetune_jsonl(split, labels)
    trained = {json.loads(line)["messages"][1]["content"].rsplit("Text: ", 1)[-1] for line in jsonl.splitlines()}
    assert plan.rows == len(split.train_pool) == len(trained)
    assert not trained & {i.text for i in [*split.eval, *split.few_shot_pool]}  # never an eval or few-shot item
    price = get_card("gpt-4.1-mini").fine_tuning["training_usd_per_1m"]
    assert plan.tokens == tokens and plan.usd == round(tokens * FINE_TUNE_EPOCHS * price / 1e6, 4)
    assert plan.source and plan.as_of and plan.endpoint == "gpt-4.1-mini"
    for model, code in (("gpt-5", "not_tunable"), ("no-such-model", "not_tunable")):
        with pytest.raises(FineTuneError) as raised:
            estimate(model, split, labels, _entries("http://127.0.0.1:9/v1"))
        assert raised.value.code == code
    small, small_labels, *_ = prepare(EvalConfig(data=str(_data(tmp_path, rows=45)), eval_size=30, candidates=[]))
    with pytest.raises(FineTuneError) as raised:
        estimate("gpt-4.1-mini", small, small_labels, _entries("http://127.0.0.1:9/v1"))
    assert raised.value.code == "too_few"


def test_a_job_is_launched_followed_across_a_restart_and_joins_the_candidates(tmp_path) -> None:
    split, labels, *_ = prepare(EvalConfig(data=str(_data(tmp_path)), eval_size=60, candidates=[]))
    with StubServer(StubConfig(labels=LABELS, finetune_polls=3)) as stub:
        entries = _entries(stub.url)
        plan = estimate("gpt-4.1-mini", split, labels, entries)
        store = RunStore(tmp_path / "runs.sqlite")
        record = launch(plan, split, labels, store, thread_id="t1", entries=entries)
        uploaded = stub.stats.files[record["training_file"]]["lines"]
        assert len(uploaded) == len(split.train_pool) and record["status"] == "validating_files"
        assert stub.stats.jobs[record["job_id"]]["hyperparameters"] == {"n_epochs": FINE_TUNE_EPOCHS}
        record = refresh(record, store, entries)
        assert record["status"] in ("queued", "running") and user_entries() == []
        store.db.close()
        restarted = RunStore(tmp_path / "runs.sqlite")  # the app restarted: the job is read back and followed
        (again,) = restarted.jobs(thread_id="t1")
        assert again["job_id"] == record["job_id"]
        for _ in range(3):
            again = refresh(again, restarted, entries)
        assert again["status"] == "succeeded" and again["candidate"].startswith("ft:gpt-4.1-mini:")
        (joined,) = user_entries()
        assert joined["base_model"] == "gpt-4.1-mini" and joined["base_url"] == stub.url
        from tools.candidates.registry import entry_price_model

        assert entry_price_model(joined) == get_card("gpt-4.1-mini").fine_tuning["table_key"]
        assert refresh(again, restarted, entries) == again  # a finished job is not asked again


def test_a_failed_job_says_why_and_adds_nothing(tmp_path) -> None:
    split, labels, *_ = prepare(EvalConfig(data=str(_data(tmp_path)), eval_size=60, candidates=[]))
    with StubServer(StubConfig(labels=LABELS, finetune_fails=True)) as stub:
        entries = _entries(stub.url)
        store = RunStore(tmp_path / "runs.sqlite")
        record = launch(estimate("gpt-4.1-mini", split, labels, entries), split, labels, store, entries=entries)
        record = refresh(record, store, entries)
    assert record["status"] == "failed" and "loss became NaN" in record["error"]
    assert user_entries() == []


def _cli(*args: str, home: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MODELPICK_HOME": str(home), **(env or {})})


def test_the_cli_estimates_without_spending_then_starts_follows_and_measures_the_fine_tune(tmp_path) -> None:
    data, home = _data(tmp_path), tmp_path / "home"
    with StubServer(StubConfig(model="gpt-4.1-mini", labels=LABELS, finetune_polls=2)) as stub:
        candidates = tmp_path / "candidates.yaml"
        candidates.write_text("- " + json.dumps(_entries(stub.url)[0]) + "\n")
        env = {"MODELPICK_CANDIDATES_FILE": str(candidates)}
        shown = _cli("finetune", "--model", "gpt-4.1-mini", "--data", str(data), "--eval-size", "60", home=home,
                     env=env)
        assert shown.returncode == 0, shown.stderr
        assert "train-pool rows" in shown.stdout and "Add --yes" in shown.stdout and not stub.stats.files
        started = _cli("finetune", "--model", "gpt-4.1-mini", "--data", str(data), "--eval-size", "60", "--yes",
                       "--wait", "--poll-s", "0.05", home=home, env=env)
        assert started.returncode == 0, started.stderr
        assert "succeeded" in started.stdout and len(stub.stats.files) == 1
        fine_tuned = next(line for line in started.stdout.splitlines() if "succeeded" in line).split(": ")[1].split()[0]
        status = _cli("finetune", "--status", home=home, env=env)
        assert fine_tuned in status.stdout
        out = tmp_path / "out.json"
        measured = _cli("eval", "--data", str(data), "--candidates", f"gpt-4.1-mini,{fine_tuned}", "--candidates-file",
                        str(candidates), "--eval-size", "60", "--json", str(out), home=home)
    assert measured.returncode == 0, measured.stderr
    rows = {r["candidate"]: r for r in json.loads(out.read_text())["results"]}
    assert rows[fine_tuned]["items"] == rows["gpt-4.1-mini"]["items"] == 60
    assert rows[fine_tuned]["cost_per_1k_usd"] > rows["gpt-4.1-mini"]["cost_per_1k_usd"]  # fine-tuned price is dearer


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "brief", "ask", "yes", "status", "planned", "said"), [
    ("en", "classify tickets into billing, bugs and sales, 80% accuracy, no cost limit, no latency limit",
     "fine-tune gpt-4.1-mini on my data", "yes", "fine-tune status", "train-pool rows", "succeeded"),
    ("zh", "把工单分成 billing、bugs 和 sales 三类，准确率80%，不限成本，不限延迟",
     "用我的数据微调 gpt-4.1-mini", "确认", "微调进度", "条数据微调 gpt-4.1-mini", "已成功")])
def test_a_fine_tune_from_the_chat_waits_for_yes_is_followed_across_a_restart_and_measured(
        tmp_path, monkeypatch, lang, brief, ask, yes, status, planned, said) -> None:
    from langgraph.checkpoint.sqlite import SqliteSaver

    from agent.graph import compile_graph
    from core import workspace
    from tests.test_journey import _turn

    with StubServer(StubConfig(model="gpt-4.1-mini", labels=LABELS, finetune_polls=2)) as stub:
        candidates = tmp_path / "candidates.yaml"
        candidates.write_text("- " + json.dumps(_entries(stub.url)[0]) + "\n")
        monkeypatch.setenv("MODELPICK_CANDIDATES_FILE", str(candidates))
        with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
            graph = compile_graph(saver)
            _turn(graph, brief)
            _turn(graph, "", [workspace.keep_upload("journey", _data(tmp_path), "tickets.csv")])
            _turn(graph, "drop smollm2-135m")
            state, reply = _turn(graph, ask)
            assert planned in reply and state["pending"]["kind"] == "finetune" and not stub.stats.files
            state, reply = _turn(graph, "yes, but what does it cost per month?" if lang == "en" else
                                 "确认之前，每月要花多少钱？")
            assert not stub.stats.jobs  # a sentence that merely starts with a yes starts nothing
            _turn(graph, ask)
            state, reply = _turn(graph, yes)
            assert len(stub.stats.jobs) == 1 and state["pending"] is None
            assert "ftjob-stub1" in reply
        with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:  # the app restarted
            graph = compile_graph(saver)
            state, reply = _turn(graph, status)
            state, reply = _turn(graph, status)
            assert said in reply
            fine_tuned = next(e["id"] for e in user_entries())
            assert fine_tuned in reply
            state, reply = _turn(graph, f"add {fine_tuned}" if lang == "en" else f"加上 {fine_tuned}")
            assert fine_tuned in state["plan"]["candidates"] and not state.get("results")  # planned, not run
            state, reply = _turn(graph, "go" if lang == "en" else "开始")
    rows = {r["candidate"]: r for r in state["results"]}
    assert rows[fine_tuned]["status"] == "measured" and rows[fine_tuned]["items"] == rows["gpt-4.1-mini"]["items"]


def test_yes_without_an_estimate_spends_nothing(tmp_path, monkeypatch) -> None:
    from agent.commands import is_yes, read_command

    assert is_yes("yes") and is_yes("确认") and is_yes("OK!") and not is_yes("yes, but first tell me the price")
    assert read_command("fine-tune gpt-4.1-mini on our tickets").name == "finetune"
    assert read_command("fine-tune status").name == "finetune_status"
    assert read_command("微调进度").name == "finetune_status"
    assert read_command("用我的数据微调 gpt-4.1-mini").model == "gpt-4.1-mini"


@pytest.mark.parametrize("model", ["gpt-4o-mini"])
def test_a_fine_tune_from_modelpick_chat_is_added_and_measured(tmp_path, model) -> None:
    """The chat door, not only the graph: a fine-tune's `ft:` id is a candidate in a later turn and a later
    process (issue 33: "add ft:…" answered "Unknown candidate" in `modelpick chat`)."""
    data, home = _data(tmp_path), tmp_path / "home"
    with StubServer(StubConfig(model=model, labels=LABELS, finetune_polls=1)) as stub:
        candidates = tmp_path / "candidates.yaml"
        candidates.write_text("- " + json.dumps({"id": model, "base_url": stub.url, "model": model}) + "\n")
        env = {"MODELPICK_CANDIDATES_FILE": str(candidates)}
        script = tmp_path / "one.txt"
        script.write_text("classify tickets into billing, bugs and sales, 80% accuracy, no cost limit, no latency "
                          f"limit\n/upload {data}\ndrop smollm2-135m\nfine-tune {model}\nyes\nfine-tune status\n"
                          "fine-tune status\n")
        first = _cli("chat", "--script", str(script), "--thread", "ft-door", home=home, env=env)
        assert first.returncode == 0, first.stderr
        assert len(stub.stats.jobs) == 1, first.stdout
        fine_tuned = next(job["fine_tuned_model"] for job in stub.stats.jobs.values())
        assert fine_tuned and fine_tuned.startswith("ft:") and fine_tuned in first.stdout, first.stdout
        script.write_text(f"add {fine_tuned}\ngo\ngo\n")
        out = tmp_path / "state.json"
        second = _cli("chat", "--script", str(script), "--thread", "ft-door", "--json", str(out), home=home, env=env)
        evaluated = tmp_path / "eval.json"  # the eval door: no --candidates-file, the workspace's endpoint
        measured = _cli("eval", "--data", str(data), "--candidates", fine_tuned, "--eval-size", "60", "--json",
                        str(evaluated), home=home, env=env)
    assert second.returncode == 0, second.stderr
    assert "Unknown candidate" not in second.stdout, second.stdout
    rows = {r["candidate"]: r for r in json.loads(out.read_text())["results"]}
    assert rows[fine_tuned]["status"] == "measured", second.stdout
    assert rows[fine_tuned]["cost_per_1k_usd"] > rows[model]["cost_per_1k_usd"]  # priced as a fine-tune
    assert second.stdout.count("Nothing new to run") == 1, second.stdout  # the second "go" has nothing new to run
    assert measured.returncode == 0, measured.stderr
    assert json.loads(evaluated.read_text())["results"][0]["status"] == "measured"
