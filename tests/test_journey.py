"""The full journey through the compiled graph, offline, with the real baseline and the real local LLM."""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

from agent.graph import compile_graph, new_replies, turn_input
from core import workspace
from tests.conftest import DATASETS
from tests.stub_server import StubConfig, StubServer

pytestmark = pytest.mark.slow


def _turn(graph, text: str, files=None) -> tuple[dict, str]:
    state = graph.invoke(turn_input(text, files), {"configurable": {"thread_id": "journey"}})
    return state, "\n\n".join(m.content for m in new_replies(state))


def _calls(home) -> tuple[int, int]:
    """(result rows, local model servers started) — follow-ups must change neither."""
    db = sqlite3.connect(home / "runs.sqlite")
    rows = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    db.close()
    return rows, len(list((home / "logs").glob("llama-server-*.log")))


@contextmanager
def configured_stub(tmp_path, monkeypatch, labels: tuple[str, ...], **behaviour):
    """A stub endpoint named `stub-llm` in the candidates file the chat reads (MODELPICK_CANDIDATES_FILE)."""
    with StubServer(StubConfig(labels=labels, **behaviour)) as stub:
        candidates = tmp_path / "candidates.yaml"
        candidates.write_text("- " + json.dumps({"id": "stub-llm", "base_url": stub.url, "model": "stub-model",
                                                 "input_usd_per_1m": 0.5, "output_usd_per_1m": 1.5}) + "\n")
        monkeypatch.setenv("MODELPICK_CANDIDATES_FILE", str(candidates))
        yield stub


def test_targets_upload_plan_go_recommend_and_follow_ups(tmp_path, workspace_home, monkeypatch) -> None:
    labels = ["ham", "spam"]
    with configured_stub(tmp_path, monkeypatch, tuple(labels)) as stub, SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        _turn(graph, "classify SMS messages as spam or ham, 90% accuracy, under $5 per 1000, 2 s, 10k a day")
        upload = [workspace.keep_upload("journey", DATASETS / "sms_spam.csv", "sms_spam.csv")]
        state, reply = _turn(graph, "", upload)
        assert "5,574" in reply and "Evaluation plan" in reply and state["plan"]
        assert not (workspace_home / "runs.sqlite").exists()  # nothing is spent before "go"
        state, reply = _turn(graph, "drop stub-llm")
        state, reply = _turn(graph, "use 30 items")
        assert state["plan"]["eval_size"] == 30 and state["plan"]["candidates"] == ["tfidf-logreg", "smollm2-135m"]
        state, reply = _turn(graph, "go")
        results = state["results"]
        assert [(r["candidate"], r["shots"]) for r in results] == [
            ("tfidf-logreg", 0), ("smollm2-135m", 0), ("smollm2-135m", 3)]
        assert all(r["items"] == 30 and r["cost_per_1k_usd"] == 0 for r in results)
        assert results[2]["input_tokens_per_item"] > results[1]["input_tokens_per_item"]
        rec = state["recommendation"]
        assert rec["status"] in ("met", "marginal", "none")
        assert ("Recommendation" in reply) or ("No candidate" in reply)
        before = _calls(workspace_home)
        assert before == (90, 1)

        state, reply = _turn(graph, "what if I need 99%?")
        assert "no model was called again" in reply and state["results"][0]["verdicts"]["accuracy"] != "met"
        state, reply = _turn(graph, "预算改成每千条1美元")
        assert state["brief"]["max_cost_per_1k_usd"] == 1 and "没有再调用任何模型" in reply
        state, reply = _turn(graph, "show me the errors of smollm2-135m")
        assert "smollm2-135m" in reply and "items wrong" in reply
        state, reply = _turn(graph, "show me the errors of tfidf-logreg")
        assert "tfidf-logreg (trained baseline) got" in reply  # not "zero-shot": it has no prompt
        state, reply = _turn(graph, "why not gpt-4o?")
        assert "$2.50" in reply and "2026-11-25" in reply
        state, reply = _turn(graph, "compare the baseline and smollm2-135m:3")
        assert "vs smollm2-135m (3-shot)** on the same 30 items" in reply
        assert ("is better" in reply or "could be chance" in reply) and "| text | right answer |" in reply
        state, reply = _turn(graph, "比较 基线 和 smollm2-135m")
        assert "对比 smollm2-135m" in reply and ("更好" in reply or "偶然" in reply)
        state, reply = _turn(graph, "compare tfidf-logreg and gpt-4o")
        assert "'gpt-4o' is not among the measured rows" in reply
        chosen = state["recommendation"]["candidate"]
        if chosen:  # "why?" is answered from this run's facts, not from knowledge-store excerpts
            state, reply = _turn(graph, "why this one?")
            assert chosen in reply and "McNemar" in reply and "knowledge" not in reply.lower()
            state, reply = _turn(graph, "为什么推荐这个模型？")
            assert chosen in reply and "知识库" not in reply and "McNemar" in reply
        state, reply = _turn(graph, "what happened?")
        assert reply.startswith("The run finished: 3 rows measured")
        state, reply = _turn(graph, "download the report")
        files = state["exports"]
        assert set(files) == {"report.md", "report.html", "items.csv", "finetune.jsonl"}
        html = Path(files["report.html"]).read_text(encoding="utf-8")
        assert '<html lang="en">' in html and "<table>" in html and "plotly" in html.lower()
        assert not re.search(r"<(?:script|link)[^>]+(?:src|href)=\"https?://", html)  # inline: opens offline
        assert _calls(workspace_home) == before  # no follow-up called a model or started a server

        # "add X" after the run measures only X, on the same items
        state, reply = _turn(graph, "add stub-llm")
        assert stub.stats.completions == 60 and _calls(workspace_home) == (before[0] + 60, before[1])
        assert [r["candidate"] for r in state["results"]].count("stub-llm") == 2
        # a revised plan forecasts its time from the latencies measured above
        state, reply = _turn(graph, "use 20 items")
        assert "Expected time: about" in reply and state["plan"]["expected_time"]["unmeasured"] == []
    csv_text = Path(files["items.csv"]).read_text(encoding="utf-8")
    assert csv_text.startswith("candidate,technique,shots,item_id,text,gold,prediction")
    first = json.loads(Path(files["finetune.jsonl"]).read_text(encoding="utf-8").splitlines()[0])
    assert [m["role"] for m in first["messages"]] == ["system", "user", "assistant"]
    assert first["messages"][2]["content"] in labels


