"""The techniques beyond plain prompting, in a real browser: retrieved examples (English) and distillation
(Chinese), each planned, run and shown in the results — against a real-HTTP stub endpoint."""

from __future__ import annotations

import json

import pytest

from tests.browser import ARTIFACTS, app_page
from tests.stub_server import StubConfig, StubServer
from tests.test_browser import _attach, _send

pytestmark = [pytest.mark.browser, pytest.mark.slow]
MESSAGES = '[data-step-type="assistant_message"]'


def _endpoint(tmp_path, stub) -> dict:
    candidates = tmp_path / "candidates.yaml"
    candidates.write_text("- " + json.dumps({"id": "stub-llm", "base_url": stub.url, "model": "stub-model",
                                             "input_usd_per_1m": 0.5, "output_usd_per_1m": 1.5}) + "\n")
    return {"MODELPICK_CANDIDATES_FILE": str(candidates)}


def test_retrieved_examples_are_planned_run_and_shown(tmp_path) -> None:
    from playwright.sync_api import expect

    from tests.test_examples import TOPICS, _items

    data = tmp_path / "topics.csv"
    data.write_text("text,label\n" + "\n".join(f"{i.text},{i.label}" for i in _items()) + "\n")
    with StubServer(StubConfig(labels=tuple(sorted(TOPICS)), copy_nearest_example=True)) as stub, \
            app_page(tmp_path, extra_env=_endpoint(tmp_path, stub), height=1600, timeout_ms=30_000) as page:
        expect(page.locator(MESSAGES).last).to_contain_text("modelpick")
        _send(page, "classify notes into sport, food and money, 80% accuracy, no cost limit, no latency limit")
        _attach(page, data, replies=2)
        _send(page, "drop smollm2-135m")
        _send(page, "try 3 retrieved examples")
        plan = page.locator(MESSAGES).last
        expect(plan).to_contain_text("techniques: trained baseline, zero-shot, 3-shot, 3 retrieved examples")
        _send(page, "go", replies=0)
        results = page.locator(MESSAGES).filter(has_text="Recommendation").last
        expect(results).to_be_visible(timeout=120_000)
        expect(results.locator("table")).to_contain_text("3 retrieved examples")
        results.screenshot(path=str(ARTIFACTS / "techniques-retrieved.png"))


def test_distillation_is_planned_run_and_shown_in_chinese(tmp_path) -> None:
    from playwright.sync_api import expect

    from tests.test_distil import LABELS, _data

    with StubServer(StubConfig(labels=LABELS, accuracies={"stub-model": 0.8})) as stub, \
            app_page(tmp_path, extra_env=_endpoint(tmp_path, stub), height=1600, timeout_ms=30_000,
                     locale="zh-CN") as page:
        expect(page.locator(MESSAGES).last).to_contain_text("modelpick")
        _send(page, "把工单分成 billing、bugs 和 sales 三类，准确率80%，不限成本，不限延迟")
        _attach(page, _data(tmp_path), replies=2, text="这是我的数据")
        _send(page, "去掉 smollm2-135m")
        _send(page, "用 stub-llm 蒸馏")
        expect(page.locator(MESSAGES).last).to_contain_text("蒸馏：stub-llm 给训练池里的 500 条数据打标签")
        page.locator(MESSAGES).last.screenshot(path=str(ARTIFACTS / "techniques-distil-plan-zh.png"))
        _send(page, "开始", replies=0)
        results = page.locator(MESSAGES).filter(has_text="推荐").last
        expect(results).to_be_visible(timeout=120_000)
        expect(results.locator("table")).to_contain_text("用 stub-llm 的标签训练")
        results.screenshot(path=str(ARTIFACTS / "techniques-distil-results-zh.png"))
