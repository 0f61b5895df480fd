"""The whole `modelpick eval` command against a raw AsyncOpenAI loop process doing the same calls — and against
promptfoo when it is installed — on the same local stub, measured in one run, interleaved.

What a user runs is the command, not the runner: start-up imports, reading and splitting the data, the run, the
statistics, the JSON. The raw loop is the floor any harness pays (a Python process that imports openai, reads
the CSV and sends the same chat requests with a semaphore) — measured twice: with the SDK's defaults, and on the
SDK path modelpick takes (aiohttp transport, `client.post`, JSON read directly); promptfoo is the popular peer (`-j 32 --no-cache`).
The stub runs in its own process with zero latency, so the ratios measure the harnesses, not the model.

Targets (issue 13): modelpick / raw ≥ 0.9×; modelpick / promptfoo ≥ 3×.

Also (`--memory`): the peak RSS of a 1,000-item and a 10,000-item run of the whole command (target: within
+100 MB of each other — results stream to SQLite, nothing per item is held).

Run: `.venv/bin/python bench/race.py [--items 2000] [--concurrency 32] [--rounds 3] [--memory]`. promptfoo is used when
`npx promptfoo` resolves in `PROMPTFOO_DIR` (e.g. `mkdir /tmp/pf && cd /tmp/pf && npm install promptfoo`).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LABELS = ["negative", "positive"]


def write_inputs(folder: Path, items: int, url: str, concurrency: int) -> tuple[Path, Path]:
    data = folder / "reviews.csv"
    with data.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for i in range(items + items // 4 + 40):  # the eval set plus a few-shot and train pool kept apart
            writer.writerow([f"bench review number {i} says it is [{LABELS[i % 2]}]", LABELS[i % 2]])
    candidates = folder / "candidates.yaml"
    candidates.write_text("- " + json.dumps({"id": "stub", "base_url": url, "model": "stub-model",
                                             "max_concurrency": concurrency, "input_usd_per_1m": 0.15,
                                             "output_usd_per_1m": 0.6}) + "\n")
    return data, candidates


def raw_loop(url: str, data: Path, items: int, concurrency: int, lean: bool) -> None:
    """The floor: one process, openai's async client, the same prompts, a semaphore. Nothing else.

    `lean`: the SDK path modelpick itself takes (its aiohttp transport, `client.post`, the reply's JSON read
    directly) — the floor for the harness's own overhead; without it, the SDK's defaults as most code uses them."""
    import httpx2
    import openai

    sys.path.insert(0, str(ROOT))
    from tools.prompting.prompts import build_messages

    with data.open(newline="") as handle:
        rows = list(csv.DictReader(handle))[:items]

    async def main() -> None:
        transport = {"http_client": openai.DefaultAioHttpClient()} if lean else {}
        client = openai.AsyncOpenAI(base_url=url, api_key="x", max_retries=0, timeout=60, **transport)
        gate = asyncio.Semaphore(concurrency)

        async def one(text: str) -> None:
            async with gate:
                body = {"model": "stub-model", "messages": build_messages(text, LABELS), "max_tokens": 16,
                        "temperature": 0}
                if lean:
                    reply = await client.post("/chat/completions", cast_to=httpx2.Response, body=body)
                    json.loads(reply.content)["choices"][0]["message"]["content"]
                else:
                    await client.chat.completions.create(**body)

        await asyncio.gather(*(one(r["text"]) for r in rows))
        await client.close()

    asyncio.run(main())


def promptfoo_config(folder: Path, url: str, data: Path, items: int) -> Path:
    sys.path.insert(0, str(ROOT))
    from tools.prompting.prompts import build_messages

    with data.open(newline="") as handle:
        rows = list(csv.DictReader(handle))[:items]
    prompt = json.dumps(build_messages("{{text}}", LABELS))
    config = {"prompts": [prompt],
              "providers": [{"id": "openai:chat:stub-model",
                             "config": {"apiBaseUrl": url, "apiKey": "x", "max_tokens": 16, "temperature": 0}}],
              "tests": [{"vars": {"text": r["text"]}, "assert": [{"type": "equals", "value": r["label"]}]}
                        for r in rows]}
    path = folder / "promptfooconfig.json"
    path.write_text(json.dumps(config))
    return path


def timed(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 100):  # promptfoo exits 100 when assertions fail (the stub is 80 % right)
        raise SystemExit(f"{command[0]} failed ({done.returncode}): {done.stderr[-800:]}")
    return elapsed


def peak_rss_mb(folder: Path, url: str, concurrency: int, items: int) -> float:
    """Peak RSS (MB) of one whole `modelpick eval` of `items` items, from /usr/bin/time."""
    place = folder / f"mem-{items}"
    place.mkdir()
    data, candidates = write_inputs(place, items, url, concurrency)
    done = subprocess.run(["/usr/bin/time", "-f", "%M", str(BIN / "modelpick"), "eval", "--data", str(data),
                           "--candidates", "stub", "--candidates-file", str(candidates), "--eval-size", str(items)],
                          env={**os.environ, "MODELPICK_HOME": str(place / "home")}, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=True)
    return int(done.stderr.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--raw", nargs=2, metavar=("URL", "DATA"), help=argparse.SUPPRESS)
    parser.add_argument("--lean", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.raw:
        raw_loop(args.raw[0], Path(args.raw[1]), args.items, args.concurrency, args.lean)
        return

    # As `make install` does (pip compiles the bytecode of what it installs, not of an editable project).
    subprocess.run([sys.executable, "-m", "compileall", "-q", "core", "agent", "tools", "knowledge", "cli"], cwd=ROOT,
                   check=True)
    stub = subprocess.Popen([sys.executable, "-m", "tests.stub_server", "--latency", "0"], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    url = stub.stdout.readline().strip() if stub.stdout else ""
    promptfoo_dir = Path(os.environ.get("PROMPTFOO_DIR", "/tmp/pf"))
    promptfoo = promptfoo_dir / "node_modules" / ".bin" / "promptfoo"
    times: dict[str, list[float]] = {"raw": [], "raw-lean": [], "modelpick": [], "promptfoo": []}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            data, candidates = write_inputs(folder, args.items, url, args.concurrency)
            pf_config = promptfoo_config(folder, url, data, args.items) if promptfoo.exists() else None
            for round_ in range(args.rounds):
                home = folder / f"home-{round_}"  # a fresh workspace: no response cache, no parsed table
                env = {**os.environ, "MODELPICK_HOME": str(home), "PROMPTFOO_DISABLE_TELEMETRY": "1",
                       "PROMPTFOO_DISABLE_UPDATE": "1", "PROMPTFOO_CONFIG_DIR": str(folder / "pf-home")}
                raw = [sys.executable, __file__, "--raw", url, str(data), "--items", str(args.items), "--concurrency",
                       str(args.concurrency)]
                times["raw"].append(timed(raw, env))
                times["raw-lean"].append(timed([*raw, "--lean"], env))
                times["modelpick"].append(timed([str(BIN / "modelpick"), "eval", "--data", str(data), "--candidates",
                                                 "stub", "--candidates-file", str(candidates), "--eval-size",
                                                 str(args.items), "--json", str(folder / "out.json")], env))
                if pf_config is not None:
                    times["promptfoo"].append(timed([str(promptfoo), "eval", "-c", str(pf_config), "-j",
                                                     str(args.concurrency), "--no-cache", "--no-write",
                                                     "--no-table", "--no-progress-bar"], env))
                shutil.rmtree(home, ignore_errors=True)
            result = json.loads((folder / "out.json").read_text())["results"][0]
            if args.memory:
                peaks = {n: peak_rss_mb(folder, url, args.concurrency, n) for n in (1000, 10_000)}
                print(f"peak RSS of the whole command: 1,000 items {peaks[1000]:.0f} MB, 10,000 items "
                      f"{peaks[10_000]:.0f} MB (+{peaks[10_000] - peaks[1000]:.0f} MB; target ≤ +100 MB)")
    finally:
        stub.terminate()
        stub.wait()
    assert result["items"] == args.items and result["errors"] == 0, result
    median = {k: statistics.median(v) for k, v in times.items() if v}
    print(f"{args.items} items, concurrency {args.concurrency}, {args.rounds} interleaved rounds, median wall time:")
    for name, seconds in median.items():
        print(f"  {name:>10}: {seconds:6.2f} s  ({args.items / seconds:5.0f} items/s)  all: "
              + ", ".join(f"{s:.2f}" for s in times[name]))
    print(f"modelpick / raw loop (the SDK's defaults) = {median['raw'] / median['modelpick']:.2f}x (target ≥ 0.9x)")
    print(f"modelpick / raw loop (the SDK path modelpick takes) = {median['raw-lean'] / median['modelpick']:.2f}x "
          "(the harness's own overhead; target ≥ 0.9x)")
    if "promptfoo" in median:
        print(f"modelpick / promptfoo = {median['promptfoo'] / median['modelpick']:.2f}x (target ≥ 3x)")
    else:
        print(f"promptfoo: not installed in {promptfoo_dir} (npm install promptfoo there to compare)")
    started = time.perf_counter()
    subprocess.run([str(BIN / "modelpick"), "eval", "--help"], stdout=subprocess.DEVNULL, check=True)
    print(f"modelpick eval --help: {time.perf_counter() - started:.2f} s (target ≤ 0.8 s)")


if __name__ == "__main__":
    main()
