"""Child processes die with their parent, however the parent ends — and leftovers of a crash are reaped.

A `modelpick` process killed with SIGKILL (or SIGTERM, which is what `docker stop` and systemd send) left its
llama.cpp server running under PID 1, holding a port and a core, forever. Three layers close that:
- the kernel: the child asks for SIGTERM when its parent dies (Linux `prctl(PR_SET_PDEATHSIG)`, set between
  fork and exec), and exits at once if the parent is already gone;
- the parent: SIGTERM becomes a normal exit (`exit_on_sigterm`), so `finally` blocks and `atexit` stop children;
- the workspace: every child is recorded in `run/children/` with its command and start time; at start the app
  and the CLI kill the recorded children whose parent is dead and which are provably the same process.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> Callable[[], None]:
    def preexec() -> None:  # runs in the child between fork and exec: async-signal-safe calls only
        if sys.platform.startswith("linux"):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took hold
            os._exit(1)
    return preexec


def _started(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (/proc/PID/stat field 22): with the pid, its identity."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _command(pid: int) -> list[str] | None:
    try:
        return [part.decode() for part in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if part]
    except OSError:
        return None


def alive(pid: int) -> bool:
    """Whether a process with this pid exists (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _started(pid) is not None or sys.platform != "linux"


def spawn(command: Sequence[str], *, registry: Path, **popen: Any) -> subprocess.Popen:
    """Start a child that dies with this process, recorded in `registry` until `forget` is called."""
    process = subprocess.Popen(list(command), preexec_fn=_die_with(os.getpid()), **popen)  # noqa: PLW1509
    registry.mkdir(parents=True, exist_ok=True)
    record = {"pid": process.pid, "parent": os.getpid(), "parent_started": _started(os.getpid()),
              "started": _started(process.pid), "command": list(command)}
    path = registry / f"{process.pid}.json"
    path.with_suffix(".partial").write_text(json.dumps(record))
    path.with_suffix(".partial").replace(path)
    return process


def stop(process: subprocess.Popen, registry: Path | None = None, grace_s: float = 10.0) -> None:
    """Ask a child to end, kill it if it has not within `grace_s`, and forget its record."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if registry is not None:
        forget(registry, process)


def forget(registry: Path, process: subprocess.Popen) -> None:
    with contextlib.suppress(OSError):
        (registry / f"{process.pid}.json").unlink()


def reap(registry: Path) -> list[int]:
    """Kill recorded children whose parent is gone and that are still the very process recorded (same pid,
    start time and command); forget the records of the rest that are gone. Returns the pids killed."""
    killed = []
    for path in sorted(registry.glob("*.json")) if registry.is_dir() else []:
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            path.unlink(missing_ok=True)
            continue
        parent_alive = alive(record["parent"]) and _started(record["parent"]) == record.get("parent_started")
        if parent_alive:
            continue
        pid = record["pid"]
        if alive(pid) and _started(pid) == record.get("started") and _command(pid) == record.get("command"):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            killed.append(pid)
        path.unlink(missing_ok=True)
    return killed


def exit_on_sigterm() -> None:
    """SIGTERM ends the process as an exit would (finally blocks and atexit run, so children are stopped)."""
    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    with contextlib.suppress(ValueError):  # only the main thread may set handlers
        signal.signal(signal.SIGTERM, handler)
