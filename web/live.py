"""The live view of a turn in the browser: one Chainlit step per candidate × technique while a run goes, the
reply streamed token by token, and the move of both to the session that shows the thread now (a reload, a tab).
"""

from __future__ import annotations

import threading

import chainlit as cl
from chainlit.session import WebsocketSession
from chainlit.utils import utc_now

from tools.run.runner import Progress
from words import speak
from words.catalog import label


class ProgressSteps:
    """One Chainlit step per candidate × technique, updated from progress events."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.steps: dict[tuple[str, int], cl.Step] = {}

    async def reopen(self) -> None:
        """Show the steps open again in a session that replayed them from the history (collapsed there): the
        replayed copies are removed and the steps sent anew."""
        for key, old in list(self.steps.items()):
            await old.remove()
            step = cl.Step(name=old.name, type="tool", show_input=False, default_open=True)
            step.output, step.start, step.end = old.output, old.start, old.end
            self.steps[key] = step
            await step.send()

    async def show(self, p: Progress) -> None:
        key = (p.candidate, p.shots)
        line = speak.progress_line(p, self.lang)
        step = self.steps.get(key)
        if step is None:
            # Open: the items done, speed, errors and time left are visible without a click.
            step = cl.Step(name=label(p.candidate, p.shots, self.lang), type="tool", show_input=False, default_open=True)
            step.output, step.start = line, utc_now()  # started: the UI says "Evaluating …", not "Evaluated …"
            self._end_if_over(step, p)
            self.steps[key] = step
            await step.send()
        else:
            step.output = line
            self._end_if_over(step, p)
            await step.update()

    @staticmethod
    def _end_if_over(step: cl.Step, p: Progress) -> None:
        """A row that finished, failed or was stopped early (adaptive) has ended: its title says so."""
        if step.end is None and p.over:
            step.end = utc_now()


class TurnView:
    """What this turn shows while the graph works: progress steps, and the reply streamed token by token.

    A run outlives its tab: the turn goes on when the browser closes, and when the conversation is opened again
    (a reload, another tab, after a reconnect) `follow` moves everything still to come — progress, results, the
    stop button — to the session that shows the thread now."""

    def __init__(self, lang: str, stop_event: threading.Event) -> None:
        self.steps = ProgressSteps(lang)
        self.streamed: cl.Message | None = None
        self.stop_event = stop_event
        self.newer_session: WebsocketSession | None = None

    def follow(self, session: WebsocketSession) -> None:
        self.newer_session = session

    async def _move_to_newer_session(self) -> None:
        from chainlit.context import init_ws_context

        session, self.newer_session = self.newer_session, None
        if session is None:
            return
        init_ws_context(session)  # this turn's task speaks to the new session from now on
        cl.user_session.set("stop_event", self.stop_event)
        await cl.context.emitter.task_start()  # its stop button stops this run
        await self.steps.reopen()

    async def show(self, event) -> None:
        await self._move_to_newer_session()
        if isinstance(event, tuple) and event[0] == "token":
            if self.streamed is None:
                self.streamed = cl.Message(content="")
            await self.streamed.stream_token(event[1])
        else:
            await self.steps.show(event)
