"""Scale-out by configuration, on real servers: PostgreSQL (`MODELPICK_DATABASE_URL`) for users, chat history,
LangGraph checkpoints and the run store; a Chroma server (`MODELPICK_CHROMA_URL`) for the knowledge store; two app
processes with separate workspaces serving one conversation."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, chainlit_server, guard_network
from tests.servers import chroma_server, postgres_server

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = '[data-step-type="assistant_message"]'


@pytest.fixture(scope="module")
def postgres_url():
    with postgres_server() as url:
        yield url


@pytest.fixture
def on_postgres(postgres_url, monkeypatch, tmp_path):
    monkeypatch.setenv("MODELPICK_DATABASE_URL", postgres_url)
    monkeypatch.setenv("MODELPICK_HOME", str(tmp_path / "home"))
    return postgres_url


def test_the_run_store_on_postgres_keeps_results_in_arrival_order_and_upserts(on_postgres, tmp_path) -> None:
    from tools.run.runner import RunStore
    from tools.scoring.metrics import ItemResult

    store = RunStore()
    assert not (tmp_path / "home" / "runs.sqlite").exists()  # nothing went to the workspace
    run_id = store.create_run({"data": "x.csv"})
    for item_id in (7, 3, 5):
        store.save(run_id, "m", 0, ItemResult(item_id, "a", "a" if item_id != 5 else None, "raw", 0.25, 10, 2,
                                              None if item_id != 5 else "timeout"), False, 1, 0.001)
    assert store.tally(run_id, "m", 0) == (3, 1, 2)
    store.save(run_id, "m", 0, ItemResult(5, "a", "b", "raw", 0.5, 10, 2, None), False, 2, 0.002)  # resumed
    assert [r.item_id for r in store.results(run_id)[("m", 0)]] == [7, 3, 5]
    assert store.tally(run_id, "m", 0) == (3, 0, 2)
    assert store.finished_items(run_id, "m", 0) == {3, 5, 7}
    assert store.spent(run_id) == pytest.approx(0.004)
    store.begin_call(run_id, "m", 0, 9, 0.01)
    store.begin_call(run_id, "m", 0, 9, 0.01)  # the same call again is one call
    assert RunStore().settle_interrupted(run_id)[0] == 1  # another process (connection) settles it
    assert store.interrupted(run_id)[0] == 1
    assert RunStore().config(run_id) == {"data": "x.csv"}
    store.close()


def test_group_commits_on_postgres_store_every_write_once_committed(on_postgres) -> None:
    from tools.run.group_commit import GroupCommit
    from tools.run.runner import RunStore
    from tools.scoring.metrics import ItemResult

    store = RunStore()
    run_id = store.create_run({"data": "x.csv"})
    writes = GroupCommit(store.transaction)
    other = RunStore()  # another connection sees only what is committed

    async def call(item_id: int) -> int:
        await writes.write(lambda: store.begin_call(run_id, "m", 0, item_id, 0.01))
        result = ItemResult(item_id, "a", "a", "a", 0.1, 10, 1, None)
        await writes.write(lambda: store.record_call(run_id, "m", 0, result, False, 1, 0.001, paid=True))
        return len(other.finished_items(run_id, "m", 0))

    async def main() -> list[int]:
        return await asyncio.gather(*(call(i) for i in range(12)))

    seen = asyncio.run(main())
    assert all(n == 12 for n in seen)  # the twelve finish in one turn: one group, committed before any resumed
    assert other.finished_items(run_id, "m", 0) == set(range(12))
    assert other.settle_interrupted(run_id)[0] == 0  # every in-flight mark removed with its result
    store.close()
    other.close()


def test_users_and_checkpoints_live_in_postgres(on_postgres) -> None:
    from langgraph.graph import END, START, MessagesState, StateGraph

    from service import database, users

    users.add("alice", "alice-password")
    assert [u.name for u in users.listed()] == ["alice"]
    assert not database.history_path().exists()

    builder = StateGraph(MessagesState)
    builder.add_node("echo", lambda state: {"messages": [("ai", "seen " + state["messages"][-1].content)]})
    builder.add_edge(START, "echo")
    builder.add_edge("echo", END)

    async def turn() -> list:
        config = {"configurable": {"thread_id": "t-1"}}
        async with database.checkpointer() as saver:
            await builder.compile(checkpointer=saver).ainvoke({"messages": [("user", "hello")]}, config)
        async with database.checkpointer() as other:  # a second process's connection
            state = await builder.compile(checkpointer=other).aget_state(config)
        return state.values["messages"]

    assert [m.content for m in asyncio.run(turn())] == ["hello", "seen hello"]


def test_the_knowledge_store_on_a_chroma_server_is_built_once_and_shared(tmp_path, monkeypatch) -> None:
    from knowledge.store import KnowledgeStore

    with chroma_server() as url:
        first = KnowledgeStore(url=url)
        second = KnowledgeStore(url=url)  # another app process: finds the built collection
        assert first.rebuilt and not second.rebuilt
        hits = second.search("cheapest model with a long context window", k=3)
        assert hits and all(hit.source for hit in hits)
    assert not (tmp_path / "chroma").exists()


@pytest.mark.browser
@pytest.mark.slow
def test_two_app_processes_serve_one_conversation(postgres_url, tmp_path) -> None:
    """alice starts on process A; process B (its own workspace, same PostgreSQL and Chroma server) lists the
    conversation, replays it, and continues it with the brief A recorded."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)
    with chroma_server() as chroma_url:
        env = {"MODELPICK_DATABASE_URL": postgres_url, "MODELPICK_CHROMA_URL": chroma_url,
               "CHAINLIT_AUTH_SECRET": "one-secret-for-every-process-of-this-service-0123456789"}
        subprocess.run([sys.executable, "-m", "cli.main", "users", "add", "carol", "--password-stdin"], cwd=ROOT,
                       input="carol-password\n", text=True, check=True,
                       env={**os.environ, **env, "MODELPICK_HOME": str(tmp_path / "cli")})
        outside: list[str] = []
        with chainlit_server(tmp_path / "a", tmp_path / "a.log", env) as url_a, \
                chainlit_server(tmp_path / "b", tmp_path / "b.log", env) as url_b, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 1200})
            guard_network(context, outside)
            page = context.new_page()
            page.goto(url_a)
            page.locator("#email").fill("carol")
            page.locator("#password").fill("carol-password")
            page.get_by_role("button", name="Sign In").click()
            expect(page.locator(MESSAGES).last).to_contain_text("modelpick")
            page.locator("#chat-input").fill("classify tickets into billing, bugs and sales, 90% accuracy")
            page.locator("#chat-submit").click()
            expect(page.locator(MESSAGES).last).to_contain_text("billing, bugs, sales")
            page.wait_for_url("**/thread/**")
            thread = page.url.split("/thread/")[1]
            on_b = context.new_page()  # the same browser (cookies are per host), the other process
            on_b.goto(f"{url_b}/thread/{thread}")
            expect(on_b.locator("#thread-history")).to_contain_text("classify tickets")
            expect(on_b.locator(MESSAGES).filter(has_text="billing, bugs, sales")).to_have_count(1)
            on_b.locator("#chat-input").fill("what do you know so far?")
            on_b.locator("#chat-submit").click()
            summary = on_b.locator(MESSAGES).filter(has_text="Your brief so far")
            expect(summary).to_contain_text("billing, bugs, sales")
            expect(summary).to_contain_text("90%")
            browser.close()
        assert outside == []
    for home in (tmp_path / "a", tmp_path / "b"):
        assert not (home / "checkpoints.sqlite").exists() and not (home / "history.sqlite").exists()
        assert not (home / "chroma").exists()
