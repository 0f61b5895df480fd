"""Speed of the guided conversation (no model call), printed as numbers and ratios — not a test.

1. Server-side time of a guided turn through the compiled graph with the real SQLite checkpointer:
   p50 / p95 over 200 turns (target p95 < 150 ms), and the ratio to a baseline measured in the same run
   (the rules reader alone, i.e. what the graph and checkpointer add).
2. Time from `chainlit run` start (installed) to the page answering (target < 5 s).

Run: `make bench` or `.venv/bin/python bench/turn_latency.py`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TURNS = ["classify support tickets into billing, bugs and sales", "a right answer saves $50, a wrong one costs $300",
         "90%", "under $5 per 1000", "2 s", "10k a day", "none", "what do you know so far?", "actually 95%",
         "总结一下"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_turns(n: int = 200) -> tuple[list[float], list[float]]:
    from langgraph.checkpoint.sqlite import SqliteSaver

    from agent.graph import compile_graph, turn_input
    from agent.understand import understand_rules

    graph_times, rules_times = [], []
    with tempfile.TemporaryDirectory() as tmp, SqliteSaver.from_conn_string(f"{tmp}/c.sqlite") as saver:
        graph = compile_graph(saver)
        for i in range(n):
            text = TURNS[i % len(TURNS)]
            config = {"configurable": {"thread_id": f"bench-{i // len(TURNS)}"}}
            start = time.perf_counter()
            graph.invoke(turn_input(text), config)
            graph_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            understand_rules(text)
            rules_times.append(time.perf_counter() - start)
    return graph_times, rules_times


def bench_startup() -> float:
    import socket
    import subprocess

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    chainlit = Path(sys.executable).parent / "chainlit"
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        proc = subprocess.Popen([str(chainlit), "run", "app.py", "--headless", "--host", "127.0.0.1", "--port",
                                 str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**__import__("os").environ, "MODELPICK_HOME": tmp})
        try:
            while time.perf_counter() - start < 60:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as r:
                        if r.status == 200:
                            return time.perf_counter() - start
                except OSError:
                    time.sleep(0.05)
            return float("nan")
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def main() -> None:
    graph_times, rules_times = bench_turns()
    p50, p95 = statistics.median(graph_times) * 1000, percentile(graph_times, 0.95) * 1000
    r95 = percentile(rules_times, 0.95) * 1000
    print(f"guided turn (graph + SQLite checkpoint), 200 turns: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
          f"(target p95 < 150 ms: {'met' if p95 < 150 else 'MISSED'})")
    print(f"baseline, rules reader alone: p95 {r95:.2f} ms; graph/rules ratio at p95: {p95 / r95:.1f}x")
    startup = bench_startup()
    print(f"chainlit start to page answering: {startup:.2f} s (target < 5 s: {'met' if startup < 5 else 'MISSED'})")


if __name__ == "__main__":
    main()
