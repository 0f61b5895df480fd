"""tools/run/runner.py against a real-HTTP stub: faults retried, nothing scored twice, cache, budget, resume."""

from __future__ import annotations

import asyncio

import pytest

from tests.stub_server import StubConfig, StubServer
from tools.candidates.base import CandidateError
from tools.candidates.chat import ChatCandidate
from tools.data.evalset import Item, split
from tools.run.runner import RetryPolicy, Runner, RunStore
from words.catalog import render

LABELS = ["negative", "positive"]
FAST_RETRY = RetryPolicy(attempts=8, base_s=0.01, cap_s=0.05)


def _items(n: int = 60) -> list[Item]:
    return [Item(i, f"review number {i} says it is [{LABELS[i % 2]}]", LABELS[i % 2]) for i in range(n)]


def _split(n_eval: int = 40):
    return split(_items(), eval_size=n_eval, seed=0)


def _run(store: RunStore, stub: StubServer, *, run_id: str | None = None, budget=None, price=None, shots=(0,),
         timeout_s: float = 2.0, use_cache: bool = True):
    the_split = _split()
    candidate = ChatCandidate("stub", model="stub-model", base_url=stub.url, max_concurrency=8, timeout_s=timeout_s,
                              input_usd_per_1m=price[0] if price else None, output_usd_per_1m=price[1] if price else None)
    run_id = run_id or store.create_run({})
    runner = Runner(store, retry=FAST_RETRY, use_cache=use_cache, budget_usd=budget,
                    price=(lambda c: (price[0] / 1e6, price[1] / 1e6)) if price else None)
    outcome = asyncio.run(runner.run(run_id, the_split, LABELS, [candidate], list(shots)))
    return run_id, outcome, store.results(run_id)


def test_thirty_percent_faults_give_the_same_results_as_none(tmp_path) -> None:
    with StubServer(StubConfig(timeout_sleep_s=0.5)) as clean:
        _, _, expected = _run(RunStore(tmp_path / "a.sqlite"), clean)
    config = StubConfig(fault_rate=0.3, timeout_sleep_s=0.5, seed=3)
    with StubServer(config) as faulty:
        _, outcome, got = _run(RunStore(tmp_path / "b.sqlite"), faulty, timeout_s=0.3)
        assert set(faulty.stats.faults) == {"429", "500", "timeout", "drop", "garbage"}
        assert sum(faulty.stats.faults.values()) >= 8
        # every item answered (scored) exactly once, although many calls failed first
        assert len(faulty.stats.served_per_text) == 40 and set(faulty.stats.served_per_text.values()) == {1}
    rows = got[("stub", 0)]
    assert len(rows) == 40 and all(r.error is None for r in rows)
    assert {(r.item_id, r.prediction) for r in rows} == {(r.item_id, r.prediction) for r in expected[("stub", 0)]}
    assert outcome.status == "finished"
    accuracy = sum(r.correct for r in rows) / 40
    assert 0.6 < accuracy < 0.95  # the stub is right about 80 % of the time: a real measurement


def test_retry_after_is_honoured() -> None:
    policy = RetryPolicy(base_s=0.01, cap_s=0.02)
    assert policy.delay(0, 1.5) == 1.5
    assert 0 <= policy.delay(3, None) <= 0.02


def test_identical_requests_are_answered_from_the_cache(tmp_path) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    with StubServer() as stub:
        _run(store, stub)
        first = stub.stats.completions
        _, _, again = _run(store, stub)
        assert first == 40 and stub.stats.completions == 40  # second run: no call reached the server
    assert len(again[("stub", 0)]) == 40


def test_errors_are_not_cached(tmp_path) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    with StubServer(StubConfig(fault_rate=1.0, faults=("500",))) as stub:
        _, _, got = _run(store, stub)
        assert all(r.error and render(r.error, "en").startswith("HTTP 500") for r in got[("stub", 0)])
    assert store.db.execute("SELECT COUNT(*) FROM cache").fetchone()[0] == 0


def test_resume_runs_only_what_is_missing(tmp_path) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    with StubServer() as stub:
        run_id, _, _ = _run(store, stub, use_cache=False)
        store.db.execute("DELETE FROM results WHERE run_id = ? AND item_id IN "
                         "(SELECT item_id FROM results WHERE run_id = ? LIMIT 15)", (run_id, run_id))
        stub.reset_stats()
        _, _, got = _run(store, stub, run_id=run_id, use_cache=False)
        assert stub.stats.completions == 15
    assert len(got[("stub", 0)]) == 40


def test_budget_cap_stops_before_exceeding(tmp_path) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    price = (1000.0, 1000.0)  # $ per 1M tokens: a few cents per call, so a $0.5 budget allows a handful
    with StubServer() as stub:
        run_id, outcome, got = _run(store, stub, budget=0.5, price=price)
    assert outcome.status == "budget"
    assert 0 < store.spent(run_id) <= 0.5
    assert 0 < len(got[("stub", 0)]) < 40


