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


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_documents_for_rag_are_attached_planned_run_and_shown(tmp_path, lang) -> None:
    """English attaches one zip of the documents, Chinese the four files at once; both see the plan's RAG line,
    the run, and RAG in the results."""
    import zipfile

    from playwright.sync_api import expect

    from tests.test_rag import DOCS, LABELS, write_rag_data

    zh = lang == "zh"
    data = write_rag_data(tmp_path / "tickets.csv")
    if zh:
        documents = sorted(DOCS.iterdir())
    else:
        documents = [tmp_path / "team-handbooks.zip"]
        with zipfile.ZipFile(documents[0], "w") as archive:
            for path in sorted(DOCS.iterdir()):
                archive.write(path, path.name)
    with StubServer(StubConfig(labels=tuple(LABELS), answer_from_passages=True)) as stub, \
            app_page(tmp_path, extra_env=_endpoint(tmp_path, stub), height=1600, timeout_ms=30_000,
                     locale="zh-CN" if zh else "en-US") as page:
        expect(page.locator(MESSAGES).last).to_contain_text("modelpick")
        _send(page, "把工单分到 electronics、garden 或 kitchen，准确率80%，不限成本，不限延迟" if zh else
              "route support tickets to electronics, garden or kitchen, 80% accuracy, no cost limit, no latency limit")
        _attach(page, data, replies=2, text="这是我的数据" if zh else "here is my data")
        _send(page, "去掉 smollm2-135m" if zh else "drop smollm2-135m")
        count = page.locator(MESSAGES).count()
        page.locator("#upload-button-input").set_input_files([str(p) for p in documents])
        expect(page.locator("#attachments")).to_contain_text(documents[-1].name)
        page.locator("#chat-input").fill("这些是我们的团队手册" if zh else "these are our team handbooks")
        page.locator("#chat-submit").click()
        expect(page.locator(MESSAGES)).to_have_count(count + 2)  # what the documents gave, then the plan
        expect(page.locator(MESSAGES).nth(count)).to_contain_text("已为 RAG 建好索引：4 份文档" if zh else
                                                                  "Indexed 4 documents")
        plan = page.locator(MESSAGES).last
        expect(plan).to_contain_text("RAG：文档只切出 4 段" if zh else "RAG: the documents make only 4 passages")
        page.locator(MESSAGES).nth(count).screenshot(path=str(ARTIFACTS / f"techniques-rag-documents-{lang}.png"))
        plan.screenshot(path=str(ARTIFACTS / f"techniques-rag-plan-{lang}.png"))
        _send(page, "开始" if zh else "go", replies=0)
        results = page.locator(MESSAGES).filter(has_text="推荐" if zh else "Recommendation").last
        expect(results).to_be_visible(timeout=120_000)
        expect(results.locator("table")).to_contain_text("RAG，每次附 4 段文档" if zh else
                                                         "RAG, 4 passages of your documents")
        results.screenshot(path=str(ARTIFACTS / f"techniques-rag-results-{lang}.png"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_cascade_of_an_unsure_cheap_model_is_shown_with_its_threshold(tmp_path, lang) -> None:
    """Two paid stub models (a cheap one that is right 70 % of the time, a careful one 97 %): the results table shows
    the cascade that escalates the cheap model's least sure answers, its threshold and why its interval is wider."""
    from playwright.sync_api import expect

    from tests.test_cascade import LABELS, _data, cheap_and_careful

    zh = lang == "zh"
    with StubServer(StubConfig(accuracies={"cheap": 0.7, "careful": 0.97}, labels=tuple(LABELS))) as stub:
        candidates = cheap_and_careful(tmp_path, stub.url)
        with app_page(tmp_path, extra_env={"MODELPICK_CANDIDATES_FILE": str(candidates)}, height=1800,
                      timeout_ms=30_000, locale="zh-CN" if zh else "en-US") as page:
            expect(page.locator(MESSAGES).last).to_contain_text("modelpick")
            _send(page, "把商品评论分成 negative 和 positive，准确率要九成，费用不限，延迟不限" if zh else
                  "classify product reviews as negative or positive, 90% accuracy, no cost limit, no latency limit")
            _attach(page, _data(tmp_path), replies=2, **({"text": "这是我的数据"} if zh else {}))
            _send(page, "去掉 tfidf-logreg" if zh else "drop tfidf-logreg")
            _send(page, "去掉本地模型" if zh else "drop smollm2-135m")
            _send(page, "跑吧" if zh else "go", replies=0)
            results = page.locator(MESSAGES).filter(has_text="推荐" if zh else "Recommendation").last
            expect(results).to_be_visible(timeout=120_000)
            expect(results.locator("table")).to_contain_text("cheap → careful")  # the id (cheap:0→careful:0/unsure30) in words
            expect(results.locator("table")).to_contain_text(
                "第一个模型没有把握（对数概率 < -" if zh else "the first model is unsure (log-probability < -")
            expect(results).to_contain_text("级联的区间特意放宽" if zh else "Cascade intervals are wider on purpose")
            results.screenshot(path=str(ARTIFACTS / f"techniques-cascade-{lang}.png"))
