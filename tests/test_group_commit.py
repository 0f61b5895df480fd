"""Group commit on a real run store: writes of one turn share a transaction, each caller resumes only once its own
write is committed (another connection sees it), a failed commit fails its whole group and stores none of it."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tools.run.group_commit import GroupCommit
from tools.run.runner import RunStore
from tools.scoring.metrics import ItemResult


def _result(item_id: int) -> ItemResult:
    return ItemResult(item_id, "spam", "spam", "spam", 0.01, 30, 1, None)


class CountingStore(RunStore):
    def __init__(self, path: Path):
        super().__init__(path)
        self.transactions = 0

    def transaction(self):
        self.transactions += 1
        return super().transaction()


def _stored(path: Path) -> set[int]:
    with sqlite3.connect(path) as other:  # another connection: only committed rows are visible to it
        return {row[0] for row in other.execute("SELECT item_id FROM results")}


def test_writes_of_one_turn_share_a_commit_and_each_caller_resumes_after_it(tmp_path) -> None:
    path = tmp_path / "runs.sqlite"
    store = CountingStore(path)
    writes = GroupCommit(store.transaction)
    seen_on_resume: dict[int, set[int]] = {}

    async def call(item_id: int) -> None:
        await asyncio.sleep(0)
        await writes.write(lambda: store.save("r", "m", 0, _result(item_id), False, 1, 0.0))
        seen_on_resume[item_id] = _stored(path)

    async def main() -> None:
        await asyncio.gather(*(call(i) for i in range(20)))
        await call(99)  # alone in its turn: a group of one

    asyncio.run(main())
    assert store.transactions == 2
    assert all(i in seen for i, seen in seen_on_resume.items())  # committed before its caller went on
    assert _stored(path) == {*range(20), 99}


def test_a_failed_group_stores_nothing_and_every_caller_hears_why(tmp_path) -> None:
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    writes = GroupCommit(store.transaction)

    def broken() -> None:
        store.db.execute("INSERT INTO no_such_table VALUES (1)")

    async def main() -> tuple:
        return await asyncio.gather(writes.write(lambda: store.save("r", "m", 0, _result(1), False, 1, 0.0)),
                                    writes.write(broken), return_exceptions=True)

    outcomes = asyncio.run(main())
    assert all(isinstance(o, sqlite3.OperationalError) and "no_such_table" in str(o) for o in outcomes)
    assert _stored(path) == set()
    asyncio.run(writes.write(lambda: store.save("r", "m", 0, _result(2), False, 1, 0.0)))  # the store goes on
    assert _stored(path) == {2}


def test_a_cancelled_caller_s_write_is_kept(tmp_path) -> None:
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    writes = GroupCommit(store.transaction)

    async def main() -> None:
        task = asyncio.ensure_future(writes.write(lambda: store.save("r", "m", 0, _result(7), False, 1, 0.0)))
        await asyncio.sleep(0)  # queued, its commit not yet run
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0)

    asyncio.run(main())
    assert _stored(path) == {7}


def test_a_group_left_by_an_ended_loop_is_stored_by_the_next_write(tmp_path) -> None:
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    writes = GroupCommit(store.transaction)
    loop = asyncio.new_event_loop()
    pending = loop.create_task(writes.write(lambda: store.save("r", "m", 0, _result(1), False, 1, 0.0)))
    loop.call_soon(loop.stop)
    loop.run_forever()  # one turn: the write is queued, the loop ends before the commit's turn
    loop.close()
    assert not pending.done() and _stored(path) == set()
    pending._log_destroy_pending = False  # type: ignore[attr-defined]  # its loop is gone: it can never finish
    asyncio.run(writes.write(lambda: store.save("r", "m", 0, _result(2), False, 1, 0.0)))
    assert _stored(path) == {1, 2}
