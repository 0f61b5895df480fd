"""What each kind of wrong answer costs, and the total cost per 1,000 items it implies.

Users price errors asymmetrically ("a missed spam costs us $1, a blocked real message $20"); a single accuracy
target cannot say that. Here an error's cost depends on its (gold, predicted) pair. A candidate's expected error
cost per 1,000 items is 1,000 × the mean cost over its answered items (an unparseable answer is a wrong answer;
failed calls are counted apart, as everywhere); its 95 % interval is the normal interval of that mean (items are
independent; n is in the hundreds). The total cost per 1,000 items adds the measured API cost, so the cheapest
candidate is the one with the lowest total, not the lowest price.

Pairs not listed cost `default`; with no default, the most expensive listed error — an unparseable answer or an
unlisted confusion is never free.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.problems import Problem
from tools.scoring.metrics import ItemResult

Z95 = 1.959963984540054
_PAIR = re.compile(r"^\s*(.+?)\s*->\s*(.+?)\s*=\s*\$?\s*([0-9]*\.?[0-9]+)\s*$")


class ErrorCostError(Problem):
    """A malformed `--error-cost` value or one naming a label the data does not have."""


@dataclass(frozen=True)
class ErrorCosts:
    pairs: dict[tuple[str, str], float] = field(default_factory=dict)
    default: float | None = None

    def of(self, gold: str, predicted: str | None) -> float:
        if predicted == gold:
            return 0.0
        if predicted is not None and (gold, predicted) in self.pairs:
            return self.pairs[(gold, predicted)]
        if self.default is not None:
            return self.default
        return max(self.pairs.values(), default=0.0)

    def to_dict(self) -> dict:
        return {"pairs": {f"{g}->{p}": usd for (g, p), usd in self.pairs.items()}, "default": self.default}

    @classmethod
    def from_dict(cls, data: dict | None) -> ErrorCosts | None:
        if not data:
            return None
        pairs: dict[tuple[str, str], float] = {}
        for key, usd in (data.get("pairs") or {}).items():
            gold, predicted = key.split("->", 1)
            pairs[(gold, predicted)] = float(usd)
        return cls(pairs, data.get("default"))


def parse_spec(spec: str, default: float | None = None) -> ErrorCosts:
    """`"spam->ham=1,ham->spam=20"` ("gold->predicted=usd", comma-separated) → ErrorCosts."""
    pairs: dict[tuple[str, str], float] = {}
    for part in (p for p in spec.split(",") if p.strip()):
        match = _PAIR.match(part)
        if not match:
            raise ErrorCostError("error_cost.syntax", part=part.strip())
        pairs[(match.group(1), match.group(2))] = float(match.group(3))
    if not pairs and default is None:
        raise ErrorCostError("error_cost.syntax", part=spec.strip())
    return ErrorCosts(pairs, default)


def check_labels(costs: ErrorCosts, labels: Sequence[str]) -> None:
    """Every label an error cost names must exist in the data (a typo would silently cost nothing)."""
    for gold, predicted in costs.pairs:
        for name in (gold, predicted):
            if name not in labels:
                raise ErrorCostError("error_cost.unknown_label", label=name, labels=", ".join(labels[:20]))


@dataclass(frozen=True)
class ErrorCostSummary:
    per_1k_usd: float
    ci: tuple[float, float]
    confusions: dict[tuple[str, str], int]  # (gold, predicted) → count among answered items
    answered: int


def summarise_costs(results: Sequence[ItemResult], costs: ErrorCosts) -> ErrorCostSummary:
    answered = [r for r in results if r.error is None]
    values = [costs.of(r.gold, r.prediction) for r in answered]
    n = len(values)
    if n == 0:
        return ErrorCostSummary(0.0, (0.0, 0.0), {}, 0)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    half = Z95 * sd / math.sqrt(n)
    confusions = Counter((r.gold, r.prediction or "") for r in answered if r.prediction != r.gold)
    return ErrorCostSummary(1000 * mean, (1000 * max(0.0, mean - half), 1000 * (mean + half)), dict(confusions), n)


def paired_total_difference(a: Sequence[ItemResult], b: Sequence[ItemResult], costs: ErrorCosts,
                            api_a_per_item: float, api_b_per_item: float) -> tuple[float, tuple[float, float]]:
    """Total cost per 1,000 items of b minus a on the items both answered, with its 95 % interval (paired)."""
    b_by_id = {r.item_id: r for r in b if r.error is None}
    diffs = [(costs.of(r.gold, b_by_id[r.item_id].prediction) + api_b_per_item)
             - (costs.of(r.gold, r.prediction) + api_a_per_item)
             for r in a if r.error is None and r.item_id in b_by_id]
    n = len(diffs)
    if n < 2:
        return 0.0, (0.0, 0.0)
    mean = sum(diffs) / n
    half = Z95 * math.sqrt(sum((d - mean) ** 2 for d in diffs) / (n - 1)) / math.sqrt(n)
    return 1000 * mean, (1000 * (mean - half), 1000 * (mean + half))
