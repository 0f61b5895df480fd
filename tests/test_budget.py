"""A budget the user states for the evaluation is a limit: the plan says when its forecast is over it and what
fits, "go" asks once more naming the amount, and the runner's cap stops every paid call that would pass it."""

from __future__ import annotations

import sqlite3

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

from agent.graph import compile_graph
from core import workspace
from tests.conftest import DATASETS
from tests.test_journey import _turn, configured_stub

pytestmark = pytest.mark.slow


def _spent(home) -> float:
    db = sqlite3.connect(home / "runs.sqlite")
    rows = db.execute("SELECT cost_usd FROM results WHERE cost_usd IS NOT NULL").fetchall()
    db.close()
    return sum(r[0] for r in rows)


@pytest.mark.parametrize(("lang", "brief", "go", "over", "asks"), [
    ("en", "classify SMS messages as spam or ham, 90% accuracy. Our budget for this evaluation is $0.001.",
     "go", "over your evaluation budget of $0.001", "Say *go* again"),
    ("zh", "把短信分成 spam 和 ham，准确率90%，这次评测最多花0.001美元。", "跑吧", "超出了你的评测预算 $0.001", "再说一次"),
])
def test_a_stated_budget_caps_the_run(tmp_path, workspace_home, monkeypatch, lang, brief, go, over, asks) -> None:
    with configured_stub(tmp_path, monkeypatch, ("ham", "spam")) as stub, \
            SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        state, reply = _turn(graph, brief)
        assert state["facts"]["eval_budget_usd"] == pytest.approx(0.001)
        upload = [workspace.keep_upload("journey", DATASETS / "sms_spam.csv", "sms_spam.csv")]
        state, reply = _turn(graph, "", upload)
        state, reply = _turn(graph, "drop smollm2-135m" if lang == "en" else "去掉 smollm2-135m", None)
        assert state["plan"]["budget"]["over"] and over in reply
        plan_heading = "**Evaluation plan**" if lang == "en" else "**评测计划**"
        assert reply.index(over) < reply.index(plan_heading)  # said first, before the plan itself
        state, reply = _turn(graph, go)
        assert asks in reply and not (workspace_home / "runs.sqlite").exists()  # asked again; nothing spent
        state, reply = _turn(graph, go)
        assert state["run"]["status"] == "budget"
        assert _spent(workspace_home) <= 0.001 + 1e-12  # no call past the budget
        assert stub.stats.completions < 2 * state["plan"]["eval_size"]


def test_a_plan_within_the_budget_says_so_and_runs_on_the_first_go(tmp_path, workspace_home, monkeypatch) -> None:
    with configured_stub(tmp_path, monkeypatch, ("ham", "spam")) as stub, \
            SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        _turn(graph, "classify SMS messages as spam or ham, 90% accuracy; we can spend $5 on this evaluation")
        upload = [workspace.keep_upload("journey", DATASETS / "sms_spam.csv", "sms_spam.csv")]
        _turn(graph, "", upload)
        state, reply = _turn(graph, "drop smollm2-135m")
        assert not state["plan"]["budget"]["over"] and "Within your evaluation budget of $5" in reply
        state, reply = _turn(graph, "use 20 items")
        state, reply = _turn(graph, "go")
        assert state["run"]["status"] == "finished" and stub.stats.completions > 0
