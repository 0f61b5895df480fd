"""LLM mode in a real browser: the agent model is shown, and its phrasing streams into the chat."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, app_page
from tests.llm_stub import LLMStub, Script
from tests.test_browser import _send

pytestmark = pytest.mark.browser


def test_agent_model_is_shown_and_its_reply_streams(tmp_path) -> None:
    from playwright.sync_api import expect

    script = Script(texts=[("Which labels", "Thanks! Which labels should the model pick from?")])
    with LLMStub(script) as stub:
        env = {"OPENAI_BASE_URL": stub.url, "MODELPICK_AGENT_MODEL": "agent-model", "OPENAI_API_KEY": "sk-test"}
        with app_page(tmp_path, extra_env=env, height=1000) as page:
            last = page.locator('[data-step-type="assistant_message"]').last
            expect(last).to_contain_text("Agent model: agent-model")
            _send(page, "classify support tickets")
            expect(last).to_contain_text("Thanks! Which labels should the model pick from?")
            page.screenshot(path=str(ARTIFACTS / "llm-mode.png"), full_page=True)
        assert stub.stats.completions >= 2  # understanding (JSON) and phrasing (streamed)
