"""Chainlit's handlers — thin: they turn UI events into graph turns and render the replies.

All decisions live in `agent/`; all work in `tools/`; the live view in `web.live`; every patch of Chainlit's
behaviour in `web.patches` (applied here, before any handler is registered). `app.py` imports this module.
A run's progress reaches the UI through a queue: the graph's worker thread puts progress events, this task
turns them into one live step per candidate × technique. The stop button sets an event the runner checks, so
a stop keeps every finished item.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from pathlib import Path

import chainlit as cl
from chainlit.input_widget import InputWidget, NumberInput, TextInput
from chainlit.session import WebsocketSession

from agent.graph import compile_graph, new_replies, reply_text, turn_input, turn_language
from agent.llm import agent_settings
from agent.settings_panel import configure_endpoint
from core import children, workspace
from core.settings import current
from service import database, history, login, users
from tools.data import uploads
from tools.run.runner import RunStore
from web import patches
from web.live import TurnView
from words import speak
from words.catalog import say
from words.report import accuracy_cost_chart, class_balance_chart

log = logging.getLogger("modelpick")
_runtime: dict = {}
patches.apply()


# Login tokens are signed with one secret: the operator's CHAINLIT_AUTH_SECRET, else one generated once per workspace.
os.environ["CHAINLIT_AUTH_SECRET"] = users.auth_secret()


@cl.data_layer
def chat_history() -> history.SQLAlchemyDataLayer:
    """Conversations kept in the history database: the sidebar lists them, opening one replays it."""
    return history.data_layer()


@cl.password_auth_callback
async def password_login(name: str, password: str) -> cl.User | None:
    user = await asyncio.to_thread(login.password_user, name, password)
    return cl.User(identifier=user, metadata={"provider": login.PASSWORD}) if user else None


@cl.header_auth_callback
async def form_free_login(headers) -> cl.User | None:
    """The local user when nobody is configured (no form to fill), or the trusted proxy's header."""
    found = await asyncio.to_thread(login.header_user, headers)
    return cl.User(identifier=found[0], metadata={"provider": found[1]}) if found else None




@cl.on_app_startup
async def open_checkpointer() -> None:
    """One checkpointer for the app's life (SQLite, or PostgreSQL by configuration): a conversation's state
    survives an app restart and is shared by every app process on the same database."""
    uploads.purge_expired()
    children.reap(workspace.children_dir())  # local servers a crashed app or CLI left behind in this workspace
    manager = database.checkpointer()
    _runtime["manager"] = manager
    _runtime["graph"] = compile_graph(await manager.__aenter__())


@cl.on_app_shutdown
async def close_checkpointer() -> None:
    manager = _runtime.pop("manager", None)
    if manager is not None:
        await manager.__aexit__(None, None, None)


def browser_language() -> str:
    """The conversation's language before the user has written anything: the browser's (Accept-Language)."""
    return "zh" if (getattr(cl.context.session, "language", "") or "").lower().startswith("zh") else "en"


def _act_as_logged_in_user() -> None:
    """Uploads, endpoints and keys of this turn are the logged-in user's (`core.workspace.current_user`)."""
    user = cl.user_session.get("user")
    workspace.act_as(getattr(user, "identifier", None) or workspace.LOCAL_USER)


@cl.on_chat_start
async def start() -> None:
    """Welcome in the browser's language, and the settings panel that shows — and changes — the agent model."""
    _act_as_logged_in_user()
    lang = browser_language()
    cl.user_session.set("language", lang)
    settings = agent_settings()
    await cl.ChatSettings(_settings_widgets(lang, settings.model if settings else "")).send()
    if await _conversation_exists(cl.context.session.thread_id):
        _follow_finetunes(cl.context.session.thread_id, new_session=True)  # jobs from before a restart, too
        return  # a reconnect (the app restarted, the network blinked): the conversation goes on, no new welcome
    await cl.Message(content=speak.welcome(lang) + "\n\n" + speak.agent_line(
        settings.describe() if settings else None, lang)).send()


