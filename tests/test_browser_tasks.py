"""Beyond classification, in a real browser: an extraction journey in Chinese from the brief and the upload to the
recommendation, the per-field table and the per-field errors — against a real-HTTP stub endpoint."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, app_page
from tests.stub_server import StubConfig, StubServer
from tests.test_browser import _attach, _send
from tests.test_browser_techniques import _endpoint

pytestmark = [pytest.mark.browser, pytest.mark.slow]
MESSAGES = '[data-step-type="assistant_message"]'


def test_an_extraction_journey_in_chinese(tmp_path) -> None:
    from playwright.sync_api import expect

    from tests.test_extraction import _records, _write

    data = _write(tmp_path / "orders.csv", _records())
    with StubServer(StubConfig(field_error_rates={"date": 0.2})) as stub, \
            app_page(tmp_path, extra_env=_endpoint(tmp_path, stub), height=1600, timeout_ms=30_000,
                     locale="zh-CN") as page:
        expect(page.locator(MESSAGES).last).to_contain_text("modelpick")
        _send(page, "从客服邮件里抽取订单号、金额、日期和客户，准确率40%，不限成本，不限延迟")
        _attach(page, data, replies=2, text="这是我的数据")
        expect(page.locator(MESSAGES).nth(-2)).to_contain_text("要抽取的字段：amount、customer、date、order_id")
        _send(page, "去掉 smollm2-135m")
        expect(page.locator(MESSAGES).last).to_contain_text("候选：stub-llm")
        _send(page, "开始", replies=0)
        results = page.locator(MESSAGES).filter(has_text="推荐").last
        expect(results).to_be_visible(timeout=120_000)
        expect(results).to_contain_text("逐字段得分")
        expect(results).to_contain_text("全部字段正确")
        results.screenshot(path=str(ARTIFACTS / "extraction-results-zh.png"))
        _send(page, "看看错例")
        errors = page.locator(MESSAGES).last
        expect(errors).to_contain_text("不一致的字段（正确 → 抽取结果）")
        expect(errors).to_contain_text("date: 2024-")
        errors.screenshot(path=str(ARTIFACTS / "extraction-errors-zh.png"))


def test_an_open_answer_journey_with_a_measured_judge(tmp_path) -> None:
    """English: questions with reference answers and a person's marks; the plan names the judge and its cost,
    the results say how far the judge agrees with people, the errors show the judge's reasons."""
    import json

    from playwright.sync_api import expect

    from tests.test_generation import ACCURACY, JUDGE_ERROR, _rows, _write

    data = _write(tmp_path / "qa.csv", _rows())
    with StubServer(StubConfig(accuracies=ACCURACY, judge_error_rate=JUDGE_ERROR)) as stub:
        candidates = tmp_path / "candidates.yaml"
        candidates.write_text("\n".join("- " + json.dumps(e) for e in (
            {"id": "strong", "base_url": stub.url, "model": "strong-model", "input_usd_per_1m": 5,
             "output_usd_per_1m": 15},
            {"id": "weak", "base_url": stub.url, "model": "weak-model", "input_usd_per_1m": 0.1,
             "output_usd_per_1m": 0.4})) + "\n")
        with app_page(tmp_path, extra_env={"MODELPICK_CANDIDATES_FILE": str(candidates)}, height=1600,
                      timeout_ms=30_000) as page:
            expect(page.locator(MESSAGES).last).to_contain_text("modelpick")
            _send(page, "answer customer questions about our cities, 50% accuracy, no cost limit, no latency limit")
            _attach(page, data, replies=2)
            expect(page.locator(MESSAGES).nth(-2)).to_contain_text("42 answers in column")
            _send(page, "drop smollm2-135m")
            plan = page.locator(MESSAGES).last
            expect(plan).to_contain_text("Judge: strong grades every answer")
            plan.screenshot(path=str(ARTIFACTS / "generation-plan-en.png"))
            _send(page, "go", replies=0)
            results = page.locator(MESSAGES).filter(has_text="Recommendation").last
            expect(results).to_be_visible(timeout=120_000)
            expect(results).to_contain_text("Cohen's κ")
            expect(results).to_contain_text("judges its own answers")
            results.screenshot(path=str(ARTIFACTS / "generation-results-en.png"))
            _send(page, "show errors of weak")
            errors = page.locator(MESSAGES).last
            expect(errors).to_contain_text("the judge's reason")
            errors.screenshot(path=str(ARTIFACTS / "generation-errors-en.png"))
