"""The rules reader: English and Chinese phrasings, corrections, bare answers and unclear ones."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.state import Brief, BriefUpdate, merge_brief
from agent.understand import understand_rules

A = "accuracy_target"
C = "max_cost_per_1k_usd"
L = "max_latency_s"
V = "volume_per_day"

# (message, the field the assistant last asked about, expected values in the update)
PHRASINGS = [
    # use case and task type
    ("classify support tickets", None, {"task_type": "classification", "use_case": "classify support tickets"}),
    ("We need to detect spam in SMS messages", None, {"task_type": "classification"}),
    ("sentiment analysis of product reviews", None, {"task_type": "classification"}),
    ("extract invoice numbers and dates from emails", None, {"task_type": "extraction"}),
    ("summarize news articles into two sentences", None, {"task_type": "generation"}),
    ("translate support replies into German", None, {"task_type": "generation"}),
    ("把新闻分成真假", None, {"task_type": "classification", "labels": ["真", "假"]}),
    ("从合同里提取甲方和金额", None, {"task_type": "extraction"}),
    ("给客户邮件生成回复", None, {"task_type": "generation"}),
    ("判断评论是正面还是负面", None, {"task_type": "classification"}),
    # labels
    ("labels: spam, ham", None, {"labels": ["spam", "ham"], "use_case": None}),
    ("the classes are billing, bugs and sales", None, {"labels": ["billing", "bugs", "sales"]}),
    ("classify tickets into billing, bugs and sales", None, {"labels": ["billing", "bugs", "sales"]}),
    ("tag each review as positive, negative or neutral", None, {"labels": ["positive", "negative", "neutral"]}),
    ("标签：正面、负面、中性", None, {"labels": ["正面", "负面", "中性"]}),
    ("分为账单、故障和销售三类", None, {"labels": ["账单", "故障", "销售"]}),
    ("positive / negative", "labels", {"labels": ["positive", "negative"]}),
    # accuracy
    ("90%", None, {A: 0.9}),
    ("0.9", A, {A: 0.9}),
    ("at least 95 percent", None, {A: 0.95}),
    ("we need 92% accuracy", None, {A: 0.92}),
    ("accuracy of 0.85", None, {A: 0.85}),
    ("90", A, {A: 0.9}),
    ("九成", None, {A: 0.9}),
    ("九成五", None, {A: 0.95}),
    ("准确率95%", None, {A: 0.95}),
    ("准确率要达到百分之九十", None, {A: 0.9}),
    ("actually 95%", None, {A: 0.95}),
    ("13% of messages are spam", None, {A: None}),
    # money per outcome
    ("a right answer saves $50, a wrong one costs $300", None,
     {"value_per_correct_usd": 50, "cost_per_error_usd": 300}),
    ("each mistake costs us $20", None, {"cost_per_error_usd": 20}),
    ("a correct answer is worth 2 dollars", None, {"value_per_correct_usd": 2}),
    ("答对一次省50美元，答错一次损失300美元", None, {"value_per_correct_usd": 50, "cost_per_error_usd": 300}),
    ("a human re-checks wrong ones and that costs us ~$4 each", None, {"cost_per_error_usd": 4}),
    # cost ceiling
    ("under $5 per 1000", None, {C: 5}),
    ("half a cent per item", None, {C: 5}),
    ("每千条不超过5美元", None, {C: 5}),
    ("$0.002 per item", None, {C: 2}),
    ("budget is $10 per 1k", None, {C: 10}),
    ("no more than 3 dollars per thousand", None, {C: 3}),
    ("$2 per million items", None, {C: 0.002}),
    ("每条不超过0.01美元", None, {C: 10}),
    # latency
    ("2 s", None, {L: 2}),
    ("500 ms", None, {L: 0.5}),
    ("2秒内", None, {L: 2}),
    ("两秒", None, {L: 2}),
    ("under 1.5 seconds per item", None, {L: 1.5}),
    ("300毫秒", None, {L: 0.3}),
    ("3", L, {L: 3}),
    # volume
    ("10k a day", None, {V: 10000}),
    ("每天一万条", None, {V: 10000}),
    ("about 8k support emails a day", None, {V: 8000}),
    ("300,000 per month", None, {V: 10000}),
    ("1.5m requests per day", None, {V: 1500000}),
    ("每月三万条", None, {V: 1000}),
    ("5000", V, {V: 5000}),
    # constraints
    ("must run on-prem", None, {"constraints": ["on-prem"]}),
    ("open weights only", None, {"constraints": ["open weights"]}),
    ("data can't leave the EU", None, {"constraints": ["data residency: EU"]}),
    ("必须本地部署", None, {"constraints": ["on-prem"]}),
    ("只能用开源模型", None, {"constraints": ["open weights"]}),
    ("数据不能出境", None, {"constraints": ["data residency: CN"]}),
    # several facts at once
    ("classify tickets into billing, bugs and sales, 90% accuracy, under $5 per 1000, 2 s, 10k a day", None,
     {"labels": ["billing", "bugs", "sales"], A: 0.9, C: 5, L: 2, V: 10000}),
    ("把新闻分成真假，准确率九成，每千条不超过5美元，2秒内，每天一万条", None,
     {A: 0.9, C: 5, L: 2, V: 10000, "task_type": "classification"}),
]


@pytest.mark.parametrize(("message", "pending_field", "expected"), PHRASINGS, ids=[p[0][:40] for p in PHRASINGS])
def test_phrasing(message: str, pending_field: str | None, expected: dict) -> None:
    pending = {"kind": "field", "field": pending_field} if pending_field else None
    update = understand_rules(message, pending=pending)
    for key, value in expected.items():
        got = getattr(update, key)
        if isinstance(value, float | int) and not isinstance(value, bool) and got is not None:
            assert got == pytest.approx(value), (key, got)
        else:
            assert got == value, (key, got)


def test_there_are_at_least_sixty_phrasings() -> None:
    assert len(PHRASINGS) >= 60
    assert sum(any("\u4e00" <= ch <= "\u9fff" for ch in p[0]) for p in PHRASINGS) >= 18


@pytest.mark.parametrize(("message", "intent"), [
    ("what do you know so far?", "summary"), ("summary", "summary"), ("总结一下", "summary"),
    ("目前你知道什么", "summary"), ("help", "help"), ("怎么用", "help"), ("hi", "greeting"), ("你好", "greeting"),
])
def test_intents(message: str, intent: str) -> None:
    assert understand_rules(message).intent == intent


@pytest.mark.parametrize(("message", "field", "kind"), [
    ("as high as possible", A, "vague"),
    ("越高越好", A, "vague"),
    ("cheap", C, "vague"),
    ("fast", L, "vague"),
    ("500", L, "unit"),
])
def test_unclear_answers_get_a_follow_up(message: str, field: str, kind: str) -> None:
    update = understand_rules(message, pending={"kind": "field", "field": field})
    assert update.unclear == {field: kind}
    assert getattr(update, field) is None


def test_a_bare_amount_answers_the_per_1000_question_it_was_asked() -> None:
    """The question asks for dollars per 1,000 items, so "5" and "about $5" answer it (and are shown back)."""
    for message in ("5", "about $5", "$5"):
        update = understand_rules(message, pending={"kind": "field", "field": C})
        assert update.max_cost_per_1k_usd == pytest.approx(5) and update.said[C]


@pytest.mark.parametrize(("message", "field"), [
    ("no limit", C), ("don't care", L), ("none", "constraints"), ("不限", C), ("无所谓", L),
])
def test_waivers(message: str, field: str) -> None:
    assert understand_rules(message, pending={"kind": "field", "field": field}).waived == [field]


def test_waiver_naming_its_field_without_a_pending_question() -> None:
    assert understand_rules("latency doesn't matter").waived == [L]


def test_correction_replaces_the_earlier_value() -> None:
    brief = merge_brief(Brief(), understand_rules("90%"))
    brief = merge_brief(brief, understand_rules("actually 95%"))
    assert brief.accuracy_target == pytest.approx(0.95)


def test_break_even_is_derived_from_money() -> None:
    brief = merge_brief(Brief(), understand_rules("a right answer saves $50, a wrong one costs $300"))
    assert brief.break_even_accuracy == pytest.approx(300 / 350, abs=1e-4)


def test_update_never_erases() -> None:
    brief = Brief(accuracy_target=0.9, labels=["a", "b"])
    assert merge_brief(brief, BriefUpdate()) == brief


def test_column_answers() -> None:
    update = understand_rules("the label column is Category")
    assert update.label_column == "Category"
    pending = {"kind": "sheet", "options": ["Train", "Test"]}
    assert understand_rules("Test", pending=pending).sheet == "Test"
    assert understand_rules("2", pending=pending).sheet == "Test"


@pytest.mark.parametrize(("message", "labels", "kinds"), [
    ("a missed spam costs us $1, a wrongly blocked real message costs $20", ["ham", "spam"],
     [{"kind": "missed", "label": "spam", "usd": 1.0}, {"kind": "false_alarm", "label": None, "usd": 20.0}]),
    ("false positives cost $5 each and false negatives $50", None,
     [{"kind": "false_alarm", "label": None, "usd": 5.0}, {"kind": "missed", "label": None, "usd": 50.0}]),
    ("漏判一条罚款5美元，误杀一条正常短信损失20美元", ["ham", "spam"],
     [{"kind": "missed", "label": None, "usd": 5.0}, {"kind": "false_alarm", "label": None, "usd": 20.0}]),
    ("every missed fraud case costs $200", ["fraud", "ok"], [{"kind": "missed", "label": "fraud", "usd": 200.0}]),
])
def test_costs_of_kinds_of_error(message: str, labels, kinds) -> None:
    from agent.state import Brief

    update = understand_rules(message, brief=Brief(labels=labels or []))
    assert update.error_kinds == kinds
    assert update.cost_per_error_usd is None  # one kind of error is priced, not every error


def test_error_kinds_become_label_pairs_once_the_data_is_known() -> None:
    from agent.journey import error_costs_of

    kinds = [{"kind": "missed", "label": None, "usd": 1.0}, {"kind": "false_alarm", "label": None, "usd": 20.0}]
    costs = error_costs_of(kinds, {"ham": 4825, "spam": 747})  # unnamed: the rarer class is the one looked for
    assert costs is not None and costs.pairs == {("spam", "ham"): 1.0, ("ham", "spam"): 20.0}
    named = error_costs_of([{"kind": "missed", "label": "b", "usd": 3.0}], {"a": 5, "b": 5, "c": 5})
    assert named is not None and named.pairs == {("b", "a"): 3.0, ("b", "c"): 3.0}
    assert error_costs_of([{"kind": "missed", "label": None, "usd": 3.0}], {"a": 5, "b": 5, "c": 5}) is None


@pytest.mark.parametrize(("message", "per_1k"), [
    ("under 2 cents per review", 20.0), ("at most $0.01 per ticket", 10.0), ("each email can cost half a cent", 5.0),
    ("no more than $0.002 a call", 2.0), ("每篇不超过0.5美分", 5.0), ("每封邮件最多1美分", 10.0), ("每单最多0.1美元", 100.0),
])
def test_a_cost_per_the_use_cases_own_unit_is_per_item(message: str, per_1k: float) -> None:
    assert understand_rules(message).max_cost_per_1k_usd == pytest.approx(per_1k)


def test_a_period_or_a_person_is_not_a_unit() -> None:
    assert understand_rules("we pay $2000 a month for this").max_cost_per_1k_usd is None
    assert understand_rules("$5 per user").max_cost_per_1k_usd is None


def test_words_about_the_data_are_not_a_use_case() -> None:
    for message in ("this one has no labels, can you label it?", "这个文件没有标签，能帮我标注吗？"):
        update = understand_rules(message)
        assert update.use_case is None and update.task_type is None


@pytest.mark.parametrize(("message", "expected"), [
    ("每条成本控制在2厘钱以内", {"cost_in": {"amount": 2.0, "currency": "CNY", "text": "2厘钱"}}),  # 厘 = 0.001 元
    ("准确率：90", {A: 0.9}),  # a count after a colon is a target, not a clock
    ("判断评论礼不礼貌", {"task_type": "classification"}),  # A-not-A asks a yes/no question of each item
    ("labels:\n1. refund\n2. delivery\n3. other", {"labels": ["refund", "delivery", "other"]}),
    ("mark incoming emails as spam or not spam", {"labels": ["spam", "not spam"], "task_type": "classification"}),
    ("把合同里的金额找出来", {"task_type": "extraction"}),
    ("出院小结分成三类：内科、外科、儿科", {"intent": "none", "labels": ["内科", "外科", "儿科"]}),  # 小结 is a document
])
def test_readings_added_in_the_fourth_round(message: str, expected: dict) -> None:
    update = understand_rules(message)
    for key, value in expected.items():
        assert getattr(update, key) == value, (key, getattr(update, key))


def test_a_later_correction_replaces_an_accuracy_and_drops_a_label() -> None:
    brief = merge_brief(Brief(), understand_rules("classify tickets into billing, bugs, sales; 90% accuracy"))
    brief = merge_brief(brief, understand_rules("actually my boss says 95", brief=brief))
    assert brief.accuracy_target == pytest.approx(0.95)
    brief = merge_brief(brief, understand_rules("drop sales", brief=brief))
    assert brief.labels == ["billing", "bugs"]
    brief = merge_brief(brief, understand_rules("sales不要了", brief=brief))
    assert brief.labels == ["billing", "bugs"]


@pytest.mark.parametrize(("message", "field", "value"), [
    ("a dollar fifty per 1,000", C, 1.5), ("Needs to be real-time, sub-second.", L, 1.0),
    ("a couple of seconds is fine", L, 2.0), ("延迟最好在一秒半以内", L, 1.5), ("延迟两秒半以内", L, 2.5),
    ("Accuracy isn't that critical, 80% is plenty.", A, 0.8), ("we're fine with anything over 85% but", A, 0.85),
    ("Accuracy somewhere between 85 and 90, call it 87.", A, 0.87), ("准确率越高越好，至少93", A, 0.93),
])
def test_readings_added_in_the_fifth_round(message: str, field: str, value: float) -> None:
    assert getattr(understand_rules(message), field) == pytest.approx(value), message


def test_a_before_a_number_word_is_an_article() -> None:
    from agent.quantities import normalise

    assert normalise("draft a two-sentence description") == "draft 2-sentence description"  # never "3sentence"
    assert normalise("a hundred and five") == "105" and normalise("a thousand a day") == "1000 a day"


def test_costs_in_fen_and_yearly_budgets() -> None:
    assert understand_rules("Budget is 1 fen per call.").cost_in == {"amount": 10.0, "currency": "CNY", "text": "1 fen"}
    spend = understand_rules("年预算5万元，每月大约20万份").spend
    assert spend is not None and spend["per_days"] == 365 and spend["amount"] == 50000


def test_later_turns_correct_volume_cost_and_constraints() -> None:
    brief = Brief(volume_per_day=10000, max_cost_per_1k_usd=2.0, constraints=["on-prem"])
    assert understand_rules("sorry, per week, not per day", brief=brief).volume_per_day == pytest.approx(10000 / 7)
    assert understand_rules("hmm, finance says half that", brief=brief).max_cost_per_1k_usd == pytest.approx(1.0)
    moved = understand_rules("actually, scratch that — cloud is OK as long as it's hosted in the EU", brief=brief)
    assert merge_brief(brief, moved).constraints == ["data residency: EU"]
    cny = understand_rules("财务说最多五毛", brief=Brief(), facts={"cost_in": {"amount": 1, "currency": "CNY"}})
    assert cny.cost_in == {"amount": 0.5, "currency": "CNY", "text": "5毛"}
    assert understand_rules("最多五毛", brief=Brief()).cost_in is None  # no ceiling noted before: not guessed


@settings(max_examples=80, deadline=None)
@given(amount=st.sampled_from([0.5, 2, 4, 10]), unit=st.sampled_from(["每百万token", "每千token", "per million tokens",
                                                                        "per 1M tokens", "per 1k tokens"]),
       currency=st.sampled_from(["元", "块钱", "美元", "dollars"]), order=st.booleans())
def test_a_price_per_token_is_never_a_cost_per_item(amount: float, unit: str, currency: str, order: bool) -> None:
    """"每百万token不能超过2块钱" was read as 0.002 元 per 1,000 items: without a size per item it is no ceiling."""
    money = f"{amount:g}{currency}" if currency in ("元", "块钱", "美元") else f"{amount:g} {currency}"
    message = f"{unit}不能超过{money}" if order else f"{money} {unit}"
    update = understand_rules(message)
    assert update.max_cost_per_1k_usd is None and update.cost_in is None, message
    assert any(u["why"] == "tokens" for u in update.unplaced), message  # said back, never dropped


def test_a_price_per_token_with_the_size_of_an_item_is_a_cost_per_item() -> None:
    english = understand_rules("Each transcript is about 800 tokens. We can pay up to $0.50 per million tokens.")
    assert english.max_cost_per_1k_usd == pytest.approx(0.4)
    chinese = understand_rules("每条评论大概500个token，预算按每百万token 4元算。")
    assert chinese.cost_in is not None and chinese.cost_in["amount"] == pytest.approx(2.0)


def test_chinese_short_thousands_and_budgets_without_a_currency() -> None:
    from agent.quantities import normalise

    assert normalise("一万二") == "12000" and normalise("三千五") == "3500" and normalise("两万二") == "22000"
    assert normalise("月预算2000") == "月预算2000元" and normalise("预算100美元") == "预算100美元"
    assert understand_rules("Response has to be back in a second and a half.").max_latency_s == pytest.approx(1.5)


@pytest.mark.parametrize(("message", "labels", "expected"), [
    ("oh and add 'unclear' as a fourth option", ["remote", "hybrid"], ["remote", "hybrid", "unclear"]),
    ("add question as a label too", ["bug", "feature"], ["bug", "feature", "question"]),
    ("不对，还要加一个“中评”", ["好评", "差评"], ["好评", "差评", "中评"]),
    ("再加一个其他这一类", ["好评", "差评"], ["好评", "差评", "其他"]),
])
def test_a_label_added_in_a_later_turn_joins_the_set(message: str, labels: list[str], expected: list[str]) -> None:
    assert understand_rules(message, brief=Brief(labels=labels)).labels == expected
    assert understand_rules("add gpt-4o", brief=Brief(labels=labels)).labels is None  # a candidate, not a label


def test_a_quoted_label_in_the_interview_is_no_candidate_to_add() -> None:
    from langchain_core.messages import HumanMessage

    from agent.graph import intake

    state = {"messages": [HumanMessage("不对，还要加一个“中评”")], "brief": {"labels": ["好评", "差评"]},
             "waived": [], "facts": {}}
    out = intake(state, {})  # type: ignore[arg-type]
    assert out["brief"]["labels"] == ["好评", "差评", "中评"] and out["update"]["command"] is None
    assert out["plan_edits"] == []
