"""The conversation through the compiled graph, with the real SQLite checkpointer."""

from __future__ import annotations

from pathlib import Path

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

from agent.graph import compile_graph, decide, missing_field, new_replies, turn_input
from agent.state import Brief
from core import workspace
from tests.conftest import DATASETS


def _turn(graph, thread: str, text: str, files: list[dict] | None = None) -> tuple[dict, str]:
    config = {"configurable": {"thread_id": thread}}
    state = graph.invoke(turn_input(text, files), config)
    return state, "\n\n".join(m.content for m in new_replies(state))


def _upload(thread: str, path) -> list[dict]:
    return [workspace.keep_upload(thread, path, path.name)]


def test_scripted_interview_and_upload_survive_a_restart(tmp_path) -> None:
    db = str(tmp_path / "checkpoints.sqlite")
    with SqliteSaver.from_conn_string(db) as saver:
        graph = compile_graph(saver)
        _, reply = _turn(graph, "t1", "We want to classify SMS messages as spam or ham")
        assert "accuracy" in reply.lower()
        _, reply = _turn(graph, "t1", "a right answer saves $50, a wrong one costs $300")
        assert "85.7%" in reply
        _, reply = _turn(graph, "t1", "90%")
        assert "1,000 items" in reply  # the next question is the cost ceiling, not accuracy again
        _, reply = _turn(graph, "t1", "under $5 per 1000")
        assert "fast" in reply.lower()
    # Close the checkpointer, open a new one on the same file: the conversation goes on where it was.
    with SqliteSaver.from_conn_string(db) as saver:
        graph = compile_graph(saver)
        state, reply = _turn(graph, "t1", "2 s")
        assert state["brief"]["accuracy_target"] == 0.9 and state["brief"]["max_latency_s"] == 2
        assert "how many items a day" in reply.lower()
        _turn(graph, "t1", "10k a day")
        _turn(graph, "t1", "none")
        state, reply = _turn(graph, "t1", "", _upload("t1", DATASETS / "sms_spam.csv"))
        assert "5,574" in reply and "ham" in reply and "spam" in reply
        assert state["dataset"]["label_counts"] == {"ham": 4827, "spam": 747}
        assert state["brief"]["labels"] == ["ham", "spam"]
        assert not state["files"]  # consumed: the next turn does not re-profile
        state, reply = _turn(graph, "t1", "what do you know so far?")
        assert "85.7%" in reply and "10,000 / day" in reply and "sms_spam.csv" in reply
        assert "| Topic | So far |" in reply  # the table's header names its columns (never a blank bar)
        # Rows never live in the state: only the profile and a path into the workspace.
        assert "Go until jurong point" not in str(state)


def test_a_bad_file_loses_nothing_and_a_later_good_file_works(tmp_path, samples) -> None:
    with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        _turn(graph, "t2", "classify reviews, 90% accuracy")
        state, _ = _turn(graph, "t2", "", _upload("t2", DATASETS / "sentiment_uci_labelled_sentences.csv"))
        assert state["dataset"]["rows"] == 3000
        state, reply = _turn(graph, "t2", "", _upload("t2", samples["binary.csv"]))
        assert "binary file" in reply and "Everything earlier" in reply
        assert state["dataset"]["rows"] == 3000 and state["brief"]["accuracy_target"] == 0.9
        state, reply = _turn(graph, "t2", "", _upload("t2", samples["one_class.csv"]))
        assert "one class only" in reply and state["dataset"]["rows"] == 3000
        assert len(state["uploads"]) == 1  # only files that were read are the dataset's uploads


def test_sheet_choice_is_asked_then_used(tmp_path, samples) -> None:
    with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        state, reply = _turn(graph, "t3", "", _upload("t3", samples["sheets.xlsx"]))
        assert "Train" in reply and "Test" in reply and state["pending"]["kind"] == "sheet"
        state, reply = _turn(graph, "t3", "Test")
        assert state["dataset"]["sheet"] == "Test" and "sheet Test" in reply


