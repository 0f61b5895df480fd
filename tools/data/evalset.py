"""Split labelled data into eval set / few-shot pool / train pool, and say how many items a target needs.

The split is seeded and stratified, and the three parts are disjoint even after normalisation (case,
spacing, punctuation), so no few-shot example or training row can leak into the eval set. Whatever is dropped
or too rare to split is reported, never silently lost.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

from core.problems import Problem, reason
from core.shapes import Reason
from tools.data.read import DataError, check_label_set, detect_columns, formula_labels_problem, stripped_cells
from tools.data.tables import read_table
from tools.scoring.metrics import wilson_interval

Z_ALPHA_ONE_SIDED = 1.6449  # α = 0.05
Z_ALPHA_TWO_SIDED = 1.9600
Z_POWER = 0.8416  # power 0.8


class Item(NamedTuple):
    """One labelled example; `id` is its row number in the uploaded file (stable across runs).

    A named tuple, not a frozen dataclass: an upload makes one per row, and 100k named tuples take 60 % of the
    time and memory of frozen dataclasses to make (no `__dict__` each) — as immutable, and `_replace` for a copy."""

    id: int
    text: str
    label: str


@dataclass
class EvalSplit:
    eval: list[Item]
    few_shot_pool: list[Item]
    train_pool: list[Item]
    dropped_duplicates: int
    dropped_empty: int
    conflicting_duplicates: int
    rare_classes: dict[str, int] = field(default_factory=dict)
    seed: int = 0
    stratified: bool = True  # False: drawn at random (extraction and open answers have no classes to balance)

    def summary(self) -> dict:
        return {"size": len(self.eval), "few_shot_pool": len(self.few_shot_pool), "train_pool": len(self.train_pool),
                "dropped_duplicates": self.dropped_duplicates, "dropped_empty": self.dropped_empty,
                "conflicting_duplicates": self.conflicting_duplicates, "rare_classes": self.rare_classes,
                "seed": self.seed,
                "eval_label_counts": dict(Counter(i.label for i in self.eval)) if self.stratified else {}}

    def labels(self) -> list[str]:
        return sorted({i.label for i in self.eval} | {i.label for i in self.few_shot_pool} |
                      {i.label for i in self.train_pool})


class EvalSetError(Problem):
    """The data cannot give the eval set asked for: an `evalset.*` message id saying why and what to do."""


# ASCII text needs no NFKC and case-folds as lower(); mapping every non-alphanumeric to a space and re-joining the
# words is the same as the regex below, several times faster (100k texts: 1.3 s → 0.2 s).
_ASCII_SPACES = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})
# The near-duplicate key without its spaces, for an ASCII text's bytes in one `translate`: lower-cased, every other
# character deleted.
_ASCII_LOWER = bytes(ord(chr(c).lower()) for c in range(128)) + bytes(range(128, 256))
_ASCII_NOT_ALNUM = bytes(c for c in range(128) if not chr(c).isalnum())


def normalise_text(text: str) -> str:
    """The form used to find near-duplicates: NFKC, case-folded, punctuation and spacing removed."""
    if text.isascii():
        return " ".join(text.lower().translate(_ASCII_SPACES).split())
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", " ", text).strip()


def near_duplicate_keys(texts: list[str]) -> list[bytes | str]:
    """A key per text, equal for two texts exactly when their `normalise_text` forms are equal — without computing
    that form for most texts.

    The form without its spaces is computed first: for an ASCII text (`isascii` is a flag, not a scan) one
    `encode` and one `translate` of its bytes. Text by text, not joined into one string and split again: the
    joined copies of a 40 MB column cost more in fresh memory pages than the per-text calls (0.17 s → 0.09 s).
    Equal forms have equal space-free forms, so a text whose space-free form is unique is its own key; only texts
    sharing one ("ab c" and "a bc") get their full form, a `str` — which never equals a space-free `bytes` key, and
    equals another full form only within one group."""
    coarse: list[bytes | str] = [text.encode("ascii").translate(_ASCII_LOWER, _ASCII_NOT_ALNUM) if text.isascii()
                                 else normalise_text(text).replace(" ", "").encode("utf-8") for text in texts]
    if len(set(coarse)) == len(coarse):
        return coarse
    shared = {key for key, count in Counter(coarse).items() if count > 1}
    return [normalise_text(text) if key in shared else key for text, key in zip(texts, coarse, strict=True)]


def load_items(path: str | Path, *, text_column: str | None = None, label_column: str | None = None,
               sheet: str | None = None) -> tuple[list[Item], str, str]:
    """Labelled items from a file (the same safe reader as uploads), with the columns used."""
    table = read_table(path, sheet=sheet)
    columns = detect_columns(table.frame, text_column=text_column, label_column=label_column,
                             name=f"'{Path(path).name}'")
    if columns.label is None:
        raise EvalSetError("evalset.no_label_column", name=Path(path).name)
    texts = [t if isinstance(t, str) else "" for t in table.frame[columns.text].tolist()]
    labels = stripped_cells(table.frame[columns.label])
    formula_labels_problem(table, labels, name=Path(path).name, column=columns.label)
    check_label_set(labels, name=Path(path).name, column=columns.label)
    given = Counter(label for label in labels if label)
    if len(given) < 2:  # the upload's own words for it (tools.data.read.profile_table)
        raise DataError("data.one_class", name=Path(path).name, column=columns.label, only=next(iter(given), ""))
    items = [Item(i, t, lab) for i, (t, lab) in enumerate(zip(texts, labels, strict=True))]
    check_conflicts(items, name=Path(path).name)
    return items, columns.text, columns.label


def label_conflicts(items: list[Item]) -> tuple[int, list[tuple[str, str, str]], set[str]]:
    """Texts that appear with different labels, as the split sees them (near-duplicate keys; the first label in
    the file is the one kept): how many, up to three examples (text, kept, other), and the labels left."""
    kept: set[str] = set()
    seen: dict[bytes | str, Item] = {}
    examples: list[tuple[str, str, str]] = []
    conflicted: set[bytes | str] = set()
    usable = [item for item in items if item.label and item.text and not item.text.isspace()]
    for item, key in zip(usable, near_duplicate_keys([item.text for item in usable]), strict=True):
        first = seen.setdefault(key, item)
        if first is item:
            kept.add(item.label)
        elif first.label != item.label and key not in conflicted:
            conflicted.add(key)
            if len(examples) < 3:
                examples.append((first.text[:80], first.label, item.label))
    return len(conflicted), examples, kept


def check_conflicts(items: list[Item], *, name: str) -> Problem | None:
    """The same verdict in every door: conflicting labels are said (how many, an example, which label was kept);
    when the labels kept leave one class, the data cannot be scored and is refused in one sentence."""
    count, examples, kept = label_conflicts(items)
    if not count:
        return None
    text, first, other = examples[0]
    if len(kept) < 2:
        raise DataError("data.conflicts_leave_one_class", name=name, count=count, text=text, kept=first,
                        other=other, only=next(iter(kept), ""))
    return Problem("data.conflicting_labels", count=count, text=text, kept=first, other=other)


def _dedupe(items: list[Item]) -> tuple[list[Item], int, int, int]:
    usable = [item for item in items if item.label and not item.text.isspace() and item.text]
    kept: list[Item] = []
    seen: dict[bytes | str, Item] = {}
    dropped = conflicts = 0
    for item, key in zip(usable, near_duplicate_keys([item.text for item in usable]), strict=True):
        if key in seen:
            dropped += 1
            conflicts += seen[key].label != item.label
            continue
        seen[key] = item
        kept.append(item)
    return kept, dropped, len(items) - len(usable), conflicts


def _allocate(sizes: dict[str, int], total: int) -> dict[str, int]:
    """Proportional allocation with the largest-remainder rule, at least one per class where possible."""
    available = sum(sizes.values())
    quotas = {c: total * n / available for c, n in sizes.items()}
    counts = {c: min(sizes[c], max(1, math.floor(q))) for c, q in quotas.items()}
    order = sorted(sizes, key=lambda c: (quotas[c] - math.floor(quotas[c])), reverse=True)
    while sum(counts.values()) < total:
        grew = False
        for c in order:
            if sum(counts.values()) >= total:
                break
            if counts[c] < sizes[c]:
                counts[c] += 1
                grew = True
        if not grew:
            break
    while sum(counts.values()) > total:  # the minimum of one per class overshot: trim the largest
        largest = max(counts, key=lambda c: counts[c])
        counts[largest] -= 1
    return counts


def split(items: list[Item], *, eval_size: int, seed: int = 0, few_shot_per_class: int = 8,
          rare_below: int = 5, stratify: bool = True) -> EvalSplit:
    """Seeded stratified split: few-shot pool first (a few per class), then the eval set, the rest to train.
    `stratify=False` (extraction: every answer is its own "class") draws the same three parts at random."""
    kept, dropped, empty, conflicts = _dedupe(items)
    if not stratify:
        return _random_split(kept, eval_size, seed, few_shot_per_class, dropped, empty, conflicts)
    by_class: dict[str, list[Item]] = defaultdict(list)
    for item in kept:
        by_class[item.label].append(item)
    if len(by_class) < 2:
        only = next(iter(by_class), "")
        raise EvalSetError("evalset.one_class", only=only)
    rng = random.Random(seed)
    few_shot, remaining = [], {}
    rare = {c: len(rows) for c, rows in by_class.items() if len(rows) < rare_below}
    for label in sorted(by_class):
        rows = sorted(by_class[label], key=lambda i: i.id)
        rng.shuffle(rows)
        take = min(few_shot_per_class, len(rows) // 3) if len(rows) >= 2 else 0
        few_shot += rows[:take]
        remaining[label] = rows[take:]
    usable = sum(len(r) for r in remaining.values())
    if eval_size > usable:
        raise EvalSetError("evalset.too_large", asked=eval_size, usable=usable, duplicates=dropped, empty=empty,
                           few_shot=len(few_shot))
    counts = _allocate({c: len(r) for c, r in remaining.items()}, eval_size)
    eval_items, train = [], []
    for label in sorted(remaining):
        eval_items += remaining[label][:counts[label]]
        train += remaining[label][counts[label]:]
    rng.shuffle(eval_items)
    return EvalSplit(eval=eval_items, few_shot_pool=few_shot, train_pool=train, dropped_duplicates=dropped,
                     dropped_empty=empty, conflicting_duplicates=conflicts, rare_classes=rare, seed=seed)


def _random_split(kept: list[Item], eval_size: int, seed: int, few_shot: int, dropped: int, empty: int,
                  conflicts: int) -> EvalSplit:
    rows = sorted(kept, key=lambda i: i.id)
    random.Random(seed).shuffle(rows)
    pool = rows[:min(few_shot, len(rows) // 3)]
    usable = len(rows) - len(pool)
    if eval_size > usable:
        raise EvalSetError("evalset.too_large", asked=eval_size, usable=usable, duplicates=dropped, empty=empty,
                           few_shot=len(pool))
    rest = rows[len(pool):]
    return EvalSplit(eval=rest[:eval_size], few_shot_pool=pool, train_pool=rest[eval_size:],
                     dropped_duplicates=dropped, dropped_empty=empty, conflicting_duplicates=conflicts, seed=seed,
                     stratified=False)


# ---------------------------------------------------------------- how many items


def wilson_halfwidth(accuracy: float, n: int) -> float:
    """Half the width of the Wilson 95 % interval at this accuracy and sample size."""
    lo, hi = wilson_interval(round(accuracy * n), n)
    return (hi - lo) / 2


def items_to_beat(bar: float, expected: float, *, z_alpha: float = Z_ALPHA_ONE_SIDED, z_power: float = Z_POWER) -> int:
    """Items needed to show accuracy above `bar` when the model's true accuracy is `expected` (one-sided)."""
    if expected <= bar:
        raise ValueError("expected accuracy must be above the bar to beat")
    spread = z_alpha * math.sqrt(bar * (1 - bar)) + z_power * math.sqrt(expected * (1 - expected))
    return math.ceil((spread / (expected - bar)) ** 2)


