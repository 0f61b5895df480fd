"""The classical baseline: TF-IDF + logistic regression trained on the train pool, answering in
milliseconds at no cost per call — the bar every LLM must clear.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from core.problems import encode
from tools.candidates.base import BASELINE_ID, Reply
from tools.data.evalset import EvalSplit


class BaselineCandidate:
    """TF-IDF (word and character n-grams, so Chinese works) + logistic regression, trained on the train pool."""

    endpoint = "local:sklearn"
    max_concurrency = 1
    cacheable = False
    price_model: str | None = BASELINE_ID

    def __init__(self, id: str = BASELINE_ID):
        self.id = id
        self.model: Any = None  # a scikit-learn pipeline once trained
        self.error: str | None = None

    async def start(self, split: EvalSplit, labels: list[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        train = split.train_pool or split.few_shot_pool
        if len({i.label for i in train}) < 2:
            self.error = encode("failure.baseline_untrained")
            return
        features = make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
                              TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True))
        self.model = make_pipeline(features, LogisticRegression(max_iter=2000, C=10.0))
        await asyncio.to_thread(self.model.fit, [i.text for i in train], [i.label for i in train])

    def request(self, messages: list[dict], text: str) -> dict:
        return {"text": text}

    def dead_cause(self) -> str | None:
        return None

    async def send(self, request: dict) -> Reply:
        if self.model is None:
            return Reply(None, None, error=self.error or encode("failure.baseline_untrained"))
        start = time.perf_counter()
        label = self.model.predict([request["text"]])[0]
        return Reply(raw=str(label), latency_s=time.perf_counter() - start)

    async def aclose(self) -> None:
        return None
