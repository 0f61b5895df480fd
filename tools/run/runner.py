"""Run candidates × techniques over an eval set: concurrent, retried, cached, persisted, resumable, capped.

Every item result is written to `runs.sqlite` as it arrives, so a crashed run resumes without repeating a
finished call and without paying twice; identical requests are answered from a response cache (errors are
never cached); a budget cap stops scheduling paid calls before the spend would pass it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import random
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

from core import workspace
from core.database_url import libpq_url
from core.problems import Problem, encode
from core.tokens import chat_tokens
from tools.candidates.base import UNREACHABLE_KINDS, WRONG_ENDPOINT_KINDS, Reply
from tools.data.evalset import EvalSplit, Item
from tools.prompting.techniques import Documents, MessageSource, message_source
from tools.run.adaptive import Stop
from tools.run.group_commit import GroupCommit
from tools.scoring.metrics import ItemResult
from tools.tasks.kinds import CLASSIFICATION, Task

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (run_id TEXT PRIMARY KEY, created REAL, config TEXT, status TEXT, note TEXT);
CREATE TABLE IF NOT EXISTS results (
    run_id TEXT, candidate TEXT, shots INTEGER, item_id INTEGER, gold TEXT, prediction TEXT, raw TEXT,
    latency_s REAL, input_tokens INTEGER, output_tokens INTEGER, error TEXT, cached INTEGER, attempts INTEGER,
    cost_usd REAL, logprob REAL, PRIMARY KEY (run_id, candidate, shots, item_id));
CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, reply TEXT, created REAL);
CREATE TABLE IF NOT EXISTS inflight (run_id TEXT, candidate TEXT, shots INTEGER, item_id INTEGER, usd REAL,
    started REAL, PRIMARY KEY (run_id, candidate, shots, item_id));
CREATE TABLE IF NOT EXISTS interrupted (run_id TEXT, candidate TEXT, shots INTEGER, item_id INTEGER, usd REAL,
    started REAL);
CREATE TABLE IF NOT EXISTS finetune_jobs (job_id TEXT PRIMARY KEY, thread_id TEXT, user_name TEXT, status TEXT,
    record TEXT, updated REAL);
"""


