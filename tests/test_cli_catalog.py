"""`modelpick catalog …` through the installed console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

EXE = str(Path(sys.executable).parent / "modelpick")
PINNED = {"id", "provider", "display_name", "open_weights", "context_window", "max_output_tokens",
          "input_usd_per_1m", "output_usd_per_1m", "source", "as_of"}


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, "catalog", *args], capture_output=True, text=True, timeout=180, env=os.environ.copy())


def test_show_json_has_the_pinned_keys() -> None:
    proc = _run("show", "openai/gpt-4o-mini", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) >= PINNED
    assert data["id"] == "gpt-4o-mini" and data["input_usd_per_1m"] == 0.15 and data["source"].startswith("https://")


def test_show_unknown_model_suggests_and_fails() -> None:
    proc = _run("show", "claude-haiku-4.5x")
    assert proc.returncode == 1 and "Did you mean" in proc.stderr and "claude-haiku-4-5" in proc.stderr


def test_search_returns_cited_hits_and_bad_queries_fail_clearly() -> None:
    proc = _run("search", "可以本地部署的开源模型", "--k", "3", "--json")
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout)
    assert len(hits) == 3 and all(h["source"] and h["as_of"] for h in hits)
    empty = _run("search", "  ")
    assert empty.returncode == 2 and "Empty query" in empty.stderr
    nothing = _run("search", "cheap", "--provider", "openai", "--min-context", "50000000")
    assert nothing.returncode == 1 and "min_context=50000000" in nothing.stderr


def test_refresh_offline_keeps_the_shipped_table() -> None:
    env = {**os.environ, "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    proc = subprocess.run([EXE, "catalog", "refresh"], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0 and "kept the shipped price table" in proc.stdout
