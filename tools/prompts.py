"""Classification prompts (zero-shot, k-shot, retrieved k-shot) and the reading of an answer back into a label.

The k examples are drawn once per run, stratified from the few-shot pool, and shared by every candidate, so
comparisons stay paired (retrieved examples: `tools.examples`). An answer that maps to no label is `UNPARSEABLE`: counted wrong, reported apart.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache

from tools.evalset import Item
from tools.metrics import UNPARSEABLE

SYSTEM = ("You are a text classifier. Reply with exactly one label from the list and nothing else.")
INSTRUCTION = "Labels: {labels}\n\nClassify this text. Reply with one label only.\n\nText: {text}"


RETRIEVED_PREFIX = "r"  # `--shots r3`: three retrieved examples per item (stored as shots = -3)


def is_retrieved(shots: int) -> bool:
    """Techniques are one integer where runs, stores and rows key them: k ≥ 0 drawn examples, -k retrieved."""
    return shots < 0


def shot_count(shots: int) -> int:
    return abs(shots)


def technique_id(shots: int) -> str:
    """The pinned JSON's technique of a prompted row."""
    return "retrieved-k-shot" if is_retrieved(shots) else "zero-shot" if shots == 0 else "k-shot"


def parse_shots(token: str) -> int:
    """"0", "3" (drawn) or "r3" (retrieved) → the technique's integer; ValueError for anything else."""
    token = token.strip().lower()
    if token.startswith(RETRIEVED_PREFIX) and token[1:].isdigit() and int(token[1:]) > 0:
        return -int(token[1:])
    if token.isdigit():
        return int(token)
    raise ValueError(token)


def draw_shots(pool: Sequence[Item], k: int, seed: int = 0) -> list[Item]:
    """k examples from the pool, round-robin across classes (stratified), deterministic per seed."""
    if k <= 0:
        return []
    by_class: dict[str, list[Item]] = defaultdict(list)
    for item in sorted(pool, key=lambda i: i.id):
        by_class[item.label].append(item)
    rng = random.Random(seed)
    for rows in by_class.values():
        rng.shuffle(rows)
    labels = sorted(by_class)
    rng.shuffle(labels)
    shots: list[Item] = []
    depth = 0
    while len(shots) < k and any(depth < len(by_class[c]) for c in labels):
        for label in labels:
            if depth < len(by_class[label]) and len(shots) < k:
                shots.append(by_class[label][depth])
        depth += 1
    return shots


def build_messages(text: str, labels: Sequence[str], shots: Sequence[Item] = ()) -> list[dict]:
    """Chat messages: a system line, then each example as a user/assistant turn, then the item."""
    listed = ", ".join(labels)
    messages = [{"role": "system", "content": SYSTEM}]
    for shot in shots:
        messages.append({"role": "user", "content": INSTRUCTION.format(labels=listed, text=shot.text)})
        messages.append({"role": "assistant", "content": shot.label})
    messages.append({"role": "user", "content": INSTRUCTION.format(labels=listed, text=text)})
    return messages


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[\"'`“”‘’*_]", "", text)
    return re.sub(r"[\s\W]+", " ", text).strip()


@lru_cache(maxsize=64)
def _folded_labels(labels: tuple[str, ...]) -> dict[str, str]:
    return {_fold(label): label for label in labels}


def _mentions(answer: str, key: str) -> bool:
    """A label as a whole word; Chinese has no spaces between words, so there a substring is a mention."""
    if re.search(r"[\u4e00-\u9fff]", key):
        return key in answer
    return re.search(rf"(?<!\w){re.escape(key)}(?!\w)", answer) is not None


def parse_label(raw: str | None, labels: Sequence[str]) -> str:
    """Map a model's reply to one label, or UNPARSEABLE.

    Accepts: the label itself in any case, padded with spaces, punctuation or quotes; "Label: X"; a reply whose
    only label mention is X ("This is spam."); a unique prefix of a label ("pos" → "positive").
    """
    if raw is None:
        return UNPARSEABLE
    folded = _folded_labels(tuple(labels))
    answer = _fold(raw)
    answer = re.sub(r"^(?:label|answer|category|class|output)\s*", "", answer)
    if answer in folded:
        return folded[answer]
    mentioned = [label for key, label in folded.items() if key and _mentions(answer, key)]
    if len(mentioned) == 1:
        return mentioned[0]
    if len(mentioned) > 1:  # several labels named: take the first only when one clearly leads the reply
        first = min(mentioned, key=lambda lab: answer.find(_fold(lab)))
        if answer.startswith(_fold(first)):
            return first
        return UNPARSEABLE
    word = answer.split(" ")[0] if answer else ""
    if len(word) >= 2:
        prefixed = [label for key, label in folded.items() if key.startswith(word)]
        if len(prefixed) == 1:
            return prefixed[0]
    return UNPARSEABLE