@cl.on_chat_resume
async def resume(thread) -> None:
    """A conversation opened from the history: Chainlit replays its messages and charts; the graph's checkpoint
    under the same thread id holds the brief, data, plan and results, so the next turn goes on where it stopped."""
    _act_as_logged_in_user()
    graph = _runtime.get("graph")
    values: dict = {}
    if graph is not None:
        values = (await graph.aget_state({"configurable": {"thread_id": thread["id"]}})).values or {}
    lang = values.get("language") or browser_language()
    cl.user_session.set("language", lang)
    settings = agent_settings()
    await cl.ChatSettings(_settings_widgets(lang, settings.model if settings else "")).send()
    live = _live_turns.get(thread["id"])
    if live is not None and isinstance(cl.context.session, WebsocketSession):
        live.follow(cl.context.session)  # a run still going: its progress and results come here now
    _follow_finetunes(thread["id"], new_session=True)


async def _conversation_exists(thread_id: str) -> bool:
    """Whether this thread already has turns in the checkpointer."""
    graph = _runtime.get("graph")
    if graph is None:
        return False
    snapshot = await graph.aget_state({"configurable": {"thread_id": thread_id}})
    return bool((snapshot.values or {}).get("messages"))


def _settings_widgets(lang: str, agent_model: str) -> list[InputWidget]:
    """The agent model, and the fields that add a model endpoint (the key field is always sent back empty)."""
    return [TextInput(id="agent_model", label=say("app.agent_model_label", lang), initial=agent_model,
                      description=say("app.agent_model_help", lang)),
            TextInput(id="endpoint_url", label=say("app.endpoint_url", lang), initial=""),
            TextInput(id="endpoint_model", label=say("app.endpoint_model", lang), initial=""),
            TextInput(id="endpoint_key", label=say("app.endpoint_key", lang), initial=""),
            NumberInput(id="endpoint_input_usd_per_1m", label=say("app.endpoint_input_price", lang), initial=None),
            NumberInput(id="endpoint_output_usd_per_1m", label=say("app.endpoint_output_price", lang), initial=None)]


@cl.on_settings_update
async def change_agent(values: dict) -> None:
    _act_as_logged_in_user()
    lang = cl.user_session.get("language") or "en"
    added = await configure_endpoint(values, lang)
    if added is not None:
        await cl.Message(content=added).send()
        # Send the panel back with the endpoint fields (and the key) cleared: the key is never shown again.
        await cl.ChatSettings(_settings_widgets(lang, values.get("agent_model") or "")).send()
        return
    model = (values.get("agent_model") or "").strip() or None
    cl.user_session.set("agent_model", model)
    settings = agent_settings(model)
    if model and settings is None:
        await cl.Message(content=say("app.no_agent_endpoint", cl.user_session.get("language") or "en")).send()
        return
    await cl.Message(content=speak.agent_line(settings.describe() if settings else None,
                                              cl.user_session.get("language") or "en")).send()


@cl.on_stop
async def stop() -> None:
    event = cl.user_session.get("stop_event")
    if event is not None:
        event.set()


def _attached_files(message: cl.Message, thread_id: str) -> list[dict]:
    """Keep every attached file under the workspace (the UI's temporary copy may vanish)."""
    kept = []
    for element in message.elements or []:
        path = getattr(element, "path", None)
        if path:
            kept.append(uploads.accept(thread_id, path, element.name or "upload"))
    return kept


_live_turns: dict[str, TurnView] = {}  # thread id → the turn running in it (in this process)
_background: set[asyncio.Task] = set()


