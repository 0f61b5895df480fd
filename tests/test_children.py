"""Children die with their parent on SIGKILL and SIGTERM, and the leftovers of a crash are reaped (issue 31)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core import children
from tests.conftest import DATASETS, ROOT


def _gone(pid: int, within_s: float = 5.0) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":  # exited, not yet reaped
            return True
        time.sleep(0.1)
    return False


PARENT = """
import subprocess, sys, time
from pathlib import Path
from core import children
process = children.spawn(["sleep", "300"], registry=Path(sys.argv[1]))
print(process.pid, flush=True)
time.sleep(300)
"""


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_child_dies_with_its_parent(tmp_path: Path, how: signal.Signals) -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path / "children")], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())  # type: ignore[union-attr]
    parent.send_signal(how)
    parent.wait(timeout=10)
    assert _gone(child), f"child {child} outlived its parent ({how.name})"


def test_reap_kills_only_recorded_children_of_a_dead_parent(tmp_path: Path) -> None:
    registry = tmp_path / "children"
    registry.mkdir()
    orphan = subprocess.Popen(["sleep", "300"], start_new_session=True)
    impostor = subprocess.Popen(["sleep", "301"], start_new_session=True)
    dead_parent = subprocess.Popen(["true"])
    dead_parent.wait()
    for process, started in ((orphan, children._started(orphan.pid)), (impostor, "0")):  # "0": another process
        (registry / f"{process.pid}.json").write_text(json.dumps({
            "pid": process.pid, "parent": dead_parent.pid, "parent_started": "1", "started": started,
            "command": ["sleep", str(process.args[1])]}))  # type: ignore[index]
    try:
        assert children.reap(registry) == [orphan.pid]
        orphan.wait(timeout=5)
        assert impostor.poll() is None  # not provably ours: left alone
        assert list(registry.glob("*.json")) == []
    finally:
        impostor.kill()
        orphan.kill()


def _servers_of(home: Path, program: bytes = b"llama_cpp.server") -> list[int]:
    """Processes of `program` started for this workspace (their environment names it)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if program in command and f"MODELPICK_HOME={home}".encode() in environ and state != "Z":
            found.append(int(proc.name))
    return found


def _no_server_after(process: subprocess.Popen, home: Path, how: signal.Signals, wait_s: float, who: str) -> None:
    """Wait for the workspace's local server, send `how` to `process` mid-run, and assert the server is gone 5 s
    later (leftovers are killed whatever the assertion finds)."""
    try:
        deadline = time.monotonic() + wait_s
        while not _servers_of(home):
            assert process.poll() is None and time.monotonic() < deadline, "the local model never started"
            time.sleep(0.2)
        servers = _servers_of(home)
        time.sleep(1.0)  # mid-run: the server is answering
        process.send_signal(how)
        process.wait(timeout=20)
        assert all(_gone(pid) for pid in servers), f"{how.name}{who} left {servers} running"
    finally:
        for pid in _servers_of(home):
            os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_killing_modelpick_eval_leaves_no_local_server(tmp_path: Path, how: signal.Signals) -> None:
    home = tmp_path / "home"
    data = tmp_path / "data.csv"
    rows = (DATASETS / "sentiment_uci_labelled_sentences.csv").read_text().splitlines()[:301]
    data.write_text("\n".join(rows) + "\n")
    env = {**os.environ, "MODELPICK_HOME": str(home), "MODELPICK_TIMING_PROBE": "0"}
    log = (tmp_path / "eval.log").open("w")
    process = subprocess.Popen([str(Path(sys.executable).parent / "modelpick"), "eval", "--data", str(data),
                                "--candidates", "smollm2-135m", "--eval-size", "100"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    _no_server_after(process, home, how, wait_s=120, who="")


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_killing_modelpick_chat_mid_run_leaves_no_local_server(tmp_path: Path, how: signal.Signals) -> None:
    """The chat's door: brief, upload, go — then SIGKILL while the local model answers."""
    home = tmp_path / "home"
    data = tmp_path / "data.csv"
    rows = (DATASETS / "sentiment_uci_labelled_sentences.csv").read_text().splitlines()[:301]
    data.write_text("\n".join(rows) + "\n")
    script = tmp_path / "turns.txt"
    script.write_text("classify reviews as positive or negative, 90% accuracy\nnone\n/upload " + str(data) +
                      "\ndrop the baseline\ngo\n")
    env = {**os.environ, "MODELPICK_HOME": str(home), "MODELPICK_TIMING_PROBE": "0"}
    process = subprocess.Popen([str(Path(sys.executable).parent / "modelpick"), "chat", "--script", str(script)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _no_server_after(process, home, how, wait_s=180, who=" of modelpick chat")
