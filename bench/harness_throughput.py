"""Runner throughput against a raw asyncio + AsyncOpenAI loop doing the same calls, measured in one run.

1. Stub with zero latency, 2,000 items, concurrency 32: runner / raw items per second (target ≥ 0.9×) and the
   runner's client CPU per item (target ≤ 2.5 ms).
2. Stub with 200 ms latency, 500 items, concurrency 32: runner items/s against the ideal 32 / 0.2 s = 160/s
   (target ≥ 0.8×).
3. The real llama.cpp server with SmolLM2, 40 items: runner / raw loop (target ≥ 0.95×).

The stub runs in its own process so CPU time here is the client's. Run: `.venv/bin/python bench/harness_throughput.py`
(add `--quick` for smaller counts).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.candidates.chat import ChatCandidate  # noqa: E402
from tools.candidates.local import LocalLLM  # noqa: E402
from tools.data.evalset import Item, split  # noqa: E402
from tools.prompting.prompts import build_messages  # noqa: E402
from tools.run.runner import Runner, RunStore  # noqa: E402

LABELS = ["negative", "positive"]


def items(n: int) -> list[Item]:
    return [Item(i, f"bench review {i} is [{LABELS[i % 2]}]", LABELS[i % 2]) for i in range(n)]


def start_stub(latency: float) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.stub_server", "--latency", str(latency)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().strip()


async def raw_loop(base_url: str, model: str, eval_items: list[Item], concurrency: int) -> None:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=base_url, api_key="x", max_retries=0, timeout=60)
    gate = asyncio.Semaphore(concurrency)

    async def one(item: Item) -> None:
        async with gate:
            await client.chat.completions.create(model=model, messages=build_messages(item.text, LABELS),
                                                 max_tokens=16, temperature=0)

    await asyncio.gather(*(one(i) for i in eval_items))
    await client.close()


async def with_runner(candidate, eval_split, concurrency: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = RunStore(Path(tmp) / "runs.sqlite")
        candidate.max_concurrency = concurrency
        await Runner(store, use_cache=False).run(store.create_run({}), eval_split, LABELS, [candidate], [0])
        store.close()


def timed(coroutine_factory) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) for one asyncio run."""
    wall, cpu = time.perf_counter(), time.process_time()
    asyncio.run(coroutine_factory())
    return time.perf_counter() - wall, time.process_time() - cpu


def stub_case(latency: float, n: int, concurrency: int) -> None:
    proc, url = start_stub(latency)
    try:
        the_split = split(items(n + 20), eval_size=n, seed=0)
        eval_items = the_split.eval
        timed(lambda: raw_loop(url, "stub-model", eval_items[:50], concurrency))  # warm-up
        raw_wall, raw_cpu = timed(lambda: raw_loop(url, "stub-model", eval_items, concurrency))
        cand = ChatCandidate("stub", model="stub-model", base_url=url, timeout_s=60)
        run_wall, run_cpu = timed(lambda: with_runner(cand, the_split, concurrency))
    finally:
        proc.terminate()
        proc.wait()
    raw_rate, run_rate = n / raw_wall, n / run_wall
    print(f"stub latency {latency * 1000:.0f} ms, {n} items, concurrency {concurrency}:")
    print(f"  raw loop {raw_rate:.0f} items/s ({raw_cpu / n * 1000:.2f} ms CPU/item); runner {run_rate:.0f} items/s "
          f"({run_cpu / n * 1000:.2f} ms CPU/item); runner/raw = {run_rate / raw_rate:.2f}x")
    if latency > 0:
        ideal = concurrency / latency
        print(f"  ideal {ideal:.0f} items/s: runner/ideal = {run_rate / ideal:.2f}x (target ≥ 0.8x), "
              f"raw/ideal = {raw_rate / ideal:.2f}x")
    else:
        print("  target: runner/raw ≥ 0.9x, runner CPU ≤ 2.5 ms/item")


def llama_case(n: int) -> None:
    the_split = split(items(n + 20), eval_size=n, seed=0)

    async def both() -> tuple[float, float]:
        local = LocalLLM()
        await local.start(the_split, LABELS)
        try:
            start = time.perf_counter()
            await raw_loop(local.base_url, local.model, the_split.eval, 1)
            raw = time.perf_counter() - start
            with tempfile.TemporaryDirectory() as tmp:
                store = RunStore(Path(tmp) / "runs.sqlite")
                start = time.perf_counter()
                await Runner(store, use_cache=False).run(store.create_run({}), the_split, LABELS,
                                                         [_Reuse(local)], [0])
                run = time.perf_counter() - start
        finally:
            await local.aclose()
        return raw, run

    raw, run = asyncio.run(both())
    print(f"llama.cpp SmolLM2, {n} items: raw loop {n / raw:.1f} items/s, runner {n / run:.1f} items/s, "
          f"runner/raw = {raw / run:.2f}x (target ≥ 0.95x)")


class _Reuse:
    """The already-started local server, so both loops hit the same warm process."""

    def __init__(self, inner: LocalLLM):
        self.inner = inner
        self.id, self.endpoint, self.max_concurrency, self.cacheable = inner.id, inner.endpoint, 1, False
        self.price_model = inner.price_model

    async def start(self, split, labels) -> None:
        return None

    def request(self, messages, text):
        return self.inner.request(messages, text)

    async def send(self, request):
        return await self.inner.send(request)

    async def aclose(self) -> None:
        return None


def main() -> None:
    quick = "--quick" in sys.argv
    stub_case(0.0, 500 if quick else 2000, 32)
    stub_case(0.2, 160 if quick else 500, 32)
    llama_case(20 if quick else 40)


if __name__ == "__main__":
    main()