@dataclass
class RetryPolicy:
    attempts: int = 6
    base_s: float = 0.2
    cap_s: float = 8.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Retry-After when the server gave one, else exponential backoff with full jitter."""
        if retry_after is not None:
            return min(retry_after, 60.0)
        return random.uniform(0, min(self.cap_s, self.base_s * 2 ** attempt))


@dataclass
class CircuitBreaker:
    """Stops a candidate whose endpoint is gone: at once when its server process has exited, else after
    `threshold` unreachable calls in a row (connection refused, timeouts) — seconds, not items × retries.

    Any answer from the endpoint (even an HTTP error) shows it is there and resets the count.
    """

    threshold: int = 8
    consecutive: int = 0
    cause: str | None = None

    @property
    def open(self) -> bool:
        return self.cause is not None

    def record(self, reply: Reply, candidate) -> None:
        if self.open:
            return
        if reply.error is None or reply.kind not in (*UNREACHABLE_KINDS, *WRONG_ENDPOINT_KINDS):
            self.consecutive = 0
            return
        self.consecutive += 1
        dead = candidate.dead_cause()
        if dead:
            self.cause = dead
        elif self.consecutive >= self.threshold:
            self.cause = (reply.error if reply.kind in WRONG_ENDPOINT_KINDS else
                          encode("failure.endpoint_dead", count=self.consecutive, last=reply.error))


@dataclass
class Progress:
    candidate: str
    shots: int
    done: int
    total: int
    errors: int
    correct: int
    elapsed_s: float
    finished: bool = False
    message: str | None = None
    failure: str | None = None  # why the candidate failed (its endpoint died or never started)
    done_before: int = 0  # items of this row answered before this pass began (an earlier round, a resume)

    @property
    def rate(self) -> float:
        """Items per second of this pass only: the items answered before it took no time here."""
        fresh = self.done - self.done_before
        return fresh / self.elapsed_s if self.elapsed_s > 0 and fresh > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        return (self.total - self.done) / self.rate if self.rate > 0 else None

    @property
    def stopped_early(self) -> bool:
        """An adaptive run ended this row because its verdict is decided; `message` says why (settled, hopeless)."""
        return self.message in get_args(Stop)

    @property
    def over(self) -> bool:
        """No more items come for this row: it finished, failed or stopped early."""
        return self.finished or self.failure is not None or self.stopped_early


@dataclass
class RunOutcome:
    run_id: str
    status: str  # "finished" | "budget" | "cancelled"
    spent_usd: float
    notes: list[str] = field(default_factory=list)


class RunStore:
    """The run store: runs, per-item results and the response cache, written as each result arrives.

    `runs.sqlite` in the workspace (WAL: every write lands at once), or PostgreSQL when `MODELPICK_DATABASE_URL`
    is set, so app processes on several machines resume and report each other's runs. One set of SQL serves both
    (upserts with ON CONFLICT, `?` placeholders that the PostgreSQL connection turns into `%s`)."""

    def __init__(self, path: Path | None = None):
        url = None if path is not None else libpq_url()
        self.db: sqlite3.Connection | _PostgresConnection
        if url:
            self.db = _PostgresConnection(url)
            self.order = "seq"
            self.path = "PostgreSQL (MODELPICK_DATABASE_URL)"  # where runs are, as messages name it
        else:
            sqlite_path = Path(path) if path else workspace.home() / "runs.sqlite"
            self.path = str(sqlite_path)
            self.db = sqlite3.connect(sqlite_path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.order = "rowid"
        self.db.executescript(SCHEMA)
        self._add_columns_of_later_versions()

    def _add_columns_of_later_versions(self) -> None:
        """A store written by an earlier modelpick gains the columns added since (its rows keep NULL there)."""
        if self.order == "seq":
            present = {row[0] for row in self.db.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'results' "
                "AND table_schema = current_schema()")}
        else:
            present = {row[1] for row in self.db.execute("PRAGMA table_info(results)")}
        if "logprob" not in present:
            kind = "DOUBLE PRECISION" if self.order == "seq" else "REAL"
            with contextlib.suppress(sqlite3.OperationalError):  # another process added it since the look
                self.db.execute(f"ALTER TABLE results ADD COLUMN {'IF NOT EXISTS ' if self.order == 'seq' else ''}"
                                f"logprob {kind}")

    @staticmethod
    def exists() -> bool:
        """Whether any run was ever stored (without creating an empty store)."""
        return libpq_url() is not None or (workspace.home() / "runs.sqlite").exists()

    def create_run(self, config: dict, run_id: str | None = None) -> str:
        run_id = run_id or time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
        self.db.execute("INSERT INTO runs VALUES (?, ?, ?, 'running', NULL)", (run_id, time.time(), json.dumps(config)))
        return run_id

    def config(self, run_id: str) -> dict | None:
        row = self.db.execute("SELECT config FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def update_config(self, run_id: str, config: dict) -> None:
        """A follow-up ("add X") widens a finished run; the stored config must say so for resume and reports."""
        self.db.execute("UPDATE runs SET config = ? WHERE run_id = ?", (json.dumps(config), run_id))

    def save_job(self, record: dict) -> None:
        """A fine-tuning job as last seen (`tools.training.finetune`): kept here, so its status survives a restart."""
        self.db.execute("INSERT INTO finetune_jobs VALUES (?,?,?,?,?,?) ON CONFLICT (job_id) DO UPDATE SET "
                        "status = excluded.status, record = excluded.record, updated = excluded.updated",
                        (record["job_id"], record.get("thread_id"), record.get("user"), record["status"],
                         json.dumps(record), time.time()))

    def jobs(self, *, thread_id: str | None = None, user: str | None = None) -> list[dict]:
        """Fine-tuning jobs, oldest first: one conversation's, or one user's, or all."""
        sql, args = "SELECT record FROM finetune_jobs", []
        where = [(column, value) for column, value in (("thread_id", thread_id), ("user_name", user)) if value]
        if where:
            sql += " WHERE " + " AND ".join(f"{column} = ?" for column, _ in where)
            args = [value for _, value in where]
        records = [json.loads(row[0]) for row in self.db.execute(sql, tuple(args)).fetchall()]
        return sorted(records, key=lambda record: record.get("created", 0))

    def set_status(self, run_id: str, status: str, note: str | None = None) -> None:
        self.db.execute("UPDATE runs SET status = ?, note = ? WHERE run_id = ?", (status, note, run_id))

    def finished_items(self, run_id: str, candidate: str, shots: int) -> set[int]:
        rows = self.db.execute("SELECT item_id FROM results WHERE run_id=? AND candidate=? AND shots=? AND error IS NULL",
                               (run_id, candidate, shots))
        return {r[0] for r in rows}

    def tally(self, run_id: str, candidate: str, shots: int) -> tuple[int, int, int]:
        """Items done, errors and right answers of one row so far."""
        row = self.db.execute("SELECT COUNT(*), COALESCE(SUM(CASE WHEN error IS NOT NULL THEN 1 ELSE 0 END), 0), "
                              "COALESCE(SUM(CASE WHEN error IS NULL AND prediction = gold THEN 1 ELSE 0 END), 0) "
                              "FROM results WHERE run_id=? AND candidate=? AND shots=?",
                              (run_id, candidate, shots)).fetchone()
        return row[0], row[1], row[2]

    def save(self, run_id: str, candidate: str, shots: int, result: ItemResult, cached: bool, attempts: int,
             cost: float) -> None:
        self.db.execute(SAVE_RESULT, (run_id, candidate, shots, result.item_id, result.gold, result.prediction, result.raw,
                         result.latency_s, result.input_tokens, result.output_tokens, result.error, int(cached),
                         attempts, cost, result.logprob))

    def record_call(self, run_id: str, candidate: str, shots: int, result: ItemResult, cached: bool, attempts: int,
                    cost: float, *, paid: bool, remember: tuple[str, Reply] | None = None) -> None:
        """A call's outcome — its result, its in-flight mark removed (`paid`), its fresh answer cached — written
        inside the caller's transaction (the runner's `GroupCommit`): a kill leaves all of it or none, never a
        result that also counts as cut off."""
        self.save(run_id, candidate, shots, result, cached, attempts, cost)
        if paid:
            self.end_call(run_id, candidate, shots, result.item_id)
        if remember is not None:
            self.remember(*remember)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        if isinstance(self.db, _PostgresConnection):
            with self.db.connection.transaction():
                yield
            return
        self.db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def results(self, run_id: str) -> dict[tuple[str, int], list[ItemResult]]:
        grouped: dict[tuple[str, int], list[ItemResult]] = {}
        rows = self.db.execute("SELECT candidate, shots, item_id, gold, prediction, raw, latency_s, input_tokens, "
                               f"output_tokens, error, logprob FROM results WHERE run_id = ? ORDER BY {self.order}",
                               (run_id,))
        for cand, shots, *values in rows:
            grouped.setdefault((cand, shots), []).append(ItemResult(*values))
        return grouped

    def mean_latency(self, candidate: str) -> float | None:
        """Mean measured seconds per call of a candidate over earlier runs in this workspace (for time forecasts)."""
        row = self.db.execute("SELECT AVG(latency_s), COUNT(*) FROM results WHERE candidate = ? AND error IS NULL "
                              "AND cached = 0 AND latency_s IS NOT NULL", (candidate,)).fetchone()
        return row[0] if row and row[1] >= 10 else None

    def spent(self, run_id: str) -> float:
        """Measured cost of every billed call, plus the upper bound of calls cut off by a kill (maybe billed)."""
        # A distillation teacher's labelling run (`<run>-silver-<teacher>`, tools.training.distil) is part of the run's spend.
        measured = self.db.execute("SELECT COALESCE(SUM(cost_usd), 0) FROM results WHERE (run_id = ? OR run_id LIKE ?) "
                                   "AND cached = 0", (run_id, run_id + "-silver-%")).fetchone()[0]
        return measured + self.interrupted(run_id)[1]

    def begin_call(self, run_id: str, candidate: str, shots: int, item_id: int, usd: float) -> None:
        """A paid call is about to go out: if the process dies before its answer is saved, it still counts."""
        self.db.execute("INSERT INTO inflight VALUES (?,?,?,?,?,?) ON CONFLICT (run_id, candidate, shots, item_id) "
                        "DO UPDATE SET usd = excluded.usd, started = excluded.started",
                        (run_id, candidate, shots, item_id, usd, time.time()))

    def end_call(self, run_id: str, candidate: str, shots: int, item_id: int) -> None:
        self.db.execute("DELETE FROM inflight WHERE run_id=? AND candidate=? AND shots=? AND item_id=?",
                        (run_id, candidate, shots, item_id))

    def settle_interrupted(self, run_id: str) -> tuple[int, float]:
        """Calls a killed process left in flight become interrupted calls (counted as spent at their upper bound;
        their items are asked again). Returns how many were found now, and their dollars."""
        # Where the run has measured calls of the same candidate and technique, their mean cost is the estimate;
        # otherwise the bound stored when the call went out.
        rows = self.db.execute(
            "SELECT f.run_id, f.candidate, f.shots, f.item_id, COALESCE((SELECT AVG(r.cost_usd) FROM results r "
            "WHERE r.run_id = f.run_id AND r.candidate = f.candidate AND r.shots = f.shots AND r.cached = 0 "
            "AND r.error IS NULL), f.usd), f.started FROM inflight f WHERE f.run_id = ?", (run_id,)).fetchall()
        if rows:
            self.db.executemany("INSERT INTO interrupted VALUES (?,?,?,?,?,?)", rows)
            self.db.execute("DELETE FROM inflight WHERE run_id = ?", (run_id,))
        return len(rows), sum(row[4] for row in rows)

    def interrupted(self, run_id: str) -> tuple[int, float]:
        """All calls of this run that were cut off by a kill, and the most they may have cost."""
        row = self.db.execute("SELECT COUNT(*), COALESCE(SUM(usd), 0) FROM interrupted WHERE run_id = ?",
                              (run_id,)).fetchone()
        return row[0], row[1]

    def cached(self, key: str) -> Reply | None:
        row = self.db.execute("SELECT reply FROM cache WHERE key = ?", (key,)).fetchone()
        return Reply(**{**json.loads(row[0]), "cached": True}) if row else None

    def remember(self, key: str, reply: Reply) -> None:
        self.db.execute("INSERT INTO cache VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET reply = excluded.reply, "
                        "created = excluded.created", (key, json.dumps(reply.__dict__), time.time()))

    def close(self) -> None:
        self.db.close()


RESULT_COLUMNS = ("run_id, candidate, shots, item_id, gold, prediction, raw, latency_s, input_tokens, output_tokens, "
                  "error, cached, attempts, cost_usd, logprob")


def _updated(columns: str, key_columns: int) -> str:
    """`SET a = excluded.a, …` for the columns after the primary key's."""
    names = [column.strip() for column in columns.split(",")]
    return ", ".join(f"{name} = excluded.{name}" for name in names[key_columns:])


