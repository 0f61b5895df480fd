"""An upload is parsed once: plan, re-plan, run, follow-ups and exports reuse the kept table (counted)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

import tools.data.tables
from agent.graph import compile_graph, new_replies, turn_input
from core import workspace
from tests.conftest import ROOT, packages_imported_by
from tools.data.tables import read_dataset, read_table

LABELS = ["negative", "positive"]


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """Every real parse of a file, recorded (the in-process cache starts empty)."""
    seen: list[str] = []
    real = tools.data.tables.load_table

    def counting(path, **kwargs):
        seen.append(Path(path).name)
        return real(path, **kwargs)

    monkeypatch.setattr(tools.data.tables, "load_table", counting)
    monkeypatch.setattr(tools.data.tables, "_memory", type(tools.data.tables._memory)())
    monkeypatch.setattr(tools.data.tables, "_profiles", type(tools.data.tables._profiles)())
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
    tools.data.tables._memory.clear()  # as a new process would start
    read_table(data)
    assert parses == ["a.csv", "a.csv"]  # from MODELPICK_HOME/parsed/, no parse


def test_a_profile_is_made_once_per_choice_of_columns_and_handed_out_as_a_copy(tmp_path, parses, monkeypatch) -> None:
    data = _data(tmp_path / "a.csv")
    profiled: list[str | None] = []
    real = tools.data.tables.profile_table

    def counting(table, columns, **kwargs):
        profiled.append(columns.label)
        return real(table, columns, **kwargs)

    monkeypatch.setattr(tools.data.tables, "profile_table", counting)
    first = read_dataset(data)
    first["warnings"].append({"id": "a caller's own note", "values": {}})
    first["label_counts"].clear()
    again = read_dataset(data)
    assert again["label_counts"] == {"negative": 120, "positive": 120} and again["warnings"] == []
    assert read_dataset(data, label_column="")["label_column"] is None
    assert profiled == ["label", None] and parses == ["a.csv"]
    _data(data, salt="-edited")  # other bytes: profiled again
    assert read_dataset(data)["rows"] == 240 and profiled == ["label", None, "label"]


def test_a_table_that_cannot_be_kept_costs_a_later_parse_and_nothing_else(tmp_path, parses, monkeypatch) -> None:
    data = _data(tmp_path / "a.csv")
    failures: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: failures.append(args.exc_value))

    def full_disk(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    real_dump = tools.data.tables.pickle.dump
    monkeypatch.setattr(tools.data.tables.pickle, "dump", full_disk)
    assert len(read_table(data).frame) == 240
    for writer in list(tools.data.tables._writing.values()):
        writer.join()
    assert [type(f) for f in failures] == [OSError]  # said, in the log
    assert list((workspace.home() / "parsed").glob("*")) == []  # no half-written file is left
    monkeypatch.setattr(tools.data.tables.pickle, "dump", real_dump)
    tools.data.tables._memory.clear()  # as a new process would start
    assert len(read_table(data).frame) == 240 and parses == ["a.csv", "a.csv"]  # parsed again ...
    for writer in list(tools.data.tables._writing.values()):
        writer.join()
    assert len(list((workspace.home() / "parsed").glob("*.pkl"))) == 1  # ... and kept this time


def test_profiling_and_splitting_an_upload_imports_no_sdk_no_pydantic_and_no_conversation_code(tmp_path) -> None:
    """What an upload costs a fresh process (`modelpick eval`, an app worker): the reader and the splitter only."""
    data = _data(tmp_path / "a.csv")
    code = ("from tools.evaluation.config import EvalConfig, prepare\nfrom tools.data.tables import read_dataset\n"
            f"read_dataset({str(data)!r}); prepare(EvalConfig(data={str(data)!r}, eval_size=60))")
    conversation_and_sdk = {"openai", "httpx", "pydantic", "langgraph", "langchain_core", "chainlit", "chromadb",
                            "sklearn"}
    assert packages_imported_by(code, conversation_and_sdk, tmp_path / "home") == []


def test_the_eval_sets_kept_in_a_process_are_let_go_before_its_last_collections(tmp_path) -> None:
    """At exit the splits kept in memory are emptied first (the interpreter's final garbage collections would
    otherwise walk every cached row): a handler registered before them sees the cache empty."""
    data = _data(tmp_path / "a.csv")
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print('kept at exit:', len(sys.modules['tools.evaluation.config']._prepared)))\n"
            "from tools.evaluation.config import EvalConfig, prepare\n"
            f"prepare(EvalConfig(data={str(data)!r}, eval_size=60))\n"
            "print('kept:', len(sys.modules['tools.evaluation.config']._prepared))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                         env={**os.environ, "MODELPICK_HOME": str(tmp_path / "home")})
    assert out.returncode == 0, out.stderr[-800:]
    assert out.stdout.split("\n")[:2] == ["kept: 1", "kept at exit: 0"]
