"""Nothing is spent without an explicit yes: only a whole-message "go"/"跑吧" starts a run.

Near-miss sentences (a word that could start a command, inside an ordinary sentence) go through the real graph
after a plan was shown; none may start a run.
"""

from __future__ import annotations

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

from agent.commands import Command, is_go, read_command
from agent.graph import compile_graph, turn_input
from core import workspace
from tests.conftest import DATASETS

GO = ["go", "Go!", "go ahead", "ok, go", "okay go", "yes, run it", "run it", "run", "start", "let's go", "do it",
      "proceed", "go for it", "run the evaluation", "Yes, go ahead.", "跑吧", "跑吧！", "好，跑吧", "开始吧", "开始",
      "开跑", "可以，开始评测", "确认，开始"]

NEAR_MISSES = [
    "Run time matters too: latency must stay under 2 seconds",
    "Start by telling me what the cost would be?",
    "go?", "run it?", "跑吧？", "should I say go now?", "Can you start?",
    "going forward we need 95% accuracy", "go back to the plan", "go over the plan again, please",
    "let's go with a 95% target", "don't go yet", "do not run it", "don't run anything yet",
    "run it by my boss first", "run it later", "start with the cheapest model", "start tomorrow",
    "starting budget is $5 per 1000", "proceed only if it costs under $2 per 1000",
    "do it for less than $1 per 1000 items", "yes, but what does it cost?", "ok", "yes", "sure",
    "what happens when I say go?", "Running cost must stay low", "go figure", "Go easy on the budget",
    "I'll go with whatever meets 90%",
    "开始之前我想确认一下：成本上限是每千条5美元", "运行时间要在2秒以内", "先不要跑", "别跑", "跑之前告诉我要花多少钱",
    "开始的时候先用便宜的模型", "执行前先确认费用", "等一下再开始", "开始吧？", "开跑之前说说计划", "运行成本要低",
    "我们开始讨论一下准确率", "可以开始了吗？", "好的", "嗯",
    "what would a pilot cost?", "pilot?", "we ran a pilot last year", "the pilot program needs 95%", "试点要花多少钱？",
    "试点之前先说说计划",
]


@pytest.mark.parametrize("text", GO)
def test_an_explicit_go(text: str) -> None:
    assert is_go(text)


def test_near_misses_are_not_go() -> None:
    assert len(NEAR_MISSES) >= 40
    assert [t for t in NEAR_MISSES if is_go(t)] == []
    assert [t for t in NEAR_MISSES if (read_command(t) or Command("none")).name in ("go", "pilot")] == []


@pytest.mark.parametrize("text", ["pilot", "Pilot!", "run a pilot", "ok, pilot first", "try the strongest first", "试点",
                                  "先试最强的", "好，先跑试点"])
def test_an_explicit_pilot(text: str) -> None:
    assert read_command(text) == Command("pilot")


def test_no_near_miss_starts_a_run_after_a_plan(tmp_path, workspace_home) -> None:
    config = {"configurable": {"thread_id": "near-miss"}}
    with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        graph.invoke(turn_input("classify SMS messages as spam or ham, 90% accuracy, no cost limit, no latency "
                                "limit"), config)
        upload = [workspace.keep_upload("near-miss", DATASETS / "sms_spam.csv", "sms_spam.csv")]
        state = graph.invoke(turn_input("", upload), config)
        assert state["plan"]
        for text in NEAR_MISSES:
            state = graph.invoke(turn_input(text), config)
            assert not state.get("results"), text
            assert not (workspace_home / "runs.sqlite").exists(), text


def test_the_plan_button_stands_for_an_explicit_go() -> None:
    from words.speak import go_word

    assert is_go(go_word("en")) and is_go(go_word("zh"))
