"""Retrieval quality: the expected card or guide section in the top 3 for at least 80 % of 24+ queries."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.catalog import load_catalog
from knowledge.store import KnowledgeStore


def _cheapest_with_context(min_context: int) -> set[str]:
    """The expected answer is computed from the catalog, not written down: it follows the price table."""
    cards = [c for c in load_catalog().all() if (c.context_window or 0) >= min_context * 0.95
             and not c.is_deprecated(date.today()) and c.input_usd_per_1m is not None]
    lowest = min(c.input_usd_per_1m for c in cards)
    return {f"card:{c.id}" for c in cards if c.input_usd_per_1m == lowest}


OPEN_ON_PREM = {"guide:fine-tuning#fine-tuning-open-weights-models-on-prem", "guide:cost-levers#local-and-self-hosted-models"}

QUERIES: list[tuple[str, set[str] | str]] = [
    ("cheapest model with a 1M-token context", "cheapest-1m"),
    ("how many examples do I need for 90% accuracy", {"guide:eval-sets#how-many-examples-do-i-need-for-90-accuracy"}),
    ("what does p95 mean", {"guide:confidence-intervals#what-p95-latency-means"}),
    ("gpt-4o-mini price", {"card:gpt-4o-mini"}),
    ("is Claude Haiku 4.5 cheaper than GPT-4o?", {"card:claude-haiku-4-5", "card:gpt-4o"}),
    ("break-even accuracy from the cost of a wrong answer", {"guide:targets#break-even-accuracy-from-the-money"}),
    ("few-shot examples make each call more expensive", {"guide:few-shot#what-few-shot-costs"}),
    ("when should I use RAG", {"guide:rag#when-retrieval-helps"}),
    ("distill a big model into a small one", {"guide:fine-tuning#distillation-from-a-strong-model"}),
    ("how do I reduce latency", {"guide:latency-levers#how-to-cut-latency-per-item"}),
    ("what does the confidence interval tell me", {"guide:confidence-intervals#what-the-interval-means"}),
    ("McNemar test to compare two models", {"guide:eval-sets#paired-comparison-with-mcnemar-s-test"}),
    ("可以本地部署的开源模型", OPEN_ON_PREM),
    ("百万上下文最便宜的模型", "cheapest-1m"),
    ("要达到90%准确率需要多少条评测数据", {"guide:eval-sets#how-many-examples-do-i-need-for-90-accuracy"}),
    ("p95 延迟是什么意思", {"guide:confidence-intervals#what-p95-latency-means"}),
    ("少样本会让成本变高吗", {"guide:few-shot#what-few-shot-costs"}),
    ("什么时候用检索增强", {"guide:rag#when-retrieval-helps"}),
    ("什么是蒸馏", {"guide:fine-tuning#distillation-from-a-strong-model"}),
    ("怎么降低延迟", {"guide:latency-levers#how-to-cut-latency-per-item", "guide:latency-levers#throughput-versus-latency"}),
    ("置信区间怎么看", {"guide:confidence-intervals#what-the-interval-means"}),
    ("为什么不用 DeepSeek", {"card:deepseek-v3.2", "card:deepseek-chat", "card:deepseek-r1"}),
    ("微调要花多少钱", {"guide:fine-tuning#what-fine-tuning-costs"}),
    ("盈亏平衡准确率怎么算", {"guide:targets#break-even-accuracy-from-the-money"}),
    ("怎么降低每条的成本", {"guide:cost-levers#how-to-cut-cost-per-item"}),
    ("Qwen Plus 的价格", {"card:qwen-plus"}),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> KnowledgeStore:
    return KnowledgeStore(tmp_path_factory.mktemp("chroma"))


def test_the_query_set_is_big_enough_and_half_chinese() -> None:
    assert len(QUERIES) >= 24
    chinese = sum(any("\u4e00" <= ch <= "\u9fff" for ch in q) for q, _ in QUERIES)
    assert chinese >= len(QUERIES) / 2


def test_top3_hit_rate_is_at_least_80_percent(store) -> None:
    misses = []
    for query, expected in QUERIES:
        wanted = _cheapest_with_context(1_000_000) if expected == "cheapest-1m" else expected
        top3 = [hit.id for hit in store.search(query, k=3)]
        if not set(top3) & wanted:
            misses.append((query, top3))
    rate = 1 - len(misses) / len(QUERIES)
    print(f"top-3 hit rate {rate:.0%}; misses: {misses}")
    assert rate >= 0.8, misses
