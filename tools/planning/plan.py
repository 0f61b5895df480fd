"""The arithmetic of a plan: how many calls it makes and how long it should take, before anything runs."""

from __future__ import annotations

from core.shapes import ExpectedTime
from tools.candidates.base import BASELINE_ID, BUILT_IN
from tools.run.runner import RunStore


def techniques(candidate: str, shots: list[int]) -> list[int]:
    """The shots a candidate runs with: a trained baseline has no prompt, so it runs once."""
    return [0] if candidate == BASELINE_ID else list(shots)


def call_count(candidates: list[str], shots: list[int], items: int) -> int:
    return items * sum(len(techniques(c, shots)) for c in candidates)


PROBE_ITEMS = 10  # a timing probe's items: what `RunStore.mean_latency` needs before it trusts a speed


def expected_time(store: RunStore | None, candidates: list[str], shots: list[int], items: int,
                  entries: list[dict]) -> ExpectedTime:
    """Seconds the run should take, from latencies measured in earlier runs here; the unmeasured are listed."""
    if store is None:
        return {"seconds": None, "unmeasured": list(candidates)}
    concurrency = {e["id"]: int(e.get("max_concurrency", 8)) for e in entries}
    seconds, unmeasured = 0.0, []
    for cid in candidates:
        latency = store.mean_latency(cid)
        if latency is None:
            unmeasured.append(cid)
            continue
        parallel = 1 if cid in BUILT_IN else concurrency.get(cid, 8)
        seconds += items * len(techniques(cid, shots)) * latency / parallel
    return {"seconds": round(seconds, 1), "unmeasured": unmeasured}
