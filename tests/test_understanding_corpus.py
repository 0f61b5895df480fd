"""The brief reader on people's words: two corpus halves written apart (tests/corpus/SPEC.md), every quantity
accounted for, and sentences generated from a small grammar.

The tune half is what the reader was tuned on; the held-out half was written by a separate session and its
failures were not looked at while tuning — its floor is the score measured once, at the end (issue 30's note).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.quantities import DENOMINATOR, find_quantities, normalise
from agent.understand import place_quantities, understand_rules
from tests.corpus.score import load, read_case, score

# The floors: the scores measured when the reader was finished, so a change that reads worse fails here.
TUNE_FLOOR = 0.98
# The held-out half's first measurement, untouched (2026-12-07: 680/763 fields, 89.1 %; 127/178 cases fully
# right); after the fourth tune round 704/763 (92.3 %; 138/178); after brief_tune4 706/763 (92.5 %; 140/178);
# after brief_tune5 717/763 (94.0 %; 145/178); after brief_tune6 719/763 (94.2 %; 147/178). The goal is
# 95 %, not met yet — the floor keeps what was measured from getting worse.
HELDOUT_FLOOR = 0.935


@pytest.mark.parametrize(("half", "floor"), [("brief_tune", TUNE_FLOOR), ("brief_tune2", TUNE_FLOOR),
                                           ("brief_tune3", 0.97), ("brief_tune4", TUNE_FLOOR), ("brief_tune5", 0.96), ("brief_tune6", 0.93),
                                           ("brief_heldout", HELDOUT_FLOOR)])
def test_per_field_accuracy_on_each_half(half: str, floor: float) -> None:
    report = score(half)
    assert report["cases"] >= 140
    share = report["fields_right"] / report["fields"]
    assert share >= floor, f"{half}: {share:.1%} of fields right (floor {floor:.0%})"


_DIGITS = re.compile(r"(?<![a-z_\d.,])\d+(?:[.,]\d+)*")


def _not_a_quantity(text: str, start: int, end: int) -> bool:
    """Years, dates, times, versions, list numbers: digits that state no amount."""
    raw = text[start:end]
    after, before = text[end:end + 2], text[max(0, start - 1):start]
    return bool(re.fullmatch(r"(?:19|20)\d\d", raw) or re.match(r"[-:/]\d", after) or before in ("-", ":", "v", "/")
                or re.match(r"[.)、]\s", after) and re.search(r"(?:^|\n|/)\s*$", text[:start]))


def _messages(half: str) -> list[tuple[str, str | None]]:
    return [(turn["say"], turn.get("asked")) for case in load(half) for turn in case["turns"]]


HALVES = ["brief_tune", "brief_tune2", "brief_tune3", "brief_tune4", "brief_tune5", "brief_tune6", "brief_heldout"]


@pytest.mark.parametrize("half", HALVES)
def test_every_number_in_every_message_is_a_quantity_that_is_placed(half: str) -> None:
    """No silent drops, part 1: every digit in a message belongs to a quantity, and every quantity is placed —
    in the brief, as a fact beside it, as a price's denominator, or among the unplaced the reply names."""
    missed, unplaced = [], []
    for said, asked in _messages(half):
        text = normalise(said)
        place, quantities = place_quantities(text, asked)
        spans = [(q.start, q.end) for q in quantities]
        for m in _DIGITS.finditer(text):
            inside = any(a <= m.start() and m.end() <= b for a, b in spans)
            if not inside and not _not_a_quantity(text, m.start(), m.end()):
                missed.append((said, m.group(0)))
        unplaced += [(said, q.text) for q in quantities if q.placed is None]
    assert missed == [] and unplaced == []


@pytest.mark.parametrize("half", HALVES)
def test_what_is_not_placed_is_named_in_the_reply(half: str) -> None:
    """No silent drops, part 2: each quantity that went to no field of the brief appears in the reply's words."""
    from agent.graph import _turn_preamble

    silent = []
    for case in load(half):
        state = read_case(case)
        update = state["update"]
        reply = "\n".join(_turn_preamble(state))  # type: ignore[arg-type]
        for item in update.get("unplaced") or []:
            if item["why"] != "latency_unit" and item["text"] not in reply:
                silent.append((case["id"], item["text"]))
    assert silent == []


def test_the_guides_own_example_in_one_sentence_keeps_its_cost_limit() -> None:
    update = understand_rules("Classify news articles as fake or real: accuracy 90%, under $5 per 1,000 articles, "
                              "under 2 s.")
    assert (update.accuracy_target, update.max_cost_per_1k_usd, update.max_latency_s) == (0.9, 5.0, 2.0)
    assert update.labels == ["fake", "real"] and update.unplaced == []


@pytest.mark.parametrize(("message", "field"), [
    ("95% accuracy, latency doesn't matter, 3k a day", "max_latency_s"),
    ("we need 90%; cost is not a concern as long as it is right", "max_cost_per_1k_usd"),
    ("准确率95%，速度无所谓，每天三千条", "max_latency_s"),
    ("成本不限，但是准确率要九成", "max_cost_per_1k_usd"),
])
def test_a_waiver_inside_a_longer_sentence(message: str, field: str) -> None:
    assert field in understand_rules(message).waived