async def _run_turn(graph, turn: dict, config: dict, queue: asyncio.Queue,
                    stop_event: threading.Event) -> tuple[dict, TurnView]:
    """Run the graph while draining progress events and tokens into the UI."""
    thread_id = config["configurable"]["thread_id"]
    view = TurnView(turn_language(turn, cl.user_session.get("language") or "en"), stop_event)
    _live_turns[thread_id] = view
    task = asyncio.create_task(graph.ainvoke(turn, config))
    try:
        while not task.done():
            # Whichever comes first: a progress event or the end of the turn (a turn with no events ends at once).
            event = asyncio.ensure_future(queue.get())
            await asyncio.wait({event, task}, timeout=1.0, return_when=asyncio.FIRST_COMPLETED)
            if event.done():
                await view.show(event.result())
            else:
                event.cancel()
            await view._move_to_newer_session()
    except asyncio.CancelledError:
        # The stop button cancelled this handler: the runner saw the stop event and ends after the calls in
        # flight; wait for it so its finished items are kept and shown.
        state = await asyncio.shield(task)
        await _render(state, view)
        raise
    finally:
        if _live_turns.get(thread_id) is view:
            del _live_turns[thread_id]
    while not queue.empty():
        await view.show(queue.get_nowait())
    await view._move_to_newer_session()
    return task.result(), view


@cl.on_message
async def on_message(message: cl.Message) -> None:
    _act_as_logged_in_user()
    thread_id = cl.context.session.thread_id
    try:
        files = _attached_files(message, thread_id)
    except OSError:
        log.exception("upload could not be kept")
        files = []
    await _turn(message.content or "", files)


async def _as_typed(action: cl.Action, word) -> None:
    """A button that stands for an explicit whole-message word ("go", "pilot"), run exactly as if typed."""
    await action.remove()
    # Chainlit runs action callbacks without a "task": mark it, so the stop button shows while the run goes on.
    await cl.context.emitter.task_start()
    try:
        await _turn(word(cl.user_session.get("language") or "en"), [])
    finally:
        await cl.context.emitter.task_end()


@cl.action_callback("run_plan")
async def run_plan(action: cl.Action) -> None:
    """The plan's button: the explicit confirmation, exactly as if the user had typed "go"."""
    await _as_typed(action, speak.go_word)


@cl.action_callback("run_pilot")
async def run_pilot(action: cl.Action) -> None:
    """The plan's pilot button: the strongest model alone on the first items, as if the user had typed "pilot"."""
    await _as_typed(action, speak.pilot_word)


async def _turn(text: str, files: list[dict]) -> None:
    """One user turn through the graph, with live progress, rendered; a broken turn loses nothing."""
    _act_as_logged_in_user()
    thread_id = cl.context.session.thread_id
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    stop_event = threading.Event()
    cl.user_session.set("stop_event", stop_event)
    config = {"configurable": {"thread_id": thread_id, "agent_model": cl.user_session.get("agent_model"),
                               "progress": lambda p: loop.call_soon_threadsafe(queue.put_nowait, p),
                               "on_token": lambda t: loop.call_soon_threadsafe(queue.put_nowait, ("token", t)),
                               "should_stop": stop_event.is_set}}
    try:
        state, view = await _run_turn(_runtime["graph"], turn_input(text, files), config, queue, stop_event)
    except asyncio.CancelledError:
        raise
    except Exception:  # the conversation must survive any single broken turn
        log.exception("turn failed")
        await cl.Message(content=say("app.turn_failed", cl.user_session.get("language") or "en")).send()
        return
    cl.user_session.set("language", state.get("language", "en"))
    await _render(state, view)
    _follow_finetunes(thread_id)


_followers: dict[str, asyncio.Task] = {}


def _follow_finetunes(thread_id: str, *, new_session: bool = False) -> None:
    """Follow this conversation's running fine-tuning jobs (started now, or before a restart) and say in the chat
    when one changes state — until every job has ended. One follower per conversation, speaking to its latest
    session (a reopened tab takes it over)."""
    running = _followers.get(thread_id)
    if running is not None and not running.done():
        if not new_session:
            return
        running.cancel()
    task = asyncio.create_task(_finetune_follower(thread_id))
    _followers[thread_id] = task


