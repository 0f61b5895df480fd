"""Knowledge store speed: index build time and query p50/p95 over the full index (target p95 < 30 ms).

Prints the ratio of a query to a baseline measured in the same run: embedding the query alone (the floor
any vector search pays). Run: `.venv/bin/python bench/retrieval.py`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUERIES = ["cheapest model with a 1M-token context", "可以本地部署的开源模型", "how many examples do I need for 90% accuracy",
           "what does p95 mean", "为什么不用 DeepSeek", "gpt-4o-mini price", "少样本会让成本变高吗", "when should I use RAG",
           "微调要花多少钱", "open weights model for on-prem Chinese"]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> None:
    from knowledge.store import KnowledgeStore, USEMultilingual

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        store = KnowledgeStore(Path(tmp) / "chroma")
        build = time.perf_counter() - start
        print(f"index build: {build:.2f} s for {store.collection.count()} documents")
        embed = USEMultilingual()
        searches, embeds = [], []
        for i in range(200):
            query = QUERIES[i % len(QUERIES)]
            start = time.perf_counter()
            store.search(query, k=5)
            searches.append(time.perf_counter() - start)
            start = time.perf_counter()
            embed([query])
            embeds.append(time.perf_counter() - start)
    s50, s95 = statistics.median(searches) * 1000, p95(searches) * 1000
    e95 = p95(embeds) * 1000
    print(f"query over the full index, 200 queries: p50 {s50:.1f} ms, p95 {s95:.1f} ms "
          f"(target p95 < 30 ms: {'met' if s95 < 30 else 'MISSED'})")
    print(f"baseline, embedding the query alone: p95 {e95:.1f} ms; search/embed ratio at p95: {s95 / e95:.1f}x")


if __name__ == "__main__":
    main()
