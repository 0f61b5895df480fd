"""What people say, understood in a real browser, in English and Chinese (issue 30): a conversation that opens
with a greeting, a waiver inside a longer sentence that is never asked again, what was read shown back, and —
after the results — "what did you note?", "what next?" and an off-topic question, each answered from the
conversation itself."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, app_page
from tests.conftest import DATASETS
from tests.test_browser import _attach, _send

pytestmark = [pytest.mark.browser, pytest.mark.slow]

JOURNEYS = {
    "en": {
        "greeting": "Hi! We run the SMS gateway of a small telecom.",
        "use_case_question": "What do you want a model to do?",
        "brief": ("We need to sort incoming SMS messages into spam or ham: right 95 times out of 100, latency "
                  "doesn't matter, under $1 per 1,000 messages, about 3k a day. We have 12 agents."),
        "noted": ["Noted", "labels: spam, ham", "95%", "$1", "3,000 / day", "no target for: Max latency per item",
                  "Not used as targets: '12 agents'"],
        "latency_question": "How fast must each answer be",
        "none": "none", "drop": "drop smollm2-135m", "size": "use 40 items", "go": "go",
        "results": "Recommendation",
        "note": "what did you note?", "noted_table": ["Your brief", "no limit", "95%"],
        "next": "what should I try next?", "next_answer": ["What to try next"],
        "weather": "what's the weather like in Paris?", "weather_answer": "can't help with that here",
    },
    "zh": {
        "greeting": "你好！我们负责一家小运营商的短信网关。",
        "use_case_question": "你想让模型做什么？",
        "brief": "我们要把收到的短信分成 spam 和 ham，准确率九成五，延迟无所谓，每千条不超过1美元，每天大约三千条。我们有12个客服。",
        "noted": ["已记下", "标签：spam、ham", "95%", "$1", "每天 3,000 条", "好的，不设：每条延迟上限", "以下数字没有当作目标：“12个"],
        "latency_question": "每条需要多快返回",
        "none": "没有", "drop": "去掉 smollm2-135m", "size": "用40条", "go": "跑吧",
        "results": "推荐",
        "note": "你记下了哪些需求？", "noted_table": ["目前掌握的需求", "不限", "95%"],
        "next": "下一步我该试什么？", "next_answer": ["接下来可以尝试"],
        "weather": "今天北京天气怎么样？", "weather_answer": "这个我在这里帮不上忙",
    },
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_greeting_waiver_show_back_and_questions_after_the_results(tmp_path, lang: str) -> None:
    from playwright.sync_api import expect

    words = JOURNEYS[lang]
    locale = "zh-CN" if lang == "zh" else "en-US"
    with app_page(tmp_path, height=1800, timeout_ms=30_000, locale=locale) as page:
        replies = page.locator('[data-step-type="assistant_message"]')
        expect(replies.last).to_contain_text("modelpick")
        _send(page, words["greeting"])
        expect(replies.last).to_contain_text(words["use_case_question"])  # a greeting is no use case
        _send(page, words["brief"])
        for text in words["noted"]:
            expect(replies.last).to_contain_text(text)
        page.screenshot(path=str(ARTIFACTS / f"understanding-{lang}-1-noted.png"), full_page=True)
        _send(page, words["none"])  # no hard constraints: the data comes next, latency is not asked again
        _attach(page, DATASETS / "sms_spam.csv", replies=2)
        _send(page, words["drop"])
        _send(page, words["size"])
        page.locator("#chat-input").fill(words["go"])
        page.locator("#chat-submit").click()
        results = replies.filter(has_text=words["results"]).last
        expect(results).to_be_visible(timeout=240_000)
        every_reply = " ".join(replies.all_inner_texts())
        assert words["latency_question"] not in every_reply  # waived inside a sentence: never asked
        _send(page, words["note"])
        for text in words["noted_table"]:
            expect(replies.last).to_contain_text(text)
        _send(page, words["next"])
        for text in words["next_answer"]:
            expect(replies.last).to_contain_text(text)
        _send(page, words["weather"])
        expect(replies.last).to_contain_text(words["weather_answer"])
        assert "guide" not in replies.last.inner_text().lower()
        page.screenshot(path=str(ARTIFACTS / f"understanding-{lang}-2-after-results.png"), full_page=True)


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_killing_the_app_mid_run_leaves_no_local_server(tmp_path, how: str) -> None:
    """The app's door (issue 31): a run on the local model in flight, the app killed with SIGKILL or stopped
    with SIGTERM (what `docker stop` and systemd send)."""
    import os
    import signal

    from playwright.sync_api import expect

    from tests.test_children import _gone, _servers_of

    home = tmp_path / "home"
    with app_page(tmp_path, height=1400, timeout_ms=30_000) as page:
        replies = page.locator('[data-step-type="assistant_message"]')
        expect(replies.last).to_contain_text("modelpick")
        _send(page, "classify SMS messages as spam or ham, 90% accuracy, no latency limit, no cost limit, 3k a day")
        _send(page, "none")
        _attach(page, DATASETS / "sms_spam.csv", replies=2)
        _send(page, "drop the baseline")
        page.locator("#chat-input").fill("go")
        page.locator("#chat-submit").click()
        for _ in range(600):
            if _servers_of(home):
                break
            page.wait_for_timeout(200)
        servers = _servers_of(home)
        assert servers, "the local model never started"
        for pid in _servers_of(home, b"chainlit"):
            os.kill(pid, getattr(signal, how))
        assert all(_gone(pid, within_s=15 if how == "SIGTERM" else 5) for pid in servers), \
            f"{how} of the app left {servers} running"
