"""History and users in a real browser: a reload keeps the conversation (its results, chart and the graph state
behind them), the sidebar lists it; with users configured, login is required and alice never reaches bob's
conversation, chart or files — not by the sidebar, not by guessing the thread's address or a file's URL."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, app_page, chainlit_server, guard_network
from tests.conftest import DATASETS
from tests.test_browser import _attach, _send

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
BRIEF = "classify SMS messages as spam or ham, 90% accuracy, no cost limit, no latency limit"
MESSAGES = '[data-step-type="assistant_message"]'


def _results(page) -> None:
    """A short journey to results with the trained baseline only (no model server needed, seconds)."""
    from playwright.sync_api import expect

    expect(page.locator(MESSAGES).last).to_contain_text("modelpick")
    _send(page, BRIEF)
    page.wait_for_url("**/thread/**")  # the first turn moves the page to the thread's address; attach after it
    _attach(page, DATASETS / "sms_spam.csv", replies=2)
    expect(page.locator(MESSAGES).last).to_contain_text("Evaluation plan")
    _send(page, "drop smollm2-135m")
    _send(page, "go")
    expect(page.locator(MESSAGES).filter(has_text="Recommendation").last).to_be_visible(timeout=120_000)


def test_a_reload_keeps_the_conversation_and_the_sidebar_lists_it(tmp_path) -> None:
    from playwright.sync_api import expect

    with app_page(tmp_path, height=1400, timeout_ms=30_000) as page:
        _results(page)
        thread_url = page.url
        assert "/thread/" in thread_url
        _send(page, "download the report")
        expect(page.locator("a", has_text="report.md").last).to_be_visible()
        page.wait_for_timeout(3000)  # the removed progress steps are deleted from the history 2 s after the results
        page.reload()
        results = page.locator(MESSAGES).filter(has_text="Recommendation").last
        expect(results.locator("table")).to_contain_text("tfidf-logreg")
        expect(page.locator('[data-step-type="tool"]')).to_have_count(0)  # progress does not come back below them
        expect(page.locator(".js-plotly-plot")).to_have_count(2)  # class balance and accuracy vs cost, replayed
        sidebar = page.locator("#thread-history")
        expect(sidebar).to_contain_text("classify SMS messages")
        page.screenshot(path=str(ARTIFACTS / "history-reloaded.png"), full_page=True)
        link = page.locator("a", has_text="report.md").last  # the export, replayed from the history, still downloads
        expect(link).to_be_visible()
        with page.expect_download() as download:
            link.click()
        saved = tmp_path / "report-after-reload.md"
        download.value.save_as(saved)
        assert saved.read_text(encoding="utf-8").startswith("# modelpick report")
        # the graph state came back with it: a question about the results is answered from them
        _send(page, "show me the errors")
        expect(page.locator(MESSAGES).last).not_to_contain_text("no results")
        expect(page.locator(MESSAGES).last).to_contain_text("tfidf-logreg")
        # a new chat, then the old one opened from the sidebar
        page.goto(thread_url.split("/thread/")[0])
        expect(page.locator(MESSAGES).last).to_contain_text("helps you choose")
        sidebar.get_by_text("classify SMS messages").first.click()
        expect(page.locator(MESSAGES).filter(has_text="Recommendation").last).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "history-opened.png"), full_page=True)


def _add_user(home: Path, name: str, password: str) -> None:
    subprocess.run([sys.executable, "-m", "cli.main", "users", "add", name, "--password-stdin"], cwd=ROOT,
                   input=password + "\n", text=True, check=True, env={"MODELPICK_HOME": str(home), "PATH": "/usr/bin"})


def _login(browser, url: str, name: str, password: str, outside: list[str], locale: str = "en-US"):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 1400}, locale=locale)
    guard_network(context, outside)
    page = context.new_page()
    page.goto(url)
    expect(page.locator("#email")).to_be_visible()
    expect(page.get_by_text("Unauthorized")).to_have_count(0)  # no failed form-free login shown above the form
    expect(page.locator("label[for=email]")).to_have_text("用户名" if locale.startswith("zh") else "User name")
    page.locator("#email").fill(name)
    page.locator("#password").fill(password)
    page.locator("button[type=submit]").click()
    expect(page.locator(MESSAGES).last).to_contain_text("modelpick")
    return context, page


def _status(url: str, cookies: list[dict]) -> int:
    header = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
    request = urllib.request.Request(url, headers={"Cookie": header})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_users_log_in_and_never_see_each_others_conversations(tmp_path) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)
    home, outside = tmp_path / "home", []
    ARTIFACTS.mkdir(exist_ok=True)
    with chainlit_server(home, tmp_path / "chainlit.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        # before any user exists: the local user, no login form; its token stops working once users exist
        local = browser.new_context()
        guard_network(local, outside)
        local_page = local.new_page()
        local_page.goto(url)
        expect(local_page.locator(MESSAGES).last).to_contain_text("modelpick")
        local_cookies = local.cookies()
        _add_user(home, "alice", "alice-password")
        _add_user(home, "bob", "bob-password")
        assert _status(url + "/user", local_cookies) == 401

        alice_context, alice = _login(browser, url, "alice", "alice-password", outside)
        alice.screenshot(path=str(ARTIFACTS / "history-login-alice.png"))
        _results(alice)
        alice_thread = alice.url
        chart = alice.locator(".js-plotly-plot")
        expect(chart).to_have_count(2)
        element_urls = [u for u in (r.url for r in _element_requests(alice)) if "/modelpick/elements/" in u]
        assert len(element_urls) >= 2  # the replayed charts come from the stored elements

        bob_context, bob = _login(browser, url, "bob", "bob-password", outside, locale="zh-CN")
        bob.screenshot(path=str(ARTIFACTS / "history-login-bob-zh.png"))
        expect(bob.locator(MESSAGES).first).to_contain_text("实测候选模型")  # bob's browser is Chinese: so is the welcome
        expect(bob.locator("#thread-history")).not_to_contain_text("classify SMS messages")
        bob.goto(alice_thread)  # guessing the address of alice's conversation
        expect(bob.locator(MESSAGES).filter(has_text="Recommendation")).to_have_count(0)
        expect(bob.get_by_text("spam or ham")).to_have_count(0)
        bob.screenshot(path=str(ARTIFACTS / "history-bob-guessing.png"))
        for element_url in element_urls:  # and the URL of alice's chart
            assert _status(element_url, bob_context.cookies()) == 404
            assert _status(element_url, alice_context.cookies()) == 200
        browser.close()
    assert outside == []


def _element_requests(page):
    """Reload alice's conversation and collect the requests for its stored elements (charts)."""
    seen = []
    page.on("request", lambda request: seen.append(request))
    page.reload()
    from playwright.sync_api import expect

    expect(page.locator(".js-plotly-plot")).to_have_count(2)
    return seen


