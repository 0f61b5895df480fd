"""Retrieved few-shot examples: the nearest labelled items per eval item, never an eval item, measured like any
technique — and worth it exactly when the nearest examples carry the answer."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.stub_server import StubConfig, StubServer
from tests.test_cli_eval import _eval
from tools.candidates.chat import ChatCandidate
from tools.data.evalset import Item, split
from tools.planning.forecast import prompt_tokens
from tools.prompting.examples import retrieval_pool, shot_source
from tools.prompting.prompts import parse_shots, technique_id
from tools.run.runner import Runner, RunStore

TOPICS = {"sport": ["football match goal striker", "tennis serve racket court", "swimming pool lap freestyle",
                    "cycling race pedal mountain stage", "boxing ring punch round knockout", "golf putt green hole"],
          "food": ["bread dough oven crust", "soup broth simmer ladle", "cake frosting sponge bake",
                   "sushi rice nori wasabi", "pasta sauce basil noodle", "curry spice chili lentil"],
          "money": ["stock shares dividend broker", "mortgage loan interest bank", "invoice payment due supplier",
                    "budget savings expense salary", "tax return deduction refund", "bitcoin wallet crypto exchange"]}


def _items(per_topic: int = 20) -> list[Item]:
    items, n = [], 0
    for label, topics in TOPICS.items():
        for topic in topics:
            for i in range(per_topic):
                words = topic.split()
                items.append(Item(n, f"{words[i % 4]} {words[(i + 1) % 4]} {words[(i + 2) % 4]} note{n}", label))
                n += 1
    return items


def test_parse_and_name_the_techniques() -> None:
    assert [parse_shots(t) for t in ("0", "3", "r3", "R5")] == [0, 3, -3, -5]
    assert [technique_id(s) for s in (0, 3, -3)] == ["zero-shot", "k-shot", "retrieved-k-shot"]
    for bad in ("r0", "r", "x3", "-3"):
        with pytest.raises(ValueError):
            parse_shots(bad)


def test_retrieved_examples_are_the_nearest_and_never_eval_items() -> None:
    the_split = split(_items(), eval_size=60, seed=1)
    eval_ids = {item.id for item in the_split.eval}
    assert not eval_ids & {item.id for item in retrieval_pool(the_split, seed=1)}
    examples = shot_source(the_split, -3, seed=1)
    same_topic = 0
    for item in the_split.eval:
        shown = examples(item)
        assert len(shown) == 3 and not {e.id for e in shown} & eval_ids
        same_topic += sum(bool(set(e.text.split()[:3]) & set(item.text.split()[:3])) for e in shown)
    assert same_topic / (3 * len(the_split.eval)) > 0.9  # nearly every example shares the item's topic words
    assert [e.id for e in examples(the_split.eval[0])] == [e.id for e in shot_source(the_split, -3, seed=1)(
        the_split.eval[0])]  # the same examples again (a resumed run repeats its prompts)


def test_forecast_tokens_of_retrieved_prompts_equal_the_measured_ones_and_retrieval_beats_a_random_draw(
        tmp_path) -> None:
    labels = sorted(TOPICS)
    the_split = split(_items(), eval_size=60, seed=2)
    forecast = prompt_tokens(the_split, labels, -3, seed=2)
    store = RunStore(tmp_path / "runs.sqlite")
    with StubServer(StubConfig(labels=tuple(labels), copy_nearest_example=True)) as stub:
        candidate = ChatCandidate("stub", model="stub-model", base_url=stub.url)
        run_id = store.create_run({})
        asyncio.run(Runner(store).run(run_id, the_split, labels, [candidate], [3, -3], seed=2))
    results = store.results(run_id)
    retrieved, drawn = results[("stub", -3)], results[("stub", 3)]
    assert forecast.input_tokens == pytest.approx(sum(r.input_tokens for r in retrieved) / len(retrieved), abs=1e-9)
    accuracy = {name: sum(r.prediction == r.gold for r in rows) / len(rows)
                for name, rows in (("retrieved", retrieved), ("drawn", drawn))}
    assert accuracy["retrieved"] > 0.9 and accuracy["retrieved"] - accuracy["drawn"] > 0.3, accuracy


def test_the_cli_runs_retrieved_shots_beside_drawn_ones_and_pins_them(tmp_path) -> None:
    data = tmp_path / "topics.csv"
    data.write_text("text,label\n" + "\n".join(f"{i.text},{i.label}" for i in _items()) + "\n")
    candidates = tmp_path / "candidates.yaml"
    with StubServer(StubConfig(labels=tuple(sorted(TOPICS)), copy_nearest_example=True)) as stub:
        candidates.write_text("- " + json.dumps({"id": "stub", "base_url": stub.url, "model": "stub-model",
                                                 "input_usd_per_1m": 0.5, "output_usd_per_1m": 1.5}) + "\n")
        out = tmp_path / "out.json"
        proc = _eval("--data", str(data), "--candidates", "stub", "--candidates-file", str(candidates), "--shots",
                     "0,3,r3", "--eval-size", "60", "--target-accuracy", "0.8", "--json", str(out),
                     home=tmp_path / "home")
        bad = _eval("--data", str(data), "--candidates", "stub", "--candidates-file", str(candidates), "--shots",
                    "0,x3", home=tmp_path / "home")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(out.read_text())["results"]
    assert [(r["technique"], r["shots"]) for r in rows] == [("zero-shot", 0), ("k-shot", 3), ("retrieved-k-shot", 3)]
    assert rows[2]["accuracy"] > rows[1]["accuracy"]
    assert rows[2]["input_tokens_per_item"] > rows[0]["input_tokens_per_item"]
    assert bad.returncode != 0 and "rK (K retrieved examples)" in bad.stderr
