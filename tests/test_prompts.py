"""tools/prompts.py: stratified shots shared by all candidates; answers normalised or counted unparseable."""

from __future__ import annotations

import pytest

from tools.evalset import Item
from tools.metrics import UNPARSEABLE
from tools.prompts import build_messages, draw_shots, parse_label

LABELS = ["positive", "negative", "neutral"]


@pytest.mark.parametrize(("raw", "label"), [
    ("positive", "positive"), ("  Negative\n", "negative"), ('"neutral"', "neutral"), ("Positive.", "positive"),
    ("Label: negative", "negative"), ("**positive**", "positive"), ("The sentiment is negative.", "negative"),
    ("pos", "positive"), ("neg", "negative"), ("I think it is positive, not negative", UNPARSEABLE), ("positive, not negative", "positive"),
    ("", UNPARSEABLE), ("banana", UNPARSEABLE), ("it could be positive or negative", UNPARSEABLE),
    (None, UNPARSEABLE), ("n", UNPARSEABLE),
])
def test_parse_label(raw, label) -> None:
    assert parse_label(raw, LABELS) == label


def test_chinese_labels() -> None:
    assert parse_label("这是正面评价", ["正面", "负面"]) == "正面"
    assert parse_label("负面。", ["正面", "负面"]) == "负面"


def test_shots_are_stratified_and_deterministic() -> None:
    pool = [Item(i, f"text {i}", LABELS[i % 3]) for i in range(30)]
    shots = draw_shots(pool, 3, seed=1)
    assert sorted(s.label for s in shots) == sorted(LABELS)
    assert draw_shots(pool, 3, seed=1) == shots and draw_shots(pool, 0) == []


def test_messages_put_each_shot_as_a_turn_and_the_item_last() -> None:
    shots = [Item(1, "great", "positive")]
    messages = build_messages("awful", LABELS, shots)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[2]["content"] == "positive" and messages[-1]["content"].endswith("Text: awful")
    assert "positive, negative, neutral" in messages[-1]["content"]