async def _finetune_follower(thread_id: str) -> None:
    from tools.training.finetune import TERMINAL, open_jobs, refresh

    def read(seen: dict[str, str]) -> tuple[list[dict], bool]:
        store = RunStore()
        try:
            running = open_jobs(store, thread_id)
            for record in running:  # the last status said (or stored): only a change is news
                seen.setdefault(record["job_id"], record["status"])
            changed = [job for job in (refresh(r, store) for r in running) if job["status"] != seen.get(job["job_id"])]
            return changed, bool(open_jobs(store, thread_id))
        finally:
            store.close()

    if not RunStore.exists():
        return
    seen: dict[str, str] = {}
    with_open = True
    while with_open:
        try:
            changed, with_open = await asyncio.to_thread(read, seen)
        except Exception:  # an unreachable endpoint now is no reason to stop following
            log.exception("fine-tune status read failed")
            changed = []
        for job in changed:
            seen[job["job_id"]] = job["status"]
            if job["status"] not in (*TERMINAL, "running"):  # training started, and the end: the news worth a line
                continue
            await cl.Message(content=speak.for_chat(speak.finetune_line(job, cl.user_session.get("language") or "en"))
                             ).send()
        if with_open:
            await asyncio.sleep(current().finetune_poll_s)


async def _forget_in_history(step_ids: list[str]) -> None:
    """Delete removed progress steps from the history again once their last queued update has landed (Chainlit
    writes each update in its own task, so one can arrive after the removal and bring the step back on a replay)."""
    from chainlit.data import get_data_layer

    await asyncio.sleep(2)
    layer = get_data_layer()
    for step_id in step_ids if layer else []:
        await layer.delete_step(step_id)


async def _render(state: dict, view: TurnView) -> None:
    """Send the turn's replies with their charts and files (the streamed one is finalised in place: if the
    numbers guard rejected the model's text, the template replaces what was streamed)."""
    replies = new_replies(state)
    if any(reply.additional_kwargs.get("kind") == "results" for reply in replies):
        # The live progress has done its job: the results carry the numbers, so nothing sits below them.
        for step in view.steps.steps.values():
            await step.remove()
        forgetting = asyncio.create_task(_forget_in_history([step.id for step in view.steps.steps.values()]))
        _background.add(forgetting)  # the loop keeps only a weak reference to a task
        forgetting.add_done_callback(_background.discard)
    for index, reply in enumerate(replies):
        kind = reply.additional_kwargs.get("kind")
        elements: list = []
        if kind == "profile" and state.get("dataset"):
            figure = class_balance_chart(state["dataset"], state.get("language", "en"))
            if figure is not None:
                elements.append(cl.Plotly(name="class_balance", figure=figure, display="inline"))
        if kind == "results" and state.get("results"):
            targets = {"accuracy": state["brief"].get("accuracy_target") or state["brief"].get("break_even_accuracy"),
                       "max_cost_per_1k_usd": state["brief"].get("max_cost_per_1k_usd")}
            figure = accuracy_cost_chart(state["results"], targets, state.get("recommendation"), state.get("language", "en"))
            elements.append(cl.Plotly(name="accuracy_vs_cost", figure=figure, display="inline"))
        if kind == "export":
            for name, path in (reply.additional_kwargs.get("files") or {}).items():
                elements.append(cl.File(name=name, path=str(Path(path)), display="inline"))
        lang = state.get("language", "en")
        actions = [cl.Action(name="run_plan", payload={}, label=say("app.run_button", lang))] if kind == "plan" else []
        pilot = (state.get("plan") or {}).get("pilot")
        if kind == "plan" and pilot and (state.get("run") or {}).get("status") != "pilot":
            actions.append(cl.Action(name="run_pilot", payload={}, label=say("app.pilot_button", lang,
                                                                             model=pilot["model"], items=pilot["items"])))
        if view.streamed is not None and index == len(replies) - 1:
            view.streamed.content = speak.for_chat(reply_text(reply))
            view.streamed.elements = elements
            await view.streamed.update()
        else:
            await cl.Message(content=speak.for_chat(reply_text(reply)), elements=elements, actions=actions).send()
