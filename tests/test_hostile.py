"""The hostile corpus (tests/hostile.py, 65 generated files) through the data layer, one chat conversation and
`modelpick eval`: no traceback, no hang, one specific message each, in both languages; bounded memory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver
from typer.testing import CliRunner

from agent.graph import compile_graph, new_replies, reply_text, turn_input
from cli.main import app
from core import workspace
from core.language import detect_language
from tests.hostile import build
from tools.data.read import DataError, NeedsChoice
from tools.data.tables import read_dataset
from words.catalog import render

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = {  # file → the message id it must get ("ok": read, with a profile)
    "empty.csv": "data.empty", "spaces.csv": "data.blank", "header_only.csv": "data.header_only",
    "delimiters.csv": "data.delimiters_only", "random.bin.csv": "data.binary", "png.csv": "data.binary_kind",
    "old.xls": "data.xls", "damaged.xlsx": "data.bad_xlsx", "utf16le.csv": "ok", "utf16be.csv": "ok",
    "utf16le_bom.csv": "ok", "gbk.csv": "ok", "one_nul.csv": "ok", "many_nuls.csv": "data.binary",
    "long_cell.csv": "data.cell_too_long", "deep_array.json": "data.json_depth", "deep_object.json": "data.json_depth",
    "deep_line.jsonl": "data.json_line_depth", "nan_labels.jsonl": "ok", "object_no_list.json": "data.json_object",
    "numbers.json": "data.json_not_objects", "bad_line.jsonl": "data.bad_json_line", "ragged.csv": "data.ragged",
    "one_class.csv": "data.one_class", "two_hundred_classes.csv": "ok",
    "ten_thousand_labels.csv": "data.too_many_labels", "ten_kb_labels.csv": "data.label_too_long",
    "injection_labels.csv": "ok", "formula_labels.xlsx": "data.formula_labels",
    "conflicting_duplicates.csv": "data.conflicts_leave_one_class", "numeric_columns.csv": "data.no_text_column",
    "zip_not_xlsx.xlsx": "data.not_xlsx", "zip_bomb.xlsx": "data.zip_bomb", "sheets.xlsx": "data.choose_sheet",
    "empty_sheets.xlsx": "data.empty_sheets", "header_only.xlsx": "data.sheet_header_only",
    "ten_thousand_columns.csv": "data.choose_label_column", "formulas.csv": "ok", "semicolons.csv": "ok",
    "mixed_encodings.csv": "ok",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return build(tmp_path_factory.mktemp("hostile"))


def test_every_file_gets_a_profile_or_one_specific_message_in_both_languages(corpus) -> None:
    assert len(corpus) >= 60
    outcomes = {}
    for name, path in corpus.items():
        started = time.monotonic()
        try:
            read_dataset(str(path), display_name=name)
            outcomes[name] = "ok"
        except (DataError, NeedsChoice) as problem:
            outcomes[name] = problem.id
            english, chinese = render(problem, "en"), render(problem, "zh")
            assert 20 < len(english) < 600 and 10 < len(chinese) < 600, name
            assert detect_language(chinese) == "zh", name
        assert time.monotonic() - started < 20, name  # no hang
    assert {name: outcomes[name] for name in EXPECTED} == EXPECTED


def test_one_conversation_survives_every_file(corpus, tmp_path) -> None:
    with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        config = {"configurable": {"thread_id": "hostile"}}
        graph.invoke(turn_input("classify SMS messages as spam or ham, 90% accuracy"), config)
        for name, path in corpus.items():
            state = graph.invoke(turn_input("", [workspace.keep_upload("hostile", path, name)]), config)
            replies = new_replies(state)
            assert replies and all(reply_text(r).strip() for r in replies), name
            assert all(len(reply_text(r)) < 12_000 for r in replies), name
        state = graph.invoke(turn_input("what do you know so far?"), config)
        assert "90%" in reply_text(new_replies(state)[-1])  # nothing earlier was lost


def test_eval_gives_one_error_line_never_a_traceback(corpus) -> None:
    runner = CliRunner()
    for name, path in corpus.items():
        result = runner.invoke(app, ["eval", "--data", str(path), "--candidates", "tfidf-logreg", "--eval-size", "10"])
        assert result.exit_code in (0, 1), (name, result.output[-500:])
        assert "Traceback" not in result.output, name
        if result.exit_code == 1:
            errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
            assert len(errors) == 1, (name, result.output[-500:])


@pytest.mark.slow
def test_peak_memory_of_the_biggest_uploads_stays_bounded(tmp_path) -> None:
    """A 553k-row CSV (over the row limit) and a file over the size limit, each in a fresh process: peak RSS."""
    big = build(tmp_path / "big", big=True)
    for name in ("rows_553k.csv", "over_size.csv", "rows_190k_110mb.xlsx"):
        # VmHWM is this address space's peak (ru_maxrss would carry pytest's own peak across exec on Linux).
        code = ("from tools.data.tables import read_dataset\nfrom tools.data.read import DataError\n"
                f"try:\n    print(read_dataset({str(big[name])!r})['rows'])\nexcept DataError as e:\n    print(e.id)\n"
                "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))")
        env = {**os.environ, "MODELPICK_HOME": str(tmp_path / "home")}
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=120)
        assert out.returncode == 0, out.stderr[-500:]
        problem, peak_kb = out.stdout.split()[-2], int(out.stdout.split()[-1])
        print(f"{name}: {problem}, peak RSS {peak_kb / 1024:.0f} MB")
        assert problem in ("data.too_many_rows_at_least", "data.too_large", "190000")
        assert peak_kb / 1024 < 600


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ten_thousand_labels.csv", "ten_kb_labels.csv"])
def test_hostile_label_sets_are_refused_by_chat_and_eval_alike_in_bounded_memory(corpus, tmp_path, name) -> None:
    """The same verdict through both doors, each in a fresh process whose peak RSS (VmHWM) is recorded."""
    path = corpus[name]
    chat = ("from agent.graph import compile_graph, new_replies, reply_text, turn_input\n"
            "from langgraph.checkpoint.memory import InMemorySaver\nfrom core import workspace\n"
            "g = compile_graph(InMemorySaver())\nc = {'configurable': {'thread_id': 't'}}\n"
            "g.invoke(turn_input('classify messages, 90% accuracy'), c)\n"
            f"s = g.invoke(turn_input('', [workspace.keep_upload('t', {str(path)!r}, {name!r})]), c)\n"
            "print(repr(reply_text(new_replies(s)[-1])[:600]))\n")
    evaluate = ("import sys\nfrom cli.main import app\n"
                f"sys.argv = ['modelpick', 'eval', '--data', {str(path)!r}, '--candidates', 'tfidf-logreg']\n"
                "try:\n    app()\nexcept SystemExit as e:\n    print('exit', e.code)\n")
    peak = ("\nprint(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))")
    env = {**os.environ, "MODELPICK_HOME": str(tmp_path / "home")}
    outputs = {}
    for door, code in (("chat", chat), ("eval", evaluate)):
        out = subprocess.run([sys.executable, "-c", code + peak], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=300)
        assert out.returncode == 0, out.stderr[-800:]
        peak_kb = int(out.stdout.split()[-1])
        print(f"{name} via {door}: peak RSS {peak_kb / 1024:.0f} MB")
        assert peak_kb / 1024 < 600
        outputs[door] = out.stdout + out.stderr
    limit = "more than 200 distinct labels" if name.startswith("ten_thousand") else "characters long"
    assert limit in outputs["chat"] and limit in outputs["eval"]
    assert "label9999" not in outputs["chat"]  # never thousands of labels in a reply


def test_chat_and_eval_give_the_same_verdict_on_every_refused_file(corpus) -> None:
    """One truth per file: what the upload refuses, `modelpick eval` refuses with the same sentence."""
    runner = CliRunner()
    differ = []
    for name, path in corpus.items():
        try:
            read_dataset(str(path), display_name=path.name)
            continue
        except NeedsChoice:
            continue  # the chat asks; eval asks for the flag
        except DataError as problem:
            said = render(problem, "en")
        result = runner.invoke(app, ["eval", "--data", str(path), "--candidates", "tfidf-logreg", "--eval-size", "10"])
        if result.exit_code != 1 or said not in result.output:
            differ.append((name, said[:80], result.output[-200:]))
    assert differ == []


def test_a_label_block_that_would_not_fit_a_prompt_is_refused_before_any_call(tmp_path) -> None:
    """200 labels of 150 characters each pass the count and length limits but not the prompt's room."""
    from tools.data.evalset import EvalSetError
    from tools.evaluation.config import EvalConfig, prepare

    path = tmp_path / "long_labels.csv"
    path.write_text("text,label\n" + "".join(f"row {i} text,{'category name ' * 10}{i % 200}\n" for i in range(2000)))
    with pytest.raises(EvalSetError) as refused:
        prepare(EvalConfig(data=str(path), candidates=["tfidf-logreg"], eval_size=50))
    assert refused.value.id == "evalset.labels_too_long_for_prompt"
    assert "tokens in every prompt" in render(refused.value, "en")
