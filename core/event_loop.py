"""One way to run a coroutine to the end from synchronous code: on uvloop where it is installed (the loop uvicorn
already runs the app on), else on asyncio's own.

Why: a run against a fast endpoint spends much of its CPU in the event loop itself (a callback per socket event,
per future, per semaphore hand-over); uvloop does that work in C — about 8 % of `modelpick eval`'s run time on a
local endpoint. Semantics are asyncio's: Ctrl-C cancels the main task and raises KeyboardInterrupt.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        import uvloop
    except ImportError:  # not built for this platform (Windows): asyncio's loop does the same, a little slower
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)
