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


def test_a_fine_tune_started_in_chinese_is_reported_after_an_app_restart_and_measured(tmp_path) -> None:
    """The job is started with a yes to its estimate, the app restarts while it trains, the reopened page is told
    by itself that it succeeded, and the fine-tuned model is then planned and measured."""
    import json

    from playwright.sync_api import expect, sync_playwright

    from tests.stub_server import StubConfig, StubServer
    from tests.test_browser import _attach
    from tests.test_finetune import LABELS, _data, _entries

    expect.set_options(timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    port, outside = free_port(), []
    home, log = tmp_path / "home", tmp_path / "chainlit.log"
    messages = '[data-step-type="assistant_message"]'
    with StubServer(StubConfig(model="gpt-4.1-mini", labels=LABELS, finetune_polls=10_000)) as stub, \
            sync_playwright() as p:
        candidates = tmp_path / "candidates.yaml"
        candidates.write_text("- " + json.dumps(_entries(stub.url)[0]) + "\n")
        env = {"MODELPICK_CANDIDATES_FILE": str(candidates), "MODELPICK_FINETUNE_POLL_S": "0.5"}
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1400}, locale="zh-CN")
        guard_network(context, outside)
        page = context.new_page()
        with chainlit_server(home, log, env, port=port) as url:
            page.goto(url)
            expect(page.locator(messages).last).to_contain_text("modelpick")
            _send(page, "把工单分成 billing、bugs 和 sales 三类，准确率80%，不限成本，不限延迟")
            _attach(page, _data(tmp_path), replies=2, text="这是我的数据")
            _send(page, "去掉 smollm2-135m")
            _send(page, "用我的数据微调 gpt-4.1-mini")
            expect(page.locator(messages).last).to_contain_text("说“确认”开始微调")
            assert not stub.stats.files  # nothing is spent before the yes
            _send(page, "确认")
            expect(page.locator(messages).filter(has_text="微调任务 ftjob-stub1 已在 gpt-4.1-mini 上启动")).to_have_count(1)
            expect(page.locator(messages).filter(has_text="ftjob-stub1（gpt-4.1-mini）：训练中")).to_have_count(1)
        stub.config.finetune_polls = 1  # it finishes while the app is down
        with chainlit_server(home, log, env, port=port):
            done = page.locator(messages).filter(has_text="微调任务 ftjob-stub1 已成功")
            expect(done).to_have_count(1, timeout=60_000)  # said without the user asking
            done.screenshot(path=str(ARTIFACTS / "finetune-succeeded-zh.png"))
            fine_tuned = next(j["fine_tuned_model"] for j in stub.stats.jobs.values())
            _send(page, f"加上 {fine_tuned}")
            _send(page, "开始", replies=0)
            results = page.locator(messages).filter(has_text="推荐").last
            expect(results).to_be_visible(timeout=120_000)
            expect(results.locator("table")).to_contain_text(fine_tuned)
            results.screenshot(path=str(ARTIFACTS / "finetune-results-zh.png"))
        browser.close()
    assert outside == []
