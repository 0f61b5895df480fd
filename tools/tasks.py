"""What kind of answer a run asks for: a label (classification) or a JSON object of fields (extraction).

A task is the three things that differ between them — the prompt, how a reply is read, and what a request needs
(JSON mode and room for the object) — so the runner, the forecast and the exports stay one code path, injected like
the runner's `price` and `should_stop`. For extraction the run's "labels" are the fields to extract.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tools import extraction, prompts
from tools.evalset import Item

TaskKind = Literal["classification", "extraction"]


@dataclass(frozen=True)
class Task:
    kind: TaskKind = "classification"

    def messages(self, text: str, labels: Sequence[str], shots: Sequence[Item] = (),
                 passages: Sequence[str] = ()) -> list[dict]:
        if self.kind == "extraction":
            return extraction.build_messages(text, labels, shots, passages)
        return prompts.build_messages(text, labels, shots, passages)

    def parse(self, raw: str | None, labels: Sequence[str]) -> str:
        if self.kind == "extraction":
            return extraction.parse_answer(raw, labels)
        return prompts.parse_label(raw, labels)

    def adjust(self, request: dict, labels: Sequence[str]) -> dict:
        """An extraction request asks for JSON (servers that know `response_format` hold the model to it; llama.cpp
        constrains its grammar) and leaves room for the whole object."""
        if self.kind != "extraction" or "messages" not in request:
            return request
        return {**request, "response_format": {"type": "json_object"},
                "max_tokens": max(request.get("max_tokens", 0), extraction.max_tokens(labels))}


CLASSIFICATION = Task("classification")
EXTRACTION = Task("extraction")


def task_of(kind: str | None) -> Task:
    return EXTRACTION if kind == "extraction" else CLASSIFICATION
