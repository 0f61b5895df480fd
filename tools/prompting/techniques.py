"""Each item's prompt for a technique: drawn, retrieved or no examples, and the passages of the user's documents.

The run, the forecast and the exports build prompts only through `message_source`, so the tokens forecast are the
tokens sent, whatever the technique (`core.shapes.Technique` says which one a code means).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.problems import Problem, reason
from core.shapes import Reason, Technique
from tools.data.documents import DEFAULT_CHUNK_TOKENS
from tools.data.evalset import EvalSplit, Item
from tools.prompting.examples import shot_source
from tools.tasks.kinds import CLASSIFICATION, Task

MessageSource = Callable[[Item], list[dict]]


@dataclass(frozen=True)
class Documents:
    """The documents RAG retrieves from (files, folders or zips) and how they are cut."""

    paths: tuple[str, ...]
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS


class NoDocuments(Problem):
    """RAG asked for without documents, or with none that could be read (`docs.*` message ids)."""


def check_documents(documents: Documents | None, codes: Sequence[int]) -> list[Reason]:
    """Before anything runs: RAG has documents and at least one of them has text. Returns one problem per
    document that cannot be used (the rest are used); raises `NoDocuments` when nothing is left to retrieve."""
    if not any(Technique.of(code).kind == "rag" for code in codes):
        return []
    if documents is None or not documents.paths:
        raise NoDocuments("docs.none_given")
    from tools.prompting.passages import library

    found, cut = library(documents.paths, documents.chunk_tokens)
    if not cut:
        raise NoDocuments("docs.none_readable", count=len(found.problems),
                          first=found.problems[0] if found.problems else reason("docs.empty", name=", ".join(
                              Path(p).name for p in documents.paths)))
    return list(found.problems)


def message_source(split: EvalSplit, labels: Sequence[str], code: int, *, seed: int = 0,
                   documents: Documents | None = None, task: Task = CLASSIFICATION) -> MessageSource:
    technique = Technique.of(code)
    if technique.kind != "rag":
        examples = shot_source(split, code, seed=seed)
        return lambda item: task.messages(item.text, labels, examples(item))
    if documents is None or not documents.paths:
        raise NoDocuments("docs.none_given")
    from tools.prompting.passages import passage_source

    closest = passage_source(documents.paths, documents.chunk_tokens, technique.k, split.eval)
    return lambda item: task.messages(item.text, labels, (), closest(item))
