"""Many people on one app: N concurrent Chainlit socket clients doing a guided interview — not a test.

Each session logs in as the app's browser does (the form-free local login, or a user per session with
`--users`), connects the Socket.IO client the web page uses, and sends the interview's turns one after another;
a turn's latency is from sending the message to the app's `task_end`. Printed: p50 / p95 turn latency with N
sessions at once, the same with one session alone (the baseline, measured in the same run) and their ratio, and
a check that no session ever received another session's answers (each brief names its own labels).
Target (issue 15): 20 sessions, p95 < 1 s on 2 cores.

Run: `.venv/bin/python bench/sessions.py [--sessions 20] [--users]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import chainlit_server  # noqa: E402

TURNS = ["classify support tickets into {a}, {b} and {c}, 90% accuracy", "under $5 per 1000", "2 s", "10k a day",
         "none", "what do you know so far?"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def login(http, url: str, user: str | None) -> str:
    """The access-token cookie the browser would hold."""
    if user is None:
        response = await http.post(url + "/auth/header")
    else:
        response = await http.post(url + "/login", data={"username": user, "password": f"{user}-password"})
    response.raise_for_status()
    return response.cookies["access_token"].value


async def session(url: str, index: int, user: str | None, latencies: list[float], leaks: list[str]) -> None:
    import aiohttp

    labels = {"a": f"alpha{index}x", "b": f"beta{index}x", "c": f"gamma{index}x"}
    async with aiohttp.ClientSession() as http:
        token = await login(http, url, user)
        await converse(http, url, index, user, token, labels, latencies, leaks)


async def converse(http, url: str, index: int, user: str | None, token: str, labels: dict, latencies: list[float],
                   leaks: list[str]) -> None:
    import socketio

    client = socketio.AsyncClient(reconnection=False, http_session=http)
    received: list[str] = []
    done = asyncio.Event()
    client.on("new_message", lambda step: received.append(step.get("output") or ""))
    client.on("task_end", lambda *_: done.set())
    thread_id = str(uuid.uuid4())
    await client.connect(url, socketio_path="/ws/socket.io", transports=["websocket"],
                         headers={"Cookie": f"access_token={token}"},
                         auth={"clientType": "webapp", "sessionId": str(uuid.uuid4()), "threadId": thread_id,
                               "userEnv": "{}", "chatProfile": None})
    await client.emit("connection_successful")
    await asyncio.sleep(1.0)  # the welcome
    for turn in TURNS:
        done.clear()
        message = {"id": str(uuid.uuid4()), "threadId": thread_id, "name": user or "local", "type": "user_message",
                   "output": turn.format(**labels), "createdAt": datetime.now(UTC).isoformat()}
        start = time.perf_counter()
        await client.emit("client_message", {"message": message, "fileReferences": None})
        await asyncio.wait_for(done.wait(), timeout=60)
        latencies.append(time.perf_counter() - start)
    await client.disconnect()
    everything = "\n".join(received)
    if labels["a"] not in everything:
        leaks.append(f"session {index} never saw its own brief")
    for other in range(64):
        if other != index and f"alpha{other}x" in everything:
            leaks.append(f"session {index} saw session {other}'s labels")


async def run_sessions(url: str, count: int, users: bool) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    leaks: list[str] = []
    start = time.perf_counter()
    await asyncio.gather(*(session(url, i, f"user{i}" if users else None, latencies, leaks) for i in range(count)))
    return latencies, leaks, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--users", action="store_true", help="one logged-in user per session (password login)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        if args.users:
            for i in range(args.sessions):
                subprocess.run([sys.executable, "-m", "cli.main", "users", "add", f"user{i}", "--password-stdin"],
                               cwd=ROOT, input=f"user{i}-password\n", text=True, check=True, capture_output=True,
                               env={**os.environ, "MODELPICK_HOME": str(home)})
        with chainlit_server(home, Path(tmp) / "chainlit.log") as url:
            asyncio.run(run_sessions(url, 1, args.users))  # warm-up: the first turn builds the knowledge store
            alone, _, _ = asyncio.run(run_sessions(url, 1, args.users))
            together, leaks, wall = asyncio.run(run_sessions(url, args.sessions, args.users))
    print(f"one session alone (baseline): {len(alone)} turns, p50 {statistics.median(alone) * 1000:.0f} ms, "
          f"p95 {percentile(alone, 0.95) * 1000:.0f} ms")
    print(f"{args.sessions} sessions at once: {len(together)} turns in {wall:.1f} s, "
          f"p50 {statistics.median(together) * 1000:.0f} ms, p95 {percentile(together, 0.95) * 1000:.0f} ms "
          f"(target < 1000 ms); p95 ratio to alone {percentile(together, 0.95) / percentile(alone, 0.95):.1f}×")
    print("isolation: " + ("every session saw only its own answers" if not leaks else "; ".join(leaks)))


if __name__ == "__main__":
    main()