def test_the_user_can_name_the_label_column(tmp_path, samples) -> None:
    with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        state, reply = _turn(graph, "t4", "", _upload("t4", samples["two_labels.csv"]))
        assert state["pending"]["kind"] == "label_column"
        state, _ = _turn(graph, "t4", "priority")
        assert state["dataset"]["label_column"] == "priority"
        state, _ = _turn(graph, "t4", "the label column is topic")
        assert state["dataset"]["label_column"] == "topic"
        assert state["brief"]["labels"] == ["card", "transfer"]


def test_chinese_conversation_is_answered_in_chinese(tmp_path) -> None:
    with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        state, reply = _turn(graph, "t5", "把新闻分成真假，准确率九成")
        assert state["language"] == "zh" and "已记下" in reply and "每千条" in reply
        state, reply = _turn(graph, "t5", "便宜点")
        assert "每千条" in reply  # unclear → a specific follow-up in Chinese
        state, reply = _turn(graph, "t5", "总结一下")
        assert "准确率目标 | 90%" in reply


def test_vague_answer_gets_a_specific_follow_up_and_is_not_guessed(tmp_path) -> None:
    with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        _turn(graph, "t6", "classify tickets into billing, bugs and sales")
        state, reply = _turn(graph, "t6", "as high as possible")
        assert state["brief"]["accuracy_target"] is None and "85%" in reply


def test_never_reasks_what_it_knows() -> None:
    brief = Brief(use_case="x", task_type="classification", labels=["a", "b"], accuracy_target=0.9)
    assert missing_field(brief, [], []) == "max_cost_per_1k_usd"
    assert missing_field(brief, ["max_cost_per_1k_usd", "max_latency_s"], []) == "volume_per_day"
    full = brief.model_copy(update={"max_cost_per_1k_usd": 1, "max_latency_s": 1, "volume_per_day": 1})
    assert missing_field(full, [], ["constraints"]) is None


@pytest.mark.parametrize(("state", "action"), [
    ({"files": [{"path": "x", "name": "x"}]}, "profile_data"),
    ({"update": {"intent": "summary"}}, "answer"),
    ({"update": {"intent": "none"}}, "ask"),
    ({"update": {"sheet": "A"}, "pending": {"file": {"path": "x"}}}, "profile_data"),
])
def test_decide_is_a_pure_function_of_state(state, action) -> None:
    assert decide(state) == action


def test_uploads_are_kept_per_thread_and_never_overwritten(samples, tmp_path) -> None:
    first = workspace.keep_upload("thread/../x", samples["formula.csv"], "formula.csv")
    again = workspace.keep_upload("thread/../x", samples["formula.csv"], "formula.csv")
    assert again["path"] == first["path"]  # the same bytes in the same conversation: kept once
    other = tmp_path / "formula.csv"
    other.write_bytes(samples["formula.csv"].read_bytes() + b"one more,row\n")
    second = workspace.keep_upload("thread/../x", other, "formula.csv")
    assert first["path"] != second["path"] and first["name"] == second["name"] == "formula.csv"
    uploads = workspace.home() / "uploads" / workspace.LOCAL_USER
    for record, source in ((first, samples["formula.csv"]), (second, other)):
        assert Path(record["path"]).parent.parent == uploads  # a hostile thread id cannot climb out
        assert Path(record["path"]).read_bytes() == source.read_bytes()  # never overwritten


def test_the_words_sent_with_a_file_never_replace_the_use_case(tmp_path, samples) -> None:
    with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        _turn(graph, "f1", "classify messages as spam or ham, 90% accuracy")
        state, reply = _turn(graph, "f1", "this one has no labels, can you label it?",
                             _upload("f1", samples["no_label.csv"]))
    assert state["brief"]["use_case"] == "classify messages as spam or ham"  # the targets are read on their own
    assert "no label column" in reply
