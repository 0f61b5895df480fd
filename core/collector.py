"""Pause Python's cyclic garbage collector while an upload's rows are turned into objects.

Why: reading, profiling and splitting a 100k-row upload makes hundreds of thousands of container objects in a few
hundred milliseconds. Each 700 new ones start a collection, and every tenth of those traverses all that is alive,
the rows already made included — ~0.15 s of a 100k-row upload. That work creates no reference cycles (rows are
tuples and lists of strings), so there is nothing for the collector to find until it is done; reference counting
still frees everything as usual. The pause is process-wide (the collector is), counted so that overlapping pauses
on several threads end when the last one does, and the collector is left as it was found (disabled stays
disabled).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection while the block runs (reference counting goes on)."""
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
