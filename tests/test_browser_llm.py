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


def test_an_endpoint_added_in_the_settings_panel_is_checked_kept_and_its_key_never_shown(tmp_path) -> None:
    from playwright.sync_api import expect

    from tests.stub_server import StubConfig, StubServer

    key = "sk-browser-0123456789"
    with StubServer(StubConfig(api_key=key)) as stub, app_page(tmp_path) as page:
        expect(page.locator('[data-step-type="assistant_message"]').last).to_contain_text("modelpick")
        page.locator("#chat-settings-open-modal").click()
        page.locator("#endpoint_url").fill(stub.url)
        page.locator("#endpoint_model").fill("stub-model")
        page.locator("#endpoint_key").fill(key)
        page.locator("#endpoint_input_usd_per_1m").fill("0.5")
        page.locator("#endpoint_output_usd_per_1m").fill("1.5")
        page.get_by_role("button", name="Confirm").click()
        added = page.locator('[data-step-type="assistant_message"]').filter(has_text="Endpoint stub-model added").last
        expect(added).to_be_visible()
        expect(added).to_contain_text("add stub-model")
        added.screenshot(path=str(ARTIFACTS / "settings-endpoint-added.png"))
        page.locator("#chat-settings-open-modal").click()
        expect(page.locator("#endpoint_key")).to_have_value("")  # the key is never shown again
        assert key not in page.content()
