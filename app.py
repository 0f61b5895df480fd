"""Chainlit entry point — thin: it turns UI events into graph turns and renders the replies.

All decisions live in `agent/`; all work in `tools/`. Run with `make run` (or `chainlit run app.py`).
"""

from __future__ import annotations

import logging

import chainlit as cl
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from agent import speak
from agent.graph import compile_graph, new_replies, turn_input
from tools import workspace
from tools.report import class_balance_figure

log = logging.getLogger("modelpick")
_runtime: dict = {}


@cl.on_app_startup
async def open_checkpointer() -> None:
    """One SQLite checkpointer for the app's life: a conversation's state survives an app restart."""
    manager = AsyncSqliteSaver.from_conn_string(str(workspace.checkpoints_path()))
    _runtime["manager"] = manager
    _runtime["graph"] = compile_graph(await manager.__aenter__())


@cl.on_app_shutdown
async def close_checkpointer() -> None:
    manager = _runtime.pop("manager", None)
    if manager is not None:
        await manager.__aexit__(None, None, None)


@cl.on_chat_start
async def start() -> None:
    await cl.Message(content=speak.welcome("en")).send()


def _attached_files(message: cl.Message, thread_id: str) -> list[dict]:
    """Keep every attached file under the workspace (the UI's temporary copy may vanish)."""
    kept = []
    for element in message.elements or []:
        path = getattr(element, "path", None)
        if path:
            kept.append(workspace.keep_upload(thread_id, path, element.name or "upload"))
    return kept


@cl.on_message
async def on_message(message: cl.Message) -> None:
    thread_id = cl.context.session.thread_id
    config = {"configurable": {"thread_id": thread_id}}
    try:
        files = _attached_files(message, thread_id)
        state = await _runtime["graph"].ainvoke(turn_input(message.content or "", files), config)
    except Exception:  # the conversation must survive any single broken turn
        log.exception("turn failed")
        await cl.Message(content="⚠️ Something went wrong on my side with that message; nothing earlier was lost. "
                                 "Please try again, or rephrase.").send()
        return
    for reply in new_replies(state):
        elements = []
        if reply.additional_kwargs.get("kind") == "profile" and state.get("dataset"):
            figure = class_balance_figure(state["dataset"])
            if figure is not None:
                elements.append(cl.Plotly(name="class_balance", figure=figure, display="inline"))
        await cl.Message(content=reply.content, elements=elements).send()