def pairs_to_tell_apart(difference: float, discordant: float, *, z_alpha: float = Z_ALPHA_TWO_SIDED,
                        z_power: float = Z_POWER) -> int:
    """Paired items (McNemar, Connor 1987) to detect an accuracy difference given the share of disagreements."""
    spread = z_alpha * math.sqrt(discordant) + z_power * math.sqrt(discordant - difference ** 2)
    return math.ceil(spread ** 2 / difference ** 2)


def items_per_arm_unpaired(p1: float, p2: float) -> int:
    """Items per model to tell p1 from p2 when the models run on different items (two-sided)."""
    mean = (p1 + p2) / 2
    spread = (Z_ALPHA_TWO_SIDED * math.sqrt(2 * mean * (1 - mean))
              + Z_POWER * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2)))
    return math.ceil(spread ** 2 / (p1 - p2) ** 2)


@dataclass
class PowerAnalysis:
    target: float
    eval_size: int
    halfwidth: float
    items_for_target: int
    bar: float
    pairs_low: int
    pairs_high: int

    def to_dict(self) -> dict:
        return asdict(self)

    def reason(self) -> Reason:
        """The power analysis as a message (`evalset.power`), phrased by the agent."""
        return reason("evalset.power", eval_size=self.eval_size, target=self.target,
                      halfwidth_points=self.halfwidth * 100, bar=self.bar, items_for_target=self.items_for_target,
                      pairs_low=self.pairs_low, pairs_high=self.pairs_high)


def power_analysis(target: float, eval_size: int, *, margin: float = 0.05) -> PowerAnalysis:
    """The numbers a user should see before labelling data (phrased from `PowerAnalysis.reason`)."""
    bar = max(0.01, target - margin)
    return PowerAnalysis(target=target, eval_size=eval_size, halfwidth=wilson_halfwidth(target, eval_size),
                         items_for_target=items_to_beat(bar, target), bar=bar,
                         pairs_low=pairs_to_tell_apart(margin, 0.07), pairs_high=pairs_to_tell_apart(margin, 0.15))