def test_unlabelled_data_says_what_is_needed(tmp_path, samples) -> None:
    with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        _turn(graph, "classify messages as spam or ham, 90% accuracy")
        state, reply = _turn(graph, "", [workspace.keep_upload("journey", samples["no_label.csv"], "no_label.csv")])
        assert state["dataset"]["label_column"] is None and not state.get("plan")
        assert "no label column" in reply
        state, reply = _turn(graph, "go")
        assert not state.get("results") and "labelled data" in reply


def test_silver_labels_from_the_strongest_configured_model(tmp_path, monkeypatch) -> None:
    labels = ("negative", "positive")
    data = tmp_path / "unlabelled.csv"
    data.write_text("text\n" + "\n".join(f"review {i} says it is [{labels[i % 2]}]" for i in range(80)) + "\n")
    with configured_stub(tmp_path, monkeypatch, labels) as stub, SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        _turn(graph, "classify reviews as positive or negative, 70% accuracy")
        state, reply = _turn(graph, "", [workspace.keep_upload("journey", data, "unlabelled.csv")])
        assert "say *silver labels* and stub-llm" in reply
        state, reply = _turn(graph, "silver labels please")
        assert stub.stats.completions == 80
        silver = state["dataset"]["silver"]
        assert silver["by"] == "stub-llm" and silver["rows"] == 80 and "Silver labels" in reply
        assert "Labels are silver labels from stub-llm" in reply  # the plan follows in the same turn
        assert "stub-llm made the silver labels" in reply and "stub-llm" not in state["plan"]["candidates"]
        _turn(graph, "drop smollm2-135m")
        state, reply = _turn(graph, "go")
        assert "Measured against silver labels from stub-llm" in reply
        assert [r["candidate"] for r in state["results"]] == ["tfidf-logreg"]


def test_silver_labels_offline_say_what_is_needed(tmp_path, samples) -> None:
    with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        _turn(graph, "classify messages as spam or ham, 90% accuracy")
        _, reply = _turn(graph, "", [workspace.keep_upload("journey", samples["no_label.csv"], "no_label.csv")])
        assert "none is configured here" in reply
        state, reply = _turn(graph, "silver labels")
        assert "No model endpoint is configured" in reply and not state["dataset"].get("silver")


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ["classify SMS messages as spam or ham", "a missed spam costs us $1, a wrongly blocked real message costs "
            "$20", "about 20000 messages a day, no cost limit, no latency limit"]),
    ("zh", ["把短信分成垃圾短信和正常短信", "漏判一条垃圾短信损失1美元，误杀一条正常短信损失20美元",
            "每天大约两万条，成本和延迟都没有限制"]),
])
def test_error_costs_from_the_interview_rank_by_total_cost(tmp_path, lang, words) -> None:
    with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        replies = [_turn(graph, text)[1] for text in words]
        assert ("Error costs noted" if lang == "en" else "已记下错误的代价") in replies[1]
        assert not any("accuracy do you need" in r or "准确率" in r for r in replies[1:])  # error costs answer that
        state, reply = _turn(graph, "", [workspace.keep_upload("journey", DATASETS / "sms_spam.csv", "sms_spam.csv")])
        assert state["plan"]["eval_config"]["error_costs"]["pairs"] == {"spam->ham": 1.0, "ham->spam": 20.0}
        assert ("'spam' read as 'ham' $1" in reply) if lang == "en" else ("把“spam”判成“ham” $1" in reply)
        _turn(graph, "drop smollm2-135m" if lang == "en" else "去掉 smollm2-135m")
        state, reply = _turn(graph, "go" if lang == "en" else "跑吧")
    row = state["results"][0]
    assert row["total_cost_per_1k_usd"] == pytest.approx(row["error_cost_per_1k_usd"])  # a free model: errors only
    assert state["recommendation"]["reasons"][0]["id"] == "rec.lowest_total"
    assert ("lowest total cost" in reply and "a month" in reply) if lang == "en" else ("总成本最低" in reply and "每月" in reply)