def test_model_name_is_checked_against_what_the_server_serves(tmp_path) -> None:
    with StubServer(StubConfig(model="real-model")) as stub:
        candidate = ChatCandidate("x", model="typo-model", base_url=stub.url)
        with pytest.raises(CandidateError, match="candidate.model_not_served"):
            asyncio.run(candidate.start(_split(), LABELS))


def test_a_reply_from_another_model_is_a_paid_failure_never_a_wrong_answer(tmp_path) -> None:
    store = RunStore(tmp_path / "r.sqlite")
    with StubServer(StubConfig(reply_model="other-model", list_models=False)) as stub:
        run_id, outcome, got = _run(store, stub, price=(1.0, 1.0))
        calls = stub.stats.completions
    rows = got[("stub", 0)]
    assert all("answered as model 'other-model'" in render(r.error, "en") for r in rows)
    assert all(r.prediction is None for r in rows)  # not scored as answers
    assert calls < 40  # the breaker stopped a consistently wrong endpoint; no item × retries storm
    assert store.spent(run_id) > 0  # those answers were billed, and the spend says so
    assert any("failed" in render(n, "en") for n in outcome.notes)


def test_an_occasional_wrong_model_reply_is_retried_to_a_right_one(tmp_path) -> None:
    config = StubConfig(reply_model="other-model", reply_model_rate=0.3, list_models=False, seed=5)
    with StubServer(config) as stub:
        _, _, got = _run(RunStore(tmp_path / "r.sqlite"), stub)
        assert stub.stats.completions > 40  # some were answered by the wrong model and asked again
    assert all(r.error is None for r in got[("stub", 0)])


def test_bad_key_and_unreachable_endpoint_fail_at_start_with_one_line() -> None:
    with StubServer(StubConfig(api_key="right")) as stub:
        candidate = ChatCandidate("x", model="stub-model", base_url=stub.url, api_key="wrong")
        with pytest.raises(CandidateError, match="candidate.bad_key"):
            asyncio.run(candidate.start(_split(), LABELS))
    from tools.candidates.local import free_port

    candidate = ChatCandidate("x", model="m", base_url=f"http://127.0.0.1:{free_port()}/v1", timeout_s=2)
    with pytest.raises(CandidateError, match="candidate.unreachable"):
        asyncio.run(candidate.start(_split(), LABELS))


@pytest.mark.parametrize("fault, kind, words", [("drop", "connection", "connection"),
                                                 ("timeout", "timeout", "timeout after 0.3 s"),
                                                 ("garbage", "malformed", "malformed response: JSONDecodeError"),
                                                 ("500", "http", "HTTP 500")])
def test_each_fault_is_named_for_what_happened(fault, kind, words) -> None:
    """The SDK's aiohttp transport reports a dropped connection as a connect timeout; the user is told it dropped."""

    async def one_call(url: str):
        candidate = ChatCandidate("stub", model="stub-model", base_url=url, timeout_s=0.3)
        await candidate.start(_split(), LABELS)
        try:
            return await candidate.send(candidate.request([{"role": "user", "content": "review number 1"}], "x"))
        finally:
            await candidate.aclose()

    with StubServer(StubConfig(fault_rate=1.0, faults=(fault,), timeout_sleep_s=1.0)) as stub:
        reply = asyncio.run(one_call(stub.url))
    assert reply.kind == kind and reply.retryable and reply.raw is None
    assert words in render(reply.error, "en"), render(reply.error, "en")


def test_a_run_store_of_an_earlier_version_gains_the_new_columns_and_keeps_its_rows(tmp_path) -> None:
    import sqlite3

    old = sqlite3.connect(tmp_path / "runs.sqlite")
    old.executescript("""
CREATE TABLE runs (run_id TEXT PRIMARY KEY, created REAL, config TEXT, status TEXT, note TEXT);
CREATE TABLE results (run_id TEXT, candidate TEXT, shots INTEGER, item_id INTEGER, gold TEXT, prediction TEXT, raw TEXT,
    latency_s REAL, input_tokens INTEGER, output_tokens INTEGER, error TEXT, cached INTEGER, attempts INTEGER,
    cost_usd REAL, PRIMARY KEY (run_id, candidate, shots, item_id));
INSERT INTO runs VALUES ('r1', 0, '{}', 'finished', NULL);
INSERT INTO results VALUES ('r1', 'stub', 0, 7, 'positive', 'positive', 'positive', 0.1, 10, 1, NULL, 0, 1, 0.0);
""")
    old.close()
    store = RunStore(tmp_path / "runs.sqlite")
    assert store.results("r1")[("stub", 0)][0].logprob is None
    with StubServer() as stub:
        run_id, _, got = _run(store, stub)
    assert all(r.logprob is not None and r.logprob <= 0 for r in got[("stub", 0)])  # the stub returns them
    assert RunStore(tmp_path / "runs.sqlite").results("r1")[("stub", 0)][0].item_id == 7  # opened again: no change
