"""A conversation survives a restart of the app: the browser reconnects to the same thread, the graph state
comes back from the SQLite checkpointer."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, chainlit_server, free_port, guard_network
from tests.test_browser import _send

pytestmark = pytest.mark.browser


def test_state_survives_an_app_restart(tmp_path) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)
    ARTIFACTS.mkdir(exist_ok=True)
    port, outside = free_port(), []
    home, log = tmp_path / "home", tmp_path / "chainlit.log"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1200})
        guard_network(context, outside)
        page = context.new_page()
        with chainlit_server(home, log, port=port) as url:
            page.goto(url)
            expect(page.locator('[data-step-type="assistant_message"]').last).to_contain_text("modelpick")
            _send(page, "classify tickets into billing, bugs and sales, 90% accuracy")
        welcomes = page.locator('[data-step-type="assistant_message"]').filter(has_text="helps you choose the LLM")
        expect(welcomes).to_have_count(1)
        with chainlit_server(home, log, port=port):  # a new process on the same workspace
            expect(page.locator("#chat-submit")).to_be_attached()
            page.locator("#chat-input").fill("what do you know so far?")
            expect(page.locator("#chat-submit")).to_be_enabled()
            page.locator("#chat-submit").click()
            summary = page.locator('[data-step-type="assistant_message"]').filter(has_text="Your brief so far")
            expect(summary).to_contain_text("billing, bugs, sales")
            expect(summary).to_contain_text("90%")
            expect(welcomes).to_have_count(1)  # the reconnect did not post the welcome again
            page.screenshot(path=str(ARTIFACTS / "restart.png"), full_page=True)
        browser.close()
    assert outside == []
