"""What kind of answer a run asks for: a label (classification) or a JSON object of fields (extraction).

A task is the three things that differ between them — the prompt, how a reply is read, and what a request needs
(JSON mode and room for the object) — so the runner, the forecast and the exports stay one code path, injected like
the runner's `price` and `should_stop`. For extraction the run's "labels" are the fields to extract.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tools.data.evalset import Item
from tools.prompting import prompts
from tools.tasks import extraction, generation

TaskKind = Literal["classification", "extraction", "generation", "judge"]
ANSWER_TOKENS = 256  # an open answer's room
VERDICT_TOKENS = 80  # a judge's verdict and its one-line reason


@dataclass(frozen=True)
class Task:
    kind: TaskKind = "classification"
    rubric: str = generation.RUBRIC  # the judge's (the user can edit it)

    def messages(self, text: str, labels: Sequence[str], shots: Sequence[Item] = (),
                 passages: Sequence[str] = ()) -> list[dict]:
        if self.kind == "extraction":
            return extraction.build_messages(text, labels, shots, passages)
        if self.kind == "generation":
            return generation.build_messages(text, shots, passages)
        if self.kind == "judge":  # the item's text is the graded answer with its question and reference (JSON)
            case = json.loads(text)
            return generation.judge_messages(case["question"], case["reference"], case["answer"], self.rubric)
        return prompts.build_messages(text, labels, shots, passages)

    def parse(self, raw: str | None, labels: Sequence[str]) -> str:
        if self.kind == "extraction":
            return extraction.parse_answer(raw, labels)
        if self.kind == "generation":
            return generation.parse_answer(raw)
        if self.kind == "judge":
            return generation.parse_verdict(raw)
        return prompts.parse_label(raw, labels)

    def answer(self, gold: str, labels: Sequence[str]) -> str:
        """The reply a perfect model gives (a fine-tuning example's assistant turn)."""
        if self.kind == "extraction":
            fields = extraction.gold_fields(gold)
            return json.dumps({f: fields.get(f) or None for f in labels}, ensure_ascii=False)
        return gold

    def adjust(self, request: dict, labels: Sequence[str]) -> dict:
        """An extraction request asks for JSON (servers that know `response_format` hold the model to it; llama.cpp
        constrains its grammar) and leaves room for the whole object; open answers and verdicts get room too."""
        if self.kind == "classification" or "messages" not in request:
            return request
        if self.kind == "extraction":
            return {**request, "response_format": {"type": "json_object"},
                    "max_tokens": max(request.get("max_tokens", 0), extraction.max_tokens(labels))}
        return {**request, "max_tokens": ANSWER_TOKENS if self.kind == "generation" else VERDICT_TOKENS}


CLASSIFICATION = Task("classification")
EXTRACTION = Task("extraction")
GENERATION = Task("generation")


def task_of(kind: str | None) -> Task:
    return {"extraction": EXTRACTION, "generation": GENERATION}.get(kind or "", CLASSIFICATION)