def test_pilot_runs_the_strongest_alone_then_go_reuses_its_answers(tmp_path, monkeypatch) -> None:
    labels = ("ham", "spam")
    with configured_stub(tmp_path, monkeypatch, labels) as stub, SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        _turn(graph, "classify SMS messages as spam or ham, 90% accuracy, no cost limit, no latency limit")
        state, reply = _turn(graph, "", [workspace.keep_upload("journey", DATASETS / "sms_spam.csv", "sms_spam.csv")])
        assert "say *pilot* to run stub-llm alone on the first 50 items (100 calls" in reply
        _turn(graph, "drop smollm2-135m")
        assert stub.stats.completions == 0  # nothing is spent before an explicit yes
        state, reply = _turn(graph, "pilot")
        assert stub.stats.completions == 100 and "Pilot: stub-llm" in reply and not state.get("results")
        assert "looks reachable" in reply or "stays below" in reply
        state, reply = _turn(graph, "go")
        assert state["results"] and max(stub.stats.served_per_text.values()) <= 2  # no item asked twice per technique
        rows = {(r["candidate"], r["shots"]): r for r in state["results"]}
        assert rows[("stub-llm", 0)]["items"] >= 50


def test_a_plan_times_the_local_models_with_a_short_probe_and_never_calls_a_paid_one(tmp_path, workspace_home,
                                                                                    monkeypatch) -> None:
    monkeypatch.setenv("MODELPICK_TIMING_PROBE", "1")
    with configured_stub(tmp_path, monkeypatch, ("ham", "spam")) as stub, \
            SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        _turn(graph, "classify SMS messages as spam or ham, 90% accuracy, no cost limit, no latency limit")
        upload = [workspace.keep_upload("journey", DATASETS / "sms_spam.csv", "sms_spam.csv")]
        state, reply = _turn(graph, "", upload)
        expected = state["plan"]["expected_time"]
        assert set(expected["probed"]) == {"tfidf-logreg", "smollm2-135m"}
        assert expected["unmeasured"] == ["stub-llm"]  # a paid endpoint is never probed before "go"
        assert stub.stats.completions == 0
        assert "10-item timing probe of tfidf-logreg, smollm2-135m" in reply and "plus stub-llm" in reply
        # adaptive: from every row decided at the first look (75 items) to none decided early (150)
        assert re.search(r"Expected time: \d+ (?:s|min) to \d+ (?:s|min) \(adaptive", reply), reply
        # one eval size (150, the adaptive cap), and how to be as sure as the power sentence says
        assert "you need about 283 items" in reply and "say *use 283 items*" in reply
        db = sqlite3.connect(workspace_home / "runs.sqlite")
        probed = {row[0] for row in db.execute("SELECT r.item_id FROM results r JOIN runs USING (run_id) "
                                               "WHERE runs.status = 'timing probe'")}
        assert len(probed) == 10 and db.execute("SELECT COUNT(*) FROM cache").fetchone()[0] == 0
        db.close()
        from tools.evaluation.config import EvalConfig, prepare

        the_split, *_ = prepare(EvalConfig(**state["plan"]["eval_config"]))
        assert probed <= {item.id for item in the_split.train_pool}  # never an eval or few-shot item
        state, reply = _turn(graph, "use 40 items")  # a revised plan does not probe again
        assert "probed" not in state["plan"]["expected_time"] and _calls(workspace_home)[1] == 1
        assert "Expected time: about" in reply or "Expected time: under a second" in reply


@pytest.mark.parametrize(("lang", "ask", "named"), [("en", "try 3 retrieved examples", "3 retrieved examples"),
                                                    ("zh", "试试 3 个检索示例", "3 个检索示例")])
