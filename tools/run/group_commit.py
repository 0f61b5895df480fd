"""Group commit: the run-store writes of calls that start or finish in the same turn of the event loop are
committed in one transaction, and each caller goes on only once its own write is committed.

Why: a fast endpoint answers many calls per turn of the loop, and one commit per write made the run store the
harness's largest cost after the HTTP client (SQLite appends every touched page to its log on each commit;
PostgreSQL pays a round trip). What a commit per write guaranteed still holds, because every caller awaits its
own commit: no request goes out before its in-flight mark is stored, no item counts as finished (progress,
tallies) before its result is, and a kill loses only writes nobody was told are done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractContextManager


class GroupCommit:
    """Queue writes; commit them together at the end of the current turn of the loop."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[None]]):
        self._transaction = transaction
        self._pending: list[tuple[Callable[[], None], asyncio.Future[None]]] = []

    async def write(self, work: Callable[[], None]) -> None:
        """Run `work` (store statements, no commit of its own) in the next group's transaction; return once that
        transaction is committed, or raise what failed it (a failed commit fails every write in its group)."""
        loop = asyncio.get_running_loop()
        if self._pending and self._pending[0][1].get_loop() is not loop:
            self._commit()  # a group whose loop ended before its turn (a run cut short): stored now all the same
        done: asyncio.Future[None] = loop.create_future()
        if not self._pending:
            loop.call_soon(self._commit)  # after every callback already ready in this turn has queued its write
        self._pending.append((work, done))
        await done

    def _commit(self) -> None:
        group, self._pending = self._pending, []
        try:
            with self._transaction():
                for work, _ in group:
                    work()
        except Exception as error:
            for _, done in group:
                _settle(done, error)
            return
        for _, done in group:
            _settle(done, None)


def _settle(done: asyncio.Future[None], error: Exception | None) -> None:
    """Tell one caller; one cancelled meanwhile (its write is kept all the same) or whose loop has ended is skipped."""
    if done.done() or done.get_loop().is_closed():
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)
