"""An upload is parsed once: plan, re-plan, run, follow-ups and exports reuse the kept table (counted)."""

from __future__ import annotations

from pathlib import Path

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

import tools.tables
from agent.graph import compile_graph, new_replies, turn_input
from core import workspace
from tools.tables import read_table

LABELS = ["negative", "positive"]


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """Every real parse of a file, recorded (the in-process cache starts empty)."""
    seen: list[str] = []
    real = tools.tables.load_table

    def counting(path, **kwargs):
        seen.append(Path(path).name)
        return real(path, **kwargs)

    monkeypatch.setattr(tools.tables, "load_table", counting)
    monkeypatch.setattr(tools.tables, "_memory", type(tools.tables._memory)())
    return seen


def _data(path: Path, n: int = 240, salt: str = "") -> Path:
    rows = ["text,label"] + [f"review {i}{salt} says it is [{LABELS[i % 2]}],{LABELS[i % 2]}" for i in range(n)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_one_parse_for_a_whole_conversation(tmp_path, parses) -> None:
    data = _data(tmp_path / "reviews.csv")
    turns = ["classify reviews as positive or negative, 80% accuracy, no cost limit, no latency limit", "/upload",
             "drop smollm2-135m", "use 60 items", "go", "show me the errors", "why not gpt-4o?",
             "what do you know so far?", "download the report", "actually we need 85%"]
    with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        for turn in turns:
            files = [workspace.keep_upload("t", data, data.name)] if turn == "/upload" else []
            state = graph.invoke(turn_input("" if files else turn, files), {"configurable": {"thread_id": "t"}})
            assert new_replies(state), turn
    assert state["results"] and state["exports"]
    assert parses == ["reviews.csv"]


def test_a_changed_file_is_parsed_again_and_a_new_process_reads_the_kept_table(tmp_path, parses) -> None:
    data = _data(tmp_path / "a.csv")
    read_table(data)
    read_table(data)
    assert parses == ["a.csv"]
    _data(data, salt="-edited")  # same name, other bytes
    assert len(read_table(data).frame) == 240
    assert parses == ["a.csv", "a.csv"]
    tools.tables._memory.clear()  # as a new process would start
    read_table(data)
    assert parses == ["a.csv", "a.csv"]  # from MODELPICK_HOME/parsed/, no parse
