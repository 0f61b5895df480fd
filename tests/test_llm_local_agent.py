"""The real local model (SmolLM2 on llama.cpp) as the agent: a weak model must not break anything."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATASETS
from tools.candidates.chat import ChatCandidate
from tools.candidates.local import LocalLLM

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_agent():
    server = LocalLLM()

    async def up() -> None:
        await server.start(None, ["label"])  # type: ignore[arg-type]
        await ChatCandidate.aclose(server)  # this loop's HTTP client; the llama.cpp server keeps running

    asyncio.run(up())
    yield server
    server._kill()


def test_journey_completes_with_smollm2_as_the_agent(local_agent, tmp_path) -> None:
    script = tmp_path / "script.txt"
    script.write_text("\n".join([
        "classify SMS messages as spam or ham",
        "90% accuracy, under $5 per 1000, 2 s, 10k a day",
        "none",
        f"/upload {DATASETS / 'sms_spam.csv'}",
        "drop the local model",
        "use 40 items",
        "go",
        "what do you know so far?",
    ]) + "\n")
    out = tmp_path / "out.json"
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    env.update({"OPENAI_BASE_URL": local_agent.base_url, "MODELPICK_AGENT_MODEL": "smollm2-135m",
                "MODELPICK_AGENT_TIMEOUT_S": "60"})
    exe = str(Path(sys.executable).parent / "modelpick")
    proc = subprocess.run([exe, "chat", "--script", str(script), "--json", str(out)], capture_output=True, text=True,
                          timeout=900, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    doc = json.loads(out.read_text())
    brief = doc["brief"]
    # whatever the small model says, the grounded brief is right and the run happened
    assert brief["labels"] == ["ham", "spam"] and brief["accuracy_target"] == 0.9
    assert brief["max_cost_per_1k_usd"] == 5 and brief["max_latency_s"] == 2 and brief["volume_per_day"] == 10000
    assert [r["candidate"] for r in doc["results"]] == ["tfidf-logreg"]
    assert doc["results"][0]["items"] == 40 and doc["recommendation"]["status"] in ("met", "marginal", "none")
