"""`modelpick chat --script … --json OUT`: the installed console script, end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cli.chat import parse_script_line
from tests.conftest import DATASETS

BRIEF_KEYS = {"use_case", "task_type", "labels", "accuracy_target", "max_cost_per_1k_usd", "max_latency_s",
              "volume_per_day", "value_per_correct_usd", "cost_per_error_usd", "break_even_accuracy", "constraints"}


def _run(tmp_path: Path, script: str) -> tuple[subprocess.CompletedProcess, dict]:
    script_file = tmp_path / "script.txt"
    script_file.write_text(script, encoding="utf-8")
    out = tmp_path / "out.json"
    exe = Path(sys.executable).parent / "modelpick"
    proc = subprocess.run([str(exe), "chat", "--script", str(script_file), "--json", str(out)],
                          capture_output=True, text=True, timeout=120, env=os.environ.copy())
    return proc, json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}


def test_script_lines() -> None:
    assert parse_script_line("  # comment") is None
    assert parse_script_line("   ") is None
    assert parse_script_line("/upload data/x.csv") == ("", ["data/x.csv"])
    assert parse_script_line(" 90% ") == ("90%", [])


def test_scripted_chat_writes_the_pinned_json(tmp_path) -> None:
    proc, result = _run(tmp_path, f"""
# English interview, then an upload
classify SMS messages as spam or ham
a right answer saves $50, a wrong one costs $300

90%
under $5 per 1000
500 ms
10k a day
must run on-prem
/upload {DATASETS / 'sms_spam.csv'}
""")
    assert proc.returncode == 0, proc.stderr
    assert "5,574" in proc.stdout
    assert set(result["brief"]) == BRIEF_KEYS
    brief = result["brief"]
    assert brief["task_type"] == "classification" and brief["labels"] == ["ham", "spam"]
    assert brief["accuracy_target"] == 0.9 and brief["max_cost_per_1k_usd"] == 5 and brief["max_latency_s"] == 0.5
    assert brief["volume_per_day"] == 10000 and brief["break_even_accuracy"] == 0.8571
    assert brief["constraints"] == ["on-prem"]
    assert result["language"] == "en"
    dataset = result["dataset"]
    assert dataset["rows"] == 5574 and dataset["text_column"] == "text" and dataset["label_column"] == "label"
    assert dataset["label_counts"] == {"ham": 4827, "spam": 747}


def test_scripted_chat_in_chinese_with_unlabelled_data(tmp_path, samples) -> None:
    proc, result = _run(tmp_path, f"把新闻分成真假\n准确率九成\n/upload {samples['no_label.csv']}\n总结一下\n")
    assert proc.returncode == 0, proc.stderr
    assert result["language"] == "zh" and result["brief"]["accuracy_target"] == 0.9
    assert result["dataset"]["label_column"] is None and "没有标签列" in proc.stdout


def test_missing_upload_path_is_a_clear_line_and_the_chat_goes_on(tmp_path) -> None:
    proc, result = _run(tmp_path, "/upload /nonexistent/file.csv\n90%\n")
    assert proc.returncode == 0
    assert "No file at /nonexistent/file.csv" in proc.stdout
    assert result["brief"]["accuracy_target"] == 0.9 and result["dataset"] is None