def test_the_evaluations_own_budget_is_never_a_cost_per_item() -> None:
    for message, amount, currency in [("our budget for this evaluation is $50", 50, "USD"),
                                      ("评测预算100元", 100, "CNY"), ("最多花5美元来测试", 5, "USD")]:
        update = understand_rules(message)
        assert update.max_cost_per_1k_usd is None and update.cost_in is None
        assert update.eval_budget is not None
        assert (update.eval_budget["amount"], update.eval_budget["currency"]) == (amount, currency)


# ---------------------------------------------------------------- sentences from a grammar

_EN_DENOMINATORS = [("per 1,000 {unit}", 1), ("per 1000 {unit}", 1), ("per thousand {unit}", 1), ("/1k", 1),
                    ("for every thousand {unit}", 1), ("per million {unit}", 1e-3), ("per {one}", 1e3),
                    ("each {one}", 1e3), ("a {one}", 1e3)]
_UNITS = [("articles", "article"), ("emails", "email"), ("messages", "message"), ("tickets", "ticket"),
          ("requests", "request"), ("items", "item"), ("calls", "call")]
_LEADS = ["", "we can pay ", "cost under ", "at most ", "no more than ", "budget is ", "keep it below "]
_AMOUNTS = st.sampled_from([0.5, 1, 2, 3, 5, 7.5, 10, 12, 20, 0.02, 0.25])


@settings(max_examples=150, deadline=None)
@given(amount=_AMOUNTS, denominator=st.sampled_from(_EN_DENOMINATORS), unit=st.sampled_from(_UNITS),
       lead=st.sampled_from(_LEADS), form=st.sampled_from(["${a}", "{a} dollars", "USD {a}", "{a} usd"]))
def test_english_costs_per_any_denominator(amount: float, denominator: tuple[str, float], unit: tuple[str, str],
                                           lead: str, form: str) -> None:
    phrase, factor = denominator
    money = form.format(a=f"{amount:g}")
    message = f"{lead}{money} {phrase.format(unit=unit[0], one=unit[1])}".replace(" /", "/")
    assert understand_rules(message).max_cost_per_1k_usd == pytest.approx(amount * factor, rel=1e-6), message


_ZH_DENOMINATORS = [("每千条", 1), ("每一千条", 1), ("每1000条", 1), ("每万条", 0.1), ("每条", 1e3), ("每次调用", 1e3)]
_ZH_CURRENCIES = [("美元", "USD"), ("美金", "USD"), ("元", "CNY"), ("块", "CNY"), ("元人民币", "CNY")]


@settings(max_examples=120, deadline=None)
@given(amount=st.sampled_from([1, 2, 3, 5, 8, 10, 0.5]), denominator=st.sampled_from(_ZH_DENOMINATORS),
       currency=st.sampled_from(_ZH_CURRENCIES), verb=st.sampled_from(["不超过", "最多", "预算", "控制在", ""]),
       order=st.booleans())
def test_chinese_costs_per_any_denominator(amount: float, denominator: tuple[str, float], currency: tuple[str, str],
                                           verb: str, order: bool) -> None:
    per, factor = denominator
    money = f"{amount:g}{currency[0]}"
    message = f"{per}{verb}{money}" if order else f"{money}{per}"
    update = understand_rules(message)
    expected = amount * factor
    if currency[1] == "USD":
        assert update.max_cost_per_1k_usd == pytest.approx(expected), message
    else:
        assert update.cost_in is not None and update.cost_in["currency"] == "CNY", message
        assert update.cost_in["amount"] == pytest.approx(expected), message


_PERCENT_WORDS = [("{p}%", 1), ("{p} percent", 1), ("{p} per cent", 1)]


@settings(max_examples=120, deadline=None)
@given(p=st.integers(min_value=50, max_value=99), form=st.sampled_from(_PERCENT_WORDS),
       lead=st.sampled_from(["accuracy ", "at least ", "we need ", "it should be right ", "target: ", "准确率", ""]),
       tail=st.sampled_from(["", " accuracy", " of the time", " correct"]))
def test_percentages_are_accuracy_wherever_they_stand(p: int, form: tuple[str, int], lead: str, tail: str) -> None:
    message = lead + form[0].format(p=p) + tail
    assert understand_rules(message).accuracy_target == pytest.approx(p / 100), message


@settings(max_examples=120, deadline=None)
@given(value=st.sampled_from([0.2, 0.25, 0.5, 0.8, 1, 1.5, 2, 3, 5, 10]),
       unit=st.sampled_from([("s", 1), (" seconds", 1), (" sec", 1), ("ms", 1e-3), (" milliseconds", 1e-3),
                             ("秒", 1), ("毫秒", 1e-3)]),
       lead=st.sampled_from(["under ", "within ", "p95 under ", "latency ", "at most ", "延迟", "不超过", ""]))
def test_durations_are_latency(value: float, unit: tuple[str, float], lead: str) -> None:
    amount = value * 1000 if unit[1] == 1e-3 else value
    message = f"{lead}{amount:g}{unit[0]}"
    assert understand_rules(message).max_latency_s == pytest.approx(value), message