def test_retrieved_examples_from_the_chat_are_measured_beside_drawn_ones(tmp_path, monkeypatch, lang, ask,
                                                                         named) -> None:
    from tests.test_examples import TOPICS, _items

    data = tmp_path / "topics.csv"
    data.write_text("text,label\n" + "\n".join(f"{i.text},{i.label}" for i in _items()) + "\n")
    brief = ("classify notes into sport, food and money, 80% accuracy, no cost limit, no latency limit" if lang == "en"
             else "把笔记分成 sport、food 和 money 三类，准确率80%，不限成本，不限延迟")
    with configured_stub(tmp_path, monkeypatch, tuple(sorted(TOPICS)), copy_nearest_example=True), \
            SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        _turn(graph, brief)
        _turn(graph, "", [workspace.keep_upload("journey", data, "topics.csv")])
        _turn(graph, "drop smollm2-135m")
        _turn(graph, "drop tfidf-logreg")
        state, reply = _turn(graph, ask)
        assert state["plan"]["shots"] == [0, 3, -3] and named in reply
        state, reply = _turn(graph, "go" if lang == "en" else "开始")
    rows = {r["shots"]: r for r in state["results"]}
    assert rows[-3]["technique"] == "retrieved-k-shot" and rows[-3]["accuracy"] > rows[3]["accuracy"]
    assert named in reply


@pytest.mark.parametrize(("lang", "ask", "planned", "named"), [
    ("en", "distil stub-llm", "Distillation: stub-llm labels 500 train-pool rows", "trained on stub-llm's labels"),
    ("zh", "用 stub-llm 蒸馏", "蒸馏：stub-llm 给训练池里的 500 条数据打标签", "用 stub-llm 的标签训练")])
def test_distillation_from_the_chat_is_planned_priced_and_measured(tmp_path, monkeypatch, lang, ask, planned,
                                                                   named) -> None:
    from tests.test_distil import LABELS, _data

    brief = ("classify tickets into billing, bugs and sales, 80% accuracy, no cost limit, no latency limit"
             if lang == "en" else "把工单分成 billing、bugs 和 sales 三类，准确率80%，不限成本，不限延迟")
    with configured_stub(tmp_path, monkeypatch, LABELS, accuracies={"stub-model": 0.8}) as stub, \
            SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        _turn(graph, brief)
        _turn(graph, "", [workspace.keep_upload("journey", _data(tmp_path), "tickets.csv")])
        _turn(graph, "drop smollm2-135m")
        state, reply = _turn(graph, ask)
        assert planned in reply and state["plan"]["distil"] == ["stub-llm"] and state["plan"]["distil_cost_usd"] > 0
        assert stub.stats.completions == 0  # nothing is spent before "go"
        state, reply = _turn(graph, "go" if lang == "en" else "开始")
    rows = {r["candidate"]: r for r in state["results"]}
    assert rows["distilled-stub-llm"]["cost_per_1k_usd"] == 0 and rows["distilled-stub-llm"]["accuracy"] >= 0.9
    assert rows["distilled-stub-llm"]["stopped"] is None  # it answered every item: not an adaptive row
    assert named in reply


def test_the_plan_prices_endpoints_at_their_settings_and_shows_unpriced_ones(tmp_path, monkeypatch) -> None:
    """An endpoint's own price (its settings) forecasts its rows like a catalog price, cited as the user's; an
    endpoint without a price still has its rows in the table, with "—" for what cannot be known."""
    with configured_stub(tmp_path, monkeypatch, ("ham", "spam")) as stub, \
            SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        candidates = tmp_path / "candidates.yaml"
        candidates.write_text(candidates.read_text() + "- " + json.dumps(
            {"id": "unpriced-llm", "base_url": stub.url, "model": "house-model"}) + "\n")
        graph = compile_graph(saver)
        _turn(graph, "classify SMS messages as spam or ham, 90% accuracy, no cost limit, no latency limit")
        state, reply = _turn(graph, "", [workspace.keep_upload("journey", DATASETS / "sms_spam.csv", "sms_spam.csv")])
        _turn(graph, "add unpriced-llm")
        state, reply = _turn(graph, "use 200 items")
    rows = {(f["model_id"], f["shots"]): f for f in state["plan"]["forecasts"]}
    priced = rows[("stub-llm", 0)]
    assert priced["price_source"] == "endpoint:stub-llm" and priced["as_of"] is None
    assert priced["cost_per_1k_usd"] > 0 and priced["eval_cost_usd"] == pytest.approx(priced["cost_per_1k_usd"] / 5)
    assert "the price set for stub-llm in your settings |" in reply
    unpriced = rows[("unpriced-llm", 0)]
    assert unpriced["cost_per_1k_usd"] is None and unpriced["price_source"] is None
    assert "| unpriced-llm | zero-shot | — | — | — | no price: give one in the endpoint's settings |" in reply
    assert stub.stats.completions == 0
