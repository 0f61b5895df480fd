"""Two candidates side by side on the same items: where they disagree, and whether one is really better.

Both answered the same eval items (pairing is what makes the test exact), so the evidence is in the items where
exactly one of them is right: "B is right on 14 items where A is wrong, A on 3 where B is wrong". McNemar's exact
test says how likely a split that uneven is if the two were equally good.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.problems import Problem
from core.shapes import Technique
from tools.prompting.prompts import parse_shots
from tools.scoring.metrics import ItemResult, mcnemar_exact

SHOWN_DISAGREEMENTS = 20

Key = tuple[str, int]


class CompareError(Problem):
    """A name that matches no measured row."""


def row_key(name: str, keys: Sequence[Key]) -> Key:
    """"stub" (its zero-shot row, else its first) or "stub:3" (its 3-shot row) → the row's key."""
    candidate, _, shots = name.strip().partition(":")
    rows = [k for k in keys if k[0] == candidate]
    if shots.strip():
        try:
            code = parse_shots(shots)
        except ValueError:
            code = None
        rows = [k for k in rows if k[1] == code]
    if not rows:
        raise CompareError("compare.unknown", name=name.strip(),
                           known=", ".join(f"{c}:{Technique.of(s).token}" for c, s in keys))
    return min(rows, key=lambda k: Technique.of(k[1]).order)


def compare(a: Key, b: Key, grouped: Mapping[Key, Sequence[ItemResult]], texts: Mapping[int, str]) -> dict:
    """The comparison as data: discordant counts, McNemar p, the verdict, and the items where they disagree."""
    b_by_id = {r.item_id: r for r in grouped[b] if r.error is None}
    both = [(r, b_by_id[r.item_id]) for r in grouped[a] if r.error is None and r.item_id in b_by_id]
    a_only = sum(1 for x, y in both if x.correct and not y.correct)
    b_only = sum(1 for x, y in both if y.correct and not x.correct)
    p = mcnemar_exact(a_only, b_only)
    better = None if p >= 0.05 else (a if a_only > b_only else b)
    differ = [(x, y) for x, y in both if x.prediction != y.prediction]
    return {"a": {"candidate": a[0], "shots": a[1]}, "b": {"candidate": b[0], "shots": b[1]}, "paired_items": len(both),
            "a_right_b_wrong": a_only, "b_right_a_wrong": b_only, "p": float(f"{p:.4g}"),
            "better": {"candidate": better[0], "shots": better[1]} if better else None, "disagreements": len(differ),
            "examples": [{"item_id": x.item_id, "text": texts.get(x.item_id, ""), "gold": x.gold, "a": x.prediction,
                          "b": y.prediction} for x, y in differ[:SHOWN_DISAGREEMENTS]]}