SAVE_RESULT = (f"INSERT INTO results ({RESULT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
               f"ON CONFLICT (run_id, candidate, shots, item_id) DO UPDATE SET {_updated(RESULT_COLUMNS, 4)}")


class _PostgresConnection:
    """The few sqlite3 connection methods the run store uses, on one autocommit psycopg connection."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.connection = psycopg.connect(url, autocommit=True)

    @staticmethod
    def _sql(query: str) -> str:
        return query.replace("?", "%s")

    def execute(self, query: str, parameters: tuple = ()):
        return self.connection.execute(self._sql(query), parameters)

    def executemany(self, query: str, rows: list) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(self._sql(query), rows)

    def executescript(self, script: str) -> None:
        # REAL is 4 bytes in PostgreSQL; results are ordered by arrival (SQLite's rowid) through `seq`.
        script = script.replace(" REAL", " DOUBLE PRECISION").replace("cost_usd DOUBLE PRECISION,",
                                                                       "cost_usd DOUBLE PRECISION, seq BIGSERIAL,")
        for statement in filter(str.strip, script.split(";")):
            self.connection.execute(statement)

    def close(self) -> None:
        self.connection.close()


def _as_reason(error: BaseException) -> dict | str:
    """A candidate's start failure as a reason when it is one of ours, else the exception's own text."""
    if isinstance(error, Problem):
        return {"id": error.id, "values": error.values}
    return f"{type(error).__name__}: {error}"


def cache_key(endpoint: str, request: dict) -> str:
    """Base URL + model + the full request: the same question to the same model is asked once. Asking for
    log-probabilities does not change the answer, so it is left out (answers cached before it are still used)."""
    asked = {k: v for k, v in request.items() if k != "logprobs"} if "logprobs" in request else request
    return hashlib.sha256((endpoint + "\n" + json.dumps(asked, sort_keys=True, ensure_ascii=False)).encode()).hexdigest()


PriceFn = Callable[[object], tuple[float, float] | None]


class Runner:
    """Runs every (candidate, shots) pair over the same eval items with the same few-shot examples."""

    def __init__(self, store: RunStore, *, retry: RetryPolicy | None = None, use_cache: bool = True,
                 progress: Callable[[Progress], None] | None = None, price: PriceFn | None = None,
                 budget_usd: float | None = None, should_stop: Callable[[], bool] | None = None,
                 task: Task = CLASSIFICATION):
        self.store = store
        self.task = task
        self.should_stop = should_stop or (lambda: False)
        self.retry = retry or RetryPolicy()
        self.use_cache = use_cache
        self.progress = progress or (lambda _p: None)
        self.price = price or (lambda _c: None)
        self.budget_usd = budget_usd
        self._spent = 0.0
        self._reserved = 0.0
        self._over_budget = False
        self._semaphores: dict[str, asyncio.Semaphore] = {}
        self._writes = GroupCommit(store.transaction)

    async def run(self, run_id: str, split: EvalSplit, labels: list[str], candidates: list, shots_list: list[int],
                  *, seed: int = 0, documents: Documents | None = None) -> RunOutcome:
        notes = self._settle(run_id)
        status = "finished"
        try:
            for candidate in candidates:
                if self.should_stop():
                    break
                if not await self._start(run_id, candidate, split, labels, shots_list, notes):
                    continue
                breaker = CircuitBreaker()
                try:
                    for shots in shots_list:
                        if self.should_stop():
                            break
                        messages = message_source(split, labels, shots, seed=seed, documents=documents,
                                                  task=self.task)
                        await self._run_pair(run_id, candidate, shots, messages, split.eval, labels, breaker)
                        if self._over_budget:
                            status = "budget"
                            notes.append(encode("note.budget", budget=self.budget_usd, spent=self._spent))
                            return RunOutcome(run_id, status, self._spent, notes)
                finally:
                    await candidate.aclose()
                if breaker.open:
                    notes.append(encode("note.failed", id=candidate.id, cause=breaker.cause))
            if self.should_stop():
                status = "cancelled"
                notes.append(encode("note.stopped"))
        except asyncio.CancelledError:
            status = "cancelled"
            raise
        finally:
            self.store.set_status(run_id, status, "; ".join(notes) or None)
        return RunOutcome(run_id, status, self._spent, notes)

    async def run_rounds(self, run_id: str, split: EvalSplit, labels: list[str], candidates: list,
                         shots_list: list[int], sizes: list[int], stops: Callable[[], dict[tuple[str, int], str]],
                         *, seed: int = 0, documents: Documents | None = None) -> RunOutcome:
        """An adaptive run: every row runs the first `sizes[0]` items, then `stops()` (a replay of the stored
        results, `tools.run.adaptive`) names the rows that end; the others go on to the next size, and so on.

        Every candidate stays started across rounds (a local server is started once). Items already stored are
        never asked again, so a resumed run repeats no call and reaches the same decisions."""
        notes = self._settle(run_id)
        status = "finished"
        started: list = []
        breakers: dict[str, CircuitBreaker] = {}
        try:
            for candidate in candidates:
                if not await self._start(run_id, candidate, split, labels, shots_list, notes):
                    continue
                started.append(candidate)
                breakers[candidate.id] = CircuitBreaker()
            ended: set[tuple[str, int]] = set()
            for size in sizes:
                for candidate in started:
                    for shots in shots_list:
                        if (candidate.id, shots) in ended or self.should_stop():
                            continue
                        messages = message_source(split, labels, shots, seed=seed, documents=documents,
                                                  task=self.task)
                        await self._run_pair(run_id, candidate, shots, messages, split.eval[:size], labels,
                                             breakers[candidate.id], total=len(split.eval), last=size == sizes[-1])
                        if self._over_budget:
                            notes.append(encode("note.budget", budget=self.budget_usd, spent=self._spent))
                            status = "budget"
                            return RunOutcome(run_id, status, self._spent, notes)
                if self.should_stop():
                    break
                for key, why in stops().items():
                    if key in ended:
                        continue
                    ended.add(key)  # why: "settled" or "hopeless" (the progress view says which)
                    done, errors, correct = self.store.tally(run_id, *key)
                    self.progress(Progress(key[0], key[1], done, done, errors, correct, 0.0, True, message=why))
            for candidate in started:
                if breakers[candidate.id].open:
                    notes.append(encode("note.failed", id=candidate.id, cause=breakers[candidate.id].cause))
            if self.should_stop():
                status = "cancelled"
                notes.append(encode("note.stopped"))
        except asyncio.CancelledError:
            status = "cancelled"
            raise
        finally:
            for candidate in started:
                await candidate.aclose()
            self.store.set_status(run_id, status, "; ".join(notes) or None)
        return RunOutcome(run_id, status, self._spent, notes)

    def _settle(self, run_id: str) -> list[str]:
        """Before a run (or a resume): calls a killed process left in flight count as spent, and say so."""
        notes: list[str] = []
        lost, lost_usd = self.store.settle_interrupted(run_id)
        if lost:
            notes.append(encode("note.interrupted_calls", count=lost, usd=lost_usd))
        self._spent = self.store.spent(run_id)
        return notes

    async def _start(self, run_id: str, candidate, split: EvalSplit, labels: list[str], shots_list: list[int],
                     notes: list[str]) -> bool:
        """Start a candidate; one that cannot start is recorded as failed with its cause (the others go on)."""
        try:
            await candidate.start(split, labels)
        except Exception as error:  # one broken candidate must not stop the others
            cause = encode("failure.could_not_start", cause=_as_reason(error))
            notes.append(encode("note.could_not_start", id=candidate.id, cause=_as_reason(error)))
            self._record_failure(run_id, candidate, split, shots_list, cause)
            for shots in shots_list:
                self.progress(Progress(candidate.id, shots, 0, len(split.eval), len(split.eval), 0, 0.0, True,
                                       failure=cause))
            return False
        return True

    def _record_failure(self, run_id: str, candidate, split: EvalSplit, shots_list: list[int], error: str) -> None:
        for shots in shots_list:
            for item in split.eval:
                result = ItemResult(item.id, item.label, None, None, None, 0, 0, error)
                self.store.save(run_id, candidate.id, shots, result, False, 0, 0.0)

    async def _run_pair(self, run_id: str, candidate, shots: int, messages: MessageSource, items: list[Item],
                        labels: list[str], breaker: CircuitBreaker | None = None, total: int | None = None,
                        last: bool = True) -> None:
        done_ids = self.store.finished_items(run_id, candidate.id, shots)
        todo = [i for i in items if i.id not in done_ids]
        total = total or len(items)
        # The row's counts so far, earlier rounds included: the live accuracy is over every item answered, not
        # only this round's (it read 87 % → 14 % across a round boundary).
        _, errors, correct = self.store.tally(run_id, candidate.id, shots) if done_ids else (0, 0, 0)
        state = {"done": len(done_ids), "errors": errors, "correct": correct}
        started = time.perf_counter()
        semaphore = self._semaphores.setdefault(candidate.endpoint, asyncio.Semaphore(candidate.max_concurrency))
        price = self.price(candidate)
        breaker = breaker or CircuitBreaker()

        def report(finished: bool = False) -> None:
            self.progress(Progress(candidate.id, shots, state["done"], total, state["errors"], state["correct"],
                                   time.perf_counter() - started, finished and last, failure=breaker.cause,
                                   done_before=len(done_ids)))

        report()

        def failed(item: Item) -> None:
            """The endpoint is gone: the item is recorded as failed with the cause, without another call."""
            result = ItemResult(item.id, item.label, None, None, None, 0, 0, breaker.cause)
            self.store.save(run_id, candidate.id, shots, result, False, 0, 0.0)
            state["done"] += 1
            state["errors"] += 1
            report()

        async def one(item: Item) -> None:
            if self._over_budget or self.should_stop():
                return
            if breaker.open:
                return failed(item)
            async with semaphore:
                if self.should_stop():  # the user pressed stop: finished items stay, nothing new starts
                    return
                if breaker.open:
                    return failed(item)
                request = self.task.adjust(candidate.request(messages(item), item.text), labels)
                estimate = self._estimate(request, price) if price and self.budget_usd is not None else 0.0
                if estimate and self.budget_usd is not None and self._spent + self._reserved + estimate > self.budget_usd:
                    self._over_budget = True
                    return
                self._reserved += estimate  # calls in flight count against the budget until they report usage
                if price and any(price):
                    upper = self._upper_cost(request, price)
                    await self._writes.write(lambda: self.store.begin_call(run_id, candidate.id, shots, item.id, upper))
                try:
                    reply, attempts, billed, fresh = await self._call(candidate, request, breaker)
                finally:
                    self._reserved -= estimate
            if reply.error is not None and breaker.open:
                reply.error = breaker.cause  # the cause, not the symptom ("connection refused")
            prediction = self.task.parse(reply.raw, labels) if reply.error is None else None
            result = ItemResult(item.id, item.label, prediction, reply.raw, reply.latency_s, reply.input_tokens,
                                reply.output_tokens, reply.error, reply.logprob)
            cost = 0.0 if (reply.cached or not price) else (billed[0] * price[0] + billed[1] * price[1])
            self._spent += cost
            await self._writes.write(lambda: self.store.record_call(
                run_id, candidate.id, shots, result, reply.cached, attempts, cost, paid=bool(price and any(price)),
                remember=fresh))
            state["done"] += 1
            state["errors"] += reply.error is not None
            state["correct"] += result.correct
            report()

        await asyncio.gather(*(one(item) for item in todo))
        report(finished=True)

    def _upper_cost(self, request: dict, price: tuple[float, float]) -> float:
        """The most one call (with its retries) can be billed: every attempt's prompt and full answer. A token is
        at least one byte, so the prompt's UTF-8 bytes (plus the chat framing) bound its tokens without loading a
        tokenizer on the hot path; a resumed run replaces the bound by the run's measured cost per call."""
        messages = request.get("messages", [])
        prompt = sum(len(str(m.get("content", "")).encode()) + 4 for m in messages) + 3
        return self.retry.attempts * (prompt * price[0] + request.get("max_tokens", 16) * price[1])

    @staticmethod
    def _estimate(request: dict, price: tuple[float, float]) -> float:
        """An upper estimate of one call's cost: content tokens + chat framing, with 20 % headroom."""
        tokens = chat_tokens(request.get("messages", []))
        return 1.2 * (tokens * price[0] + request.get("max_tokens", 16) * price[1])

    async def _call(self, candidate, request: dict, breaker: CircuitBreaker
                    ) -> tuple[Reply, int, tuple[int, int], tuple[str, Reply] | None]:
        """The reply (after retries), the attempts, the tokens every attempt was billed for (a failed attempt
        that the server answered — a wrong model, say — is paid too), and a fresh answer to cache with its key."""
        key = cache_key(candidate.endpoint, request) if (self.use_cache and candidate.cacheable) else None
        if key is not None:
            hit = self.store.cached(key)
            if hit is not None:
                return hit, 0, (0, 0), None
        reply = Reply(None, None, error="not attempted")
        billed = [0, 0]
        for attempt in range(self.retry.attempts):
            reply = await candidate.send(request)
            billed[0] += reply.input_tokens
            billed[1] += reply.output_tokens
            breaker.record(reply, candidate)
            if reply.error is None:
                return reply, attempt + 1, (billed[0], billed[1]), None if key is None else (key, reply)
            if not reply.retryable or breaker.open or attempt == self.retry.attempts - 1:
                break
            await asyncio.sleep(self.retry.delay(attempt, reply.retry_after_s))
        return reply, attempt + 1, (billed[0], billed[1]), None