@settings(max_examples=120, deadline=None)
@given(count=st.sampled_from([300, 2000, 5000, 20000, 150000]),
       form=st.sampled_from(["{n:,} {noun} a day", "{n:,} {noun} per day", "{n:,}/day", "about {n:,} {noun} daily",
                             "{k}k {noun} a day", "{m:,} {noun} a month", "{m:,} {noun} per month",
                             "每天{n}条", "日均{n}条", "每月{m}条"]),
       noun=st.sampled_from(["tickets", "emails", "orders", "messages", "requests"]))
def test_volumes_in_any_period(count: int, form: str, noun: str) -> None:
    message = form.format(n=count, k=f"{count / 1000:g}", m=count * 30, noun=noun)
    assert understand_rules(message).volume_per_day == pytest.approx(count, rel=1e-6), message


@settings(max_examples=60, deadline=None)
@given(spend=st.sampled_from([100, 300, 500, 1200]), period=st.sampled_from([("a month", 30), ("per month", 30),
                                                                            ("a day", 1), ("a year", 365)]),
       volume=st.sampled_from([1000, 5000, 20000]))
def test_a_budget_per_period_with_a_volume_becomes_a_ceiling(spend: int, period: tuple[str, int], volume: int) -> None:
    from langchain_core.messages import HumanMessage

    from agent.graph import intake

    message = f"we can spend ${spend} {period[0]}; we see about {volume:,} orders a day"
    out = intake({"messages": [HumanMessage(message)], "brief": {}, "facts": {}}, {})  # type: ignore[arg-type]
    assert out["brief"]["max_cost_per_1k_usd"] == pytest.approx(spend / period[1] / volume * 1000, rel=1e-4)


def test_denominators_are_not_counted_twice() -> None:
    quantities = find_quantities(normalise("$5 per 1,000 articles"))
    assert [q.placed for q in quantities if q.kind == "count"] == [DENOMINATOR]


def test_a_ceiling_in_yuan_asks_for_a_rate_and_is_kept_in_both_currencies() -> None:
    from langchain_core.messages import HumanMessage

    from agent.graph import intake, next_question

    state: dict = {"messages": [HumanMessage("把客服消息分成投诉、咨询、建议，准确率九成，每千条不超过2元")], "brief": {},
                   "facts": {}}
    state.update(intake(state, {}))  # type: ignore[arg-type]
    assert state["brief"]["max_cost_per_1k_usd"] is None  # never converted with a rate nobody gave
    assert state["facts"]["cost_in"] == {"amount": 2.0, "currency": "CNY", "text": "2元"}
    question, pending = next_question(state, has_data=False)  # type: ignore[arg-type]
    assert "汇率" in question and pending == {"kind": "field", "field": "rate", "currency": "CNY"}
    state.update({"pending": pending, "messages": [*state["messages"], HumanMessage("7.2")]})
    state.update(intake(state, {}))  # type: ignore[arg-type]
    assert state["brief"]["max_cost_per_1k_usd"] == pytest.approx(2 / 7.2, rel=1e-4)
    assert state["brief"]["accuracy_target"] == pytest.approx(0.9)  # "7.2" answered the rate, nothing else
    assert state["facts"]["rates"] == {"CNY": 7.2}


# ---------------------------------------------------------------- questions and commands

ASKS_TUNE_FLOOR = 0.97
# First measurement, untouched: 87/110 (79.1 %); after round four: 94/110 (85.5 %); after asks_tune4: 95/110;
# after asks_tune5: 97/110 (88.2 %).
ASKS_HELDOUT_FLOOR = 0.88


@pytest.mark.parametrize(("half", "floor"), [("asks_tune", ASKS_TUNE_FLOOR), ("asks_tune2", ASKS_TUNE_FLOOR),
                                           ("asks_tune3", 0.94), ("asks_tune4", 0.94), ("asks_tune5", 0.94),
                                           ("asks_heldout", ASKS_HELDOUT_FLOOR)])
def test_questions_and_commands_get_their_intent_and_targets(half: str, floor: float) -> None:
    """Through the graph's intake: the command each message becomes, or the answer it gets, and which rows."""
    from tests.corpus.score import score_asks

    report = score_asks(half)
    assert report["cases"] >= 100
    assert report["right"] / report["cases"] >= floor, f"{half}: {report['right']}/{report['cases']}"


@pytest.mark.parametrize("message", ["sounds right, kick it off", "looks good, go ahead and start it now please",
                                     "就按这个来吧", "ok let's do this thing"])
def test_meaning_alone_never_spends(message: str) -> None:
    """A "go" in other words is asked once more for the plain word; only is_go's whole-message yes runs a plan."""
    from langchain_core.messages import HumanMessage

    from agent.graph import decide, intake
    from tests.corpus.score import ask_state

    state = ask_state("plan")
    state["messages"] = [HumanMessage(message)]
    state.update(intake(state, {}))  # type: ignore[arg-type]
    assert decide(state) != "run_eval"  # type: ignore[arg-type]