def test_a_run_goes_on_when_the_tab_closes_and_the_reopened_tab_follows_it(tmp_path) -> None:
    """"go", close the tab mid-run, open the conversation again: the live progress is there and the results
    arrive in the new tab (the run never stopped)."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)
    outside: list[str] = []
    with chainlit_server(tmp_path / "home", tmp_path / "chainlit.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1400})
        guard_network(context, outside)
        page = context.new_page()
        page.goto(url)
        expect(page.locator(MESSAGES).last).to_contain_text("modelpick")
        _send(page, BRIEF)
        page.wait_for_url("**/thread/**")
        _attach(page, DATASETS / "sms_spam.csv", replies=2)
        _send(page, "use 100 items")
        _send(page, "go", replies=0)
        expect(page.get_by_text("items/s").first).to_be_visible(timeout=60_000)
        thread_url = page.url
        page.close()  # the tab closes while the local model is still answering
        reopened = context.new_page()
        reopened.goto(thread_url)
        progress = reopened.locator('[data-step-type="tool"]')
        expect(progress.first).to_be_visible()
        expect(reopened.get_by_text("items/s").first).to_be_visible()  # open, readable without a click
        expect(reopened.locator("#stop-button")).to_be_visible()  # the run is live here, and can be stopped here
        # A row still answering reads as running, a finished one as finished (a step with no start read "Evaluated").
        expect(reopened.get_by_text("Evaluating smollm2-135m")).to_be_visible()
        expect(reopened.get_by_text("Evaluated tfidf-logreg")).to_be_visible()
        reopened.screenshot(path=str(ARTIFACTS / "history-reopened-running.png"), full_page=True)
        results = reopened.locator(MESSAGES).filter(has_text="Recommendation").last
        expect(results).to_be_visible(timeout=240_000)
        expect(results.locator("table")).to_contain_text("smollm2-135m")
        browser.close()
    assert outside == []
