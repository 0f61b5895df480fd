"""The forecast counts the prompts the run sends: forecast input tokens equal the tokens the endpoint measured.

A real-HTTP stub counts usage the way OpenAI publishes it (o200k tokens + chat framing); the forecast is built from
the same eval items, the same few-shot draw and the same prompt builder, so the two must agree exactly.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.stub_server import StubConfig, StubServer
from tools.candidates.chat import ChatCandidate
from tools.data.evalset import Item, split
from tools.planning.forecast import prompt_tokens
from tools.run.runner import Runner, RunStore

LABELS = ["negative", "positive"]


@pytest.mark.parametrize("shots", [0, 3])
def test_forecast_input_tokens_equal_the_measured_ones(tmp_path, shots: int) -> None:
    items = [Item(i, f"review {i}: the film was {'awful' if i % 2 else 'great'} — {'x ' * (i % 7)}[{LABELS[i % 2]}]",
                  LABELS[i % 2]) for i in range(120)]
    the_split = split(items, eval_size=40, seed=3)
    forecast = prompt_tokens(the_split, LABELS, shots, seed=3)
    store = RunStore(tmp_path / "runs.sqlite")
    with StubServer(StubConfig(labels=tuple(LABELS))) as stub:
        candidate = ChatCandidate("stub", model="stub-model", base_url=stub.url)
        run_id = store.create_run({})
        asyncio.run(Runner(store).run(run_id, the_split, LABELS, [candidate], [shots], seed=3))
    results = store.results(run_id)[("stub", shots)]
    measured = sum(r.input_tokens for r in results) / len(results)
    assert len(results) == 40 and all(r.error is None for r in results)
    assert forecast.input_tokens == pytest.approx(measured, abs=1e-9)
