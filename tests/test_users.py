"""Users, login rules and the history database: hashed passwords, the CLI contract, who may log in how."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from core import workspace
from service import database, login, users

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELPICK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MODELPICK_DATABASE_URL", raising=False)
    monkeypatch.delenv("MODELPICK_TRUSTED_HEADER", raising=False)
    monkeypatch.delenv("CHAINLIT_AUTH_SECRET", raising=False)
    return tmp_path / "home"


def test_passwords_are_stored_as_bcrypt_hashes_and_verified() -> None:
    users.add("alice", "correct horse battery")
    with database.engine().connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM modelpick_users")).scalar_one()
    assert stored.startswith("$2b$") and "correct horse" not in stored
    assert users.verify("alice", "correct horse battery")
    assert not users.verify("alice", "correct horse batterY")
    assert not users.verify("mallory", "correct horse battery")


def test_a_long_passphrase_is_not_cut_at_bcrypts_72_bytes() -> None:
    phrase = "x" * 80
    users.add("alice", phrase)
    assert users.verify("alice", phrase)
    assert not users.verify("alice", "x" * 72 + "y" * 8)


@pytest.mark.parametrize(("name", "password", "problem"), [
    ("a b", "long enough", "users.bad_name"), ("local", "long enough", "users.bad_name"),
    ("alice", "short", "users.short_password")])
def test_bad_users_are_refused_with_a_reason(name, password, problem) -> None:
    with pytest.raises(users.UserError) as caught:
        users.add(name, password)
    assert caught.value.id == problem
    assert users.listed() == []


def test_adding_twice_and_removing_an_unknown_user_are_refused() -> None:
    users.add("alice", "long enough")
    with pytest.raises(users.UserError, match="users.exists"):
        users.add("alice", "another one")
    with pytest.raises(users.UserError, match="users.unknown"):
        users.remove("bob")
    users.remove("alice")
    assert users.listed() == []


def test_login_rules_follow_the_configured_users(monkeypatch) -> None:
    assert login.header_user({}) == (workspace.LOCAL_USER, login.LOCAL)  # nobody configured: the local user
    assert login.form_free_login()
    assert login.token_still_valid(workspace.LOCAL_USER, login.LOCAL)
    users.add("alice", "long enough")
    assert login.header_user({}) is None  # the form, no automatic login
    assert not login.form_free_login()
    assert not login.token_still_valid(workspace.LOCAL_USER, login.LOCAL)  # the old local token stops working
    assert login.password_user("alice", "long enough") == "alice"
    assert login.password_user("alice", "wrong one") is None
    assert login.token_still_valid("alice", login.PASSWORD)
    users.remove("alice")
    assert not login.token_still_valid("alice", login.PASSWORD)  # a removed user's token stops working
    monkeypatch.setenv("MODELPICK_TRUSTED_HEADER", "X-Forwarded-User")
    users.add("carol", "long enough")
    assert login.header_user({"X-Forwarded-User": "dave"}) == ("dave", login.HEADER)
    assert login.header_user({"X-Forwarded-User": "../etc"}) is None
    assert login.form_free_login()


def test_the_auth_secret_is_generated_once_and_kept_private(home) -> None:
    first = users.auth_secret()
    assert len(first) >= 40 and users.auth_secret() == first
    assert stat.S_IMODE(os.stat(home / "auth-secret").st_mode) == 0o600


def test_the_database_url_is_sqlite_by_default_and_postgres_by_configuration(monkeypatch, home) -> None:
    assert database.sqlalchemy_url(asynchronous=True) == f"sqlite+aiosqlite:///{home / 'history.sqlite'}"
    monkeypatch.setenv("MODELPICK_DATABASE_URL", "postgres://u:p@db:5432/mp")
    assert database.sqlalchemy_url(asynchronous=False) == "postgresql+psycopg://u:p@db:5432/mp"
    assert database.libpq_url() == "postgresql://u:p@db:5432/mp"
    monkeypatch.setenv("MODELPICK_DATABASE_URL", "mysql://u:p@db/mp")
    with pytest.raises(ValueError, match="postgresql://"):
        database.sqlalchemy_url(asynchronous=False)


def test_the_users_cli_reads_the_password_from_stdin_and_never_prints_it(home) -> None:
    env = {**os.environ, "MODELPICK_HOME": str(home)}

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cli.main", "users", *args], cwd=ROOT, input=stdin, text=True,
                              capture_output=True, env=env)

    assert "No users" in run("list").stdout
    added = run("add", "alice", "--password-stdin", stdin="s3cret-passphrase\n")
    assert added.returncode == 0 and "Login is now required" in added.stdout
    assert "s3cret" not in added.stdout + added.stderr
    assert run("add", "bob", "--password-stdin", stdin="\n").returncode == 1
    short = run("add", "bob", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr
    assert run("list").stdout.startswith("alice\t")
    assert run("remove", "carol").returncode == 1
    assert run("remove", "alice").returncode == 0
    assert "No users" in run("list").stdout


def test_uploads_and_endpoints_belong_to_the_acting_user(tmp_path, home) -> None:
    import contextvars

    from tools.candidates import endpoints
    from tools.data import uploads

    source = tmp_path / "data.csv"
    source.write_text("text,label\nhello,a\n", encoding="utf-8")

    def as_user(name: str):
        workspace.act_as(name)
        kept = uploads.accept("thread-1", source, "data.csv")
        endpoints.save_endpoint({"id": f"{name}-model", "model": "m", "base_url": "http://127.0.0.1:9/v1"}, "sk-x")
        return kept, [e["id"] for e in endpoints.user_entries()], endpoints.stored_key(f"{name}-model")

    alice = contextvars.copy_context().run(as_user, "alice")
    bob = contextvars.copy_context().run(as_user, "bob")
    assert Path(alice[0]["path"]).parent == home / "uploads" / "alice" / "thread-1"
    assert Path(bob[0]["path"]).parent == home / "uploads" / "bob" / "thread-1"
    assert alice[1] == ["alice-model"] and bob[1] == ["bob-model"]  # neither sees the other's endpoints
    assert workspace.current_user() == workspace.LOCAL_USER  # outside a turn: the local user


def test_the_acting_user_reaches_the_graphs_nodes() -> None:
    """LangGraph runs sync nodes in worker threads; the user set for the turn must be the one they see."""
    import asyncio
    from typing import TypedDict

    from langgraph.graph import END, START, StateGraph

    class State(TypedDict, total=False):
        seen: str

    def node(state: State) -> State:
        return {"seen": workspace.current_user()}

    builder = StateGraph(State)
    builder.add_node("node", node)
    builder.add_edge(START, "node")
    builder.add_edge("node", END)
    graph = builder.compile()

    async def turn() -> State:
        workspace.act_as("alice")
        return await graph.ainvoke({})

    assert asyncio.run(turn())["seen"] == "alice"


def test_the_first_requests_of_a_fresh_workspace_create_the_tables_once(home) -> None:
    """A page's first requests arrive together, each asking whether users exist, on a workspace with no tables."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: users.any_configured(), range(16)))
    assert answers == [False] * 16
