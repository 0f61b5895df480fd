"""Which database holds what several app processes must share: chat history, users, LangGraph checkpoints.

One setting decides it. Without `MODELPICK_DATABASE_URL` everything is a SQLite file in the workspace (nothing to
install, nothing to start); with `MODELPICK_DATABASE_URL=postgresql://user:password@host/db` every process that is
given the same URL serves the same users and conversations. One driver (psycopg 3) speaks to PostgreSQL for the
synchronous (users CLI), asynchronous (chat history) and LangGraph checkpoint connections.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    create_engine,
    event,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DatabaseError

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver

from core import workspace
from core.database_url import URL_VARIABLE, configured_url, libpq_url


def history_path() -> Path:
    """The embedded default: chat history and users in one SQLite file beside the other workspace stores."""
    return workspace.home() / "history.sqlite"


def sqlalchemy_url(*, asynchronous: bool) -> str:
    """The URL for SQLAlchemy: psycopg for PostgreSQL (sync and async), sqlite / aiosqlite for the default."""
    url = configured_url()
    if url is None:
        return f"sqlite{'+aiosqlite' if asynchronous else ''}:///{history_path()}"
    if not re.match(r"postgres(ql)?(\+\w+)?://", url):
        raise ValueError(f"{URL_VARIABLE} must be a postgresql:// URL (got {url.split('://')[0]}://…)")
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", url)


def connect_args() -> dict:
    """SQLite: wait for a writer instead of failing with "database is locked" (the chat history, its elements and
    the users are written from several connections of one process, and from the CLI)."""
    return {"timeout": 30} if configured_url() is None else {}


def tune_sqlite(engine: Engine) -> None:
    """SQLite in WAL mode with `synchronous=NORMAL` (per connection): a commit no longer waits for the disk; the
    database stays consistent, a power cut may lose the last moments of history. Many chat turns per second
    write several small rows each; with a full sync per commit they queued behind the disk."""
    if configured_url() is not None:
        return

    def on_connect(connection, _record) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    event.listen(engine, "connect", on_connect)


SCHEMA = MetaData()
_text_list = Text().with_variant(postgresql.ARRAY(Text), "postgresql")

# Chainlit's SQLAlchemy data layer writes these tables and never creates them (its documentation gives the DDL);
# the columns are the keys of its StepDict / ElementDict, JSON kept as text (it reads both).
Table("users", SCHEMA, Column("id", Text, primary_key=True), Column("identifier", Text, nullable=False, unique=True),
      Column("metadata", Text, nullable=False), Column("createdAt", Text))
Table("threads", SCHEMA, Column("id", Text, primary_key=True), Column("createdAt", Text), Column("name", Text),
      Column("userId", Text, ForeignKey("users.id", ondelete="CASCADE"), index=True), Column("userIdentifier", Text),
      Column("tags", _text_list), Column("metadata", Text))
Table("steps", SCHEMA, Column("id", Text, primary_key=True), Column("name", Text, nullable=False),
      Column("type", Text, nullable=False),
      Column("threadId", Text, ForeignKey("threads.id", ondelete="CASCADE"), nullable=False, index=True),
      Column("parentId", Text), Column("streaming", Boolean, nullable=False), Column("waitForAnswer", Boolean),
      Column("isError", Boolean), Column("metadata", Text), Column("tags", _text_list), Column("input", Text),
      Column("output", Text), Column("createdAt", Text), Column("command", Text), Column("modes", Text),
      Column("start", Text), Column("end", Text), Column("generation", Text), Column("showInput", Text),
      Column("language", Text), Column("indent", Integer), Column("defaultOpen", Boolean),
      Column("autoCollapse", Boolean), Column("icon", Text))
Table("elements", SCHEMA, Column("id", Text, primary_key=True),
      Column("threadId", Text, ForeignKey("threads.id", ondelete="CASCADE"), index=True), Column("type", Text),
      Column("url", Text), Column("chainlitKey", Text), Column("name", Text, nullable=False), Column("display", Text),
      Column("objectKey", Text), Column("size", Text), Column("page", Integer), Column("language", Text),
      Column("forId", Text), Column("mime", Text), Column("props", Text), Column("autoPlay", Boolean),
      Column("playerConfig", Text))
Table("feedbacks", SCHEMA, Column("id", Text, primary_key=True), Column("forId", Text, nullable=False),
      Column("threadId", Text, ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
      Column("value", Integer, nullable=False), Column("comment", Text))
# Ours: password hashes (never in Chainlit's user metadata, which goes to the browser) and the bytes of the
# charts and reports a conversation showed (in the database, so processes on several machines share them).
Table("modelpick_users", SCHEMA, Column("name", Text, primary_key=True), Column("password_hash", Text, nullable=False),
      Column("created_at", Text, nullable=False))
Table("modelpick_elements", SCHEMA, Column("object_key", Text, primary_key=True), Column("mime", Text),
      Column("data", LargeBinary, nullable=False))

_engines: dict[str, Engine] = {}
_creating = threading.Lock()


def engine() -> Engine:
    """The synchronous engine on the history database, its tables created on first use (idempotent: one thread
    of this process creates them; another process doing the same at the same moment is tolerated)."""
    url = sqlalchemy_url(asynchronous=False)
    with _creating:
        made = _engines.get(url)
        if made is None:
            made = create_engine(url, pool_pre_ping=True, connect_args=connect_args())
            tune_sqlite(made)
            if configured_url() is None:
                with made.begin() as connection:  # readers never wait for a writer (kept in the file)
                    connection.exec_driver_sql("PRAGMA journal_mode=WAL")
            try:
                SCHEMA.create_all(made, checkfirst=True)
            except DatabaseError:  # another process created a table between the check and the create
                SCHEMA.create_all(made, checkfirst=True)
            _engines[url] = made
    return made


@contextlib.asynccontextmanager
async def checkpointer() -> AsyncIterator[BaseCheckpointSaver]:
    """The LangGraph checkpointer for the app: a conversation's state in the workspace's SQLite file, or in
    PostgreSQL with `MODELPICK_DATABASE_URL` (so any app process can continue any conversation)."""
    url = libpq_url()
    if url is None:
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        async with AsyncSqliteSaver.from_conn_string(str(workspace.checkpoints_path())) as saver:
            yield saver
        return
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

    async with AsyncPostgresSaver.from_conn_string(url) as saver:
        await saver.setup()  # idempotent: creates or migrates its tables
        yield saver


@contextlib.contextmanager
def sync_checkpointer() -> Iterator[BaseCheckpointSaver]:
    """The same for the terminal chat (`modelpick chat`)."""
    url = libpq_url()
    if url is None:
        from langgraph.checkpoint.sqlite import SqliteSaver

        with SqliteSaver.from_conn_string(str(workspace.checkpoints_path())) as saver:
            yield saver
        return
    from langgraph.checkpoint.postgres import PostgresSaver

    with PostgresSaver.from_conn_string(url) as saver:
        saver.setup()
        yield saver
