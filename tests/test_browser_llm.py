"""LLM mode in a real browser: the agent model is shown, and its phrasing streams into the chat."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, chainlit_server, guard_network
from tests.llm_stub import LLMStub, Script
from tests.test_browser import _send

pytestmark = pytest.mark.browser


def test_agent_model_is_shown_and_its_reply_streams(tmp_path) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)
    ARTIFACTS.mkdir(exist_ok=True)
    script = Script(texts=[("Which labels", "Thanks! Which labels should the model pick from?")])
    outside: list[str] = []
    with LLMStub(script) as stub:
        env = {"OPENAI_BASE_URL": stub.url, "MODELPICK_AGENT_MODEL": "agent-model", "OPENAI_API_KEY": "sk-test"}
        with chainlit_server(tmp_path / "home", tmp_path / "log.txt", env) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 1000})
            guard_network(context, outside)
            page = context.new_page()
            page.goto(url)
            last = page.locator('[data-step-type="assistant_message"]').last
            expect(last).to_contain_text("Agent model: agent-model")
            _send(page, "classify support tickets")
            expect(last).to_contain_text("Thanks! Which labels should the model pick from?")
            page.screenshot(path=str(ARTIFACTS / "llm-mode.png"), full_page=True)
            browser.close()
        assert stub.stats.completions >= 2  # understanding (JSON) and phrasing (streamed)
    assert outside == []
