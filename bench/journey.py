"""The offline journey from "go" to the recommendation, per stage (target: under 3 minutes on 2 cores).

Runs the chat graph on sms_spam.csv with about 100 eval items (tfidf-logreg + SmolLM2 zero- and 3-shot), times
each stage from the progress events, and prints the ratio to the engine alone (`run_eval` on the same config,
measured in the same run), i.e. what the conversation layer adds. Run: `.venv/bin/python bench/journey.py`.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("MODELPICK_SHARED", ROOT.parent / "shared")) / "data" / "datasets" / "sms_spam.csv"


def main(items: int = 100) -> None:
    with tempfile.TemporaryDirectory() as home:
        os.environ["MODELPICK_HOME"] = home
        from langgraph.checkpoint.sqlite import SqliteSaver

        from agent.graph import compile_graph, turn_input
        from core import workspace
        from tools.evaluation.config import EvalConfig
        from tools.evaluation.run import run_eval
        from tools.run.runner import RunStore

        stages: dict[str, list[float]] = {}

        def progress(p) -> None:
            key = f"{p.candidate} {'zero-shot' if p.shots == 0 else f'{p.shots}-shot'}"
            now = time.perf_counter()
            stages.setdefault(key, [now, now])[1] = now

        with SqliteSaver.from_conn_string(f"{home}/c.sqlite") as saver:
            graph = compile_graph(saver)
            config = {"configurable": {"thread_id": "bench", "progress": progress}}
            graph.invoke(turn_input("classify SMS as spam or ham, 90% accuracy, under $5 per 1000, 2 s, 10k a day"),
                         config)
            start = time.perf_counter()
            upload = [workspace.keep_upload("bench", DATA, DATA.name)]
            graph.invoke(turn_input("", upload), config)
            graph.invoke(turn_input(f"use {items} items"), config)
            planned = time.perf_counter()
            go = time.perf_counter()
            state = graph.invoke(turn_input("go"), config)
            done = time.perf_counter()
        print(f"journey on {DATA.name}, {items} eval items:")
        print(f"  upload + profile + plan: {planned - start:.1f} s")
        for key, (first, last) in stages.items():
            print(f"  {key}: {last - first:.1f} s")
        journey = done - go
        print(f"  go → recommendation: {journey:.1f} s (target < 180 s: {'met' if journey < 180 else 'MISSED'}); "
              f"recommendation: {state['recommendation']['status']} {state['recommendation']['candidate']}")
        eval_config = EvalConfig(**state["plan"]["eval_config"])
        store = RunStore(Path(home) / "engine.sqlite")
        start = time.perf_counter()
        asyncio.run(run_eval(eval_config, store))
        engine = time.perf_counter() - start
        print(f"  baseline, the engine alone on the same plan: {engine:.1f} s; journey/engine = {journey / engine:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
