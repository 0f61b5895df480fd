"""Tokens per item, counted before any call from the very messages the run will send.

The forecast and the run share one prompt source (`tools.prompting.techniques.message_source` with the plan's seed: drawn or
retrieved examples, or the passages of the user's documents) and one token formula (`core.tokens.chat_tokens`), so the forecast's input
tokens are the tokens the run sends — a test holds them equal against a server that counts the same way.
"""

from __future__ import annotations

from core.shapes import TokenEstimate
from core.tokens import chat_tokens, count_tokens
from tools.data.evalset import EvalSplit
from tools.prompting.techniques import Documents, message_source
from tools.tasks.kinds import CLASSIFICATION, Task


def prompt_tokens(split: EvalSplit, labels: list[str], shots: int, seed: int = 0,
                  documents: Documents | None = None, task: Task = CLASSIFICATION) -> TokenEstimate:
    """Mean input tokens over the eval items with technique `shots`, and the longest label as the output."""
    messages = message_source(split, labels, shots, seed=seed, documents=documents, task=task)
    items = split.eval or split.few_shot_pool
    total = sum(chat_tokens(messages(item)) for item in items)
    own = sum(count_tokens(item.text) for item in items)
    count = max(1, len(items))
    if task.kind != "classification":  # the answer is as long as the data's own (the gold object, the reference)
        output = sum(count_tokens(item.label) for item in items) / count
    else:
        output = max((count_tokens(label) for label in labels), default=1) + 1
    return TokenEstimate(input_tokens=total / count, output_tokens=output, shots=shots,
                         item_tokens=own / count)
