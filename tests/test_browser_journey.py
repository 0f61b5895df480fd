"""The whole journey in a real browser, offline: plan → go → live progress → table, chart, report; and stop."""

from __future__ import annotations

import re

import pytest

from tests.browser import ARTIFACTS, app_page
from tests.conftest import DATASETS
from tests.test_browser import _attach, _send

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BRIEF = "classify SMS messages as spam or ham, 90% accuracy, under $5 per 1000, 2 s, 10k a day"


@pytest.fixture
def page(tmp_path):
    # the plan times the local models with a short probe (off elsewhere in the tests: it costs seconds)
    with app_page(tmp_path, extra_env={"MODELPICK_TIMING_PROBE": "1"}, height=1800, timeout_ms=30_000) as page:
        yield page


def _plan(page, items: int) -> None:
    from playwright.sync_api import expect

    last = page.locator('[data-step-type="assistant_message"]').last
    expect(last).to_contain_text("modelpick")  # the welcome: the socket is connected
    _send(page, BRIEF)
    _send(page, "none")
    _attach(page, DATASETS / "sms_spam.csv", replies=2)  # the profile, then the plan
    expect(page.locator('[data-step-type="assistant_message"]').last).to_contain_text("Evaluation plan")
    expect(page.locator('[data-step-type="assistant_message"]').last).to_contain_text("10-item timing probe")
    _send(page, f"use {items} items")
    expect(last).to_contain_text(f"Eval set: {items} items")
    expect(last).to_contain_text("Nothing is spent before you say")


def test_plan_go_progress_results_chart_and_report(page, tmp_path) -> None:
    from playwright.sync_api import expect

    _plan(page, 100)
    page.screenshot(path=str(ARTIFACTS / "journey-plan.png"), full_page=True)
    page.locator("#chat-input").fill("go")
    page.locator("#chat-submit").click()
    expect(page.locator('[data-step-type="tool"]').first).to_be_visible()  # live progress steps
    # the progress itself is readable without a click: items done and speed, before the results arrive
    expect(page.get_by_text("items/s").first).to_be_visible(timeout=60_000)
    assert page.locator('[data-step-type="assistant_message"]').filter(has_text="Recommendation").count() == 0
    page.locator('[data-step-type="tool"]').last.scroll_into_view_if_needed()
    expect(page.locator('[data-step-type="tool"]').first).to_contain_text(re.compile("Evaluating|Evaluated"))
    page.screenshot(path=str(ARTIFACTS / "journey-progress.png"))
    results = page.locator('[data-step-type="assistant_message"]').filter(has_text="Recommendation").last
    expect(results).to_be_visible(timeout=240_000)
    expect(results.locator("table")).to_contain_text("tfidf-logreg")
    expect(results.locator("table")).to_contain_text("smollm2-135m")
    expect(page.locator(".js-plotly-plot")).to_have_count(2)  # class balance, then accuracy vs cost
    page.screenshot(path=str(ARTIFACTS / "journey-results.png"), full_page=True)
    _send(page, "download the report")
    link = page.locator("a", has_text="report.md").last
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "report.md"
    download.value.save_as(saved)
    report = saved.read_text()
    assert "# modelpick report" in report and "| smollm2-135m | 3-shot |" in report


def test_stop_keeps_the_finished_candidates(page) -> None:
    from playwright.sync_api import expect

    _plan(page, 150)
    button = page.locator("button", has_text="Run this plan").last  # the explicit confirmation, as a button
    expect(button).to_be_visible()
    button.click()
    expect(page.locator('[data-step-type="tool"]')).to_have_count(2, timeout=60_000)  # baseline done, LLM running
    expect(page.locator("#stop-button")).to_be_visible()
    page.locator("#stop-button").click()
    expect(page.get_by_text("Stopping: the calls in flight finish")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("Task manually stopped")).to_have_count(0)
    stopped = page.locator('[data-step-type="assistant_message"]').filter(has_text="everything that finished is kept").last
    expect(stopped).to_be_visible(timeout=60_000)
    expect(stopped.locator("table")).to_contain_text("tfidf-logreg")
    stopped.screenshot(path=str(ARTIFACTS / "journey-stopped.png"))
