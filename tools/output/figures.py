"""Figures built from measured results and profiles (UI-free: the app only renders them).

The words on a figure (title, axes, the names of the points) are given by the caller in the user's language
(`words/report.py`); this module only draws.
"""

from __future__ import annotations

import math
import unicodedata
from typing import NamedTuple, TypedDict

import plotly.graph_objects as go

# The accuracy/cost chart as the chat shows it: ~600 px of plot, 11 px labels (~6 px per Latin character, twice
# that for a Chinese one) — what decides whether two points' labels would overlap.
CHART_PLOT_PX = 600
LABEL_PX_PER_CHAR = 6
CHART_PLOT_HEIGHT_PX = 320  # the figure's 420 px less its margins
LABEL_REACH_PX = 24  # from a point to the far edge of its label above or below it
LABEL_HEIGHT_PX = 14


def label_width_px(text: str) -> float:
    """About how wide a label is drawn (a wide East Asian character counts twice)."""
    return (len(text) + sum(unicodedata.east_asian_width(c) in "WF" for c in text)) * LABEL_PX_PER_CHAR


class ChartWords(TypedDict):
    title: str
    x: str
    y: str
    target: str  # already filled in, e.g. "target 90%"
    max_cost: str
    failed: str  # already filled in with the failed rows' names ("" when none failed)
    price_unknown: str
    free: str


class BalanceWords(TypedDict):
    title: str
    x: str
    y: str


def class_balance_figure(label_counts: dict[str, int], words: BalanceWords, *, top: int = 30) -> go.Figure | None:
    """Bar chart of the label counts (largest first); None for unlabelled data."""
    counts = sorted(label_counts.items(), key=lambda kv: -kv[1])
    if not counts:
        return None
    shown = counts[:top]
    labels, values = [k for k, _ in shown], [v for _, v in shown]
    total = sum(v for _, v in counts)
    figure = go.Figure(go.Bar(x=labels, y=values, text=[f"{v:,} ({v / total:.0%})" for v in values],
                              textposition="auto", marker_color="#4C78A8"))
    figure.update_layout(title=words["title"], xaxis_title=words["x"], yaxis_title=words["y"],
                         margin={"l": 40, "r": 20, "t": 50, "b": 40}, height=360)
    return figure


class _Box(NamedTuple):
    """Where a label is printed: x in decades of the log axis, y (its middle) in accuracy."""

    left: float
    right: float
    y: float


def _label_order(accuracy: float, target: float | None, reach: float) -> tuple[str, str, str]:
    """Where a point's label goes, by preference: above it, unless the target's dashed line runs just above the
    point (a label there is printed across the line) — then below; and the other way round just under the line."""
    if target is not None and 0 < target - accuracy < reach:
        return "bottom", "middle", "top"
    if target is not None and 0 < accuracy - target < reach:
        return "top", "middle", "bottom"
    return "top", "bottom", "middle"


def _label_box(x: float, y: float, width: float, vertical: str, side: str, lift: float) -> _Box:
    """The box of a label printed above, beside or below a point (its middle `lift` away), opening left or right."""
    middle = y + {"top": lift, "middle": 0.0, "bottom": -lift}[vertical]
    return _Box(x - width, x, middle) if side == "left" else _Box(x, x + width, middle)


def _label_positions(points: list[tuple[float, float, float]], target: float | None, x_range: tuple[float, float],
                     y_per_px: float) -> list[str]:
    """A textposition per point (x in decades, accuracy, label width in decades), in order: of the six places
    (above, below, beside × opening left or right) the one whose label overlaps the fewest labels placed before and
    stays on the plot — by preference, away from the target's line and opening away from the nearer edge. Three
    vertical places were not enough: four models at one accuracy printed two labels over each other."""
    middle = sum(x_range) / 2
    reach = LABEL_REACH_PX * y_per_px
    boxes: list[_Box] = []
    positions: list[str] = []
    for x, y, width in points:
        sides = ("left", "right") if x > middle else ("right", "left")
        slots = [(vertical, side) for side in sides for vertical in _label_order(y, target, reach)]
        placed = [_label_box(x, y, width, vertical, side, reach - LABEL_HEIGHT_PX * y_per_px / 2)
                  for vertical, side in slots]
        costs = [(sum(1 for o in boxes if b.left < o.right and o.left < b.right
                      and abs(b.y - o.y) < LABEL_HEIGHT_PX * y_per_px),
                  b.left < x_range[0] or b.right > x_range[1]) for b in placed]
        best = costs.index(min(costs))  # the first of the least bad: preferences break ties
        boxes.append(placed[best])
        positions.append(" ".join(slots[best]))
    return positions


def _room_for_labels(x_range: tuple[float, float], labels: list[tuple[float, float, str]]) -> tuple[float, float]:
    """The x range (decades) widened so that every label (x, width in px, side it opens to) ends on the plot: a label
    past the edge is cut off. Only where no place inside was free of other labels does one open outwards."""
    left, right = x_range
    for x, width_px, side in labels:
        share = width_px / CHART_PLOT_PX
        if share >= 0.8:  # a label nearly as wide as the plot: widening cannot make it fit
            continue
        if side == "right":
            right = max(right, left + (x - left) / (1 - share))
        else:
            left = min(left, right - (right - x) / (1 - share))
    return left, right


def accuracy_cost_figure(results: list[dict], names: list[str], targets: dict, recommended: dict | None,
                         words: ChartWords) -> go.Figure:
    """Accuracy with 95 % CI whiskers against measured $ per 1k items (log scale), targets drawn, pick marked.

    `names[i]` labels `results[i]`. A log axis cannot show $0, so free (local) candidates sit at a floor; a failed
    row has no point (the caption names it).
    """
    drawn = [(r, n) for r, n in zip(results, names, strict=True) if r.get("accuracy") is not None]
    costs = [r["cost_per_1k_usd"] for r, _ in drawn if r["cost_per_1k_usd"]]
    floor = min(costs) / 10 if costs else 1e-4
    figure = go.Figure()
    if words["failed"]:
        figure.add_annotation(text=words["failed"], xref="paper", yref="paper", x=0, y=-0.22, showarrow=False,
                              xanchor="left", font={"color": "#b00020"})
    right = max([*costs, targets.get("max_cost_per_1k_usd") or 0, floor * 10])
    x_range = (math.log10(floor) - 0.5, math.log10(right) + 0.5)
    # Labels are placed at the size the chat shows a chart: plot pixels per decade and per point of accuracy.
    decades_per_px = (x_range[1] - x_range[0]) / CHART_PLOT_PX
    target = targets.get("accuracy")
    lows = [r["accuracy_ci"][0] for r, _ in drawn] + ([target] if target is not None else [])
    highs = [r["accuracy_ci"][1] for r, _ in drawn] + ([target] if target is not None else [])
    y_per_px = (max(highs) - min(lows)) * 1.1 / CHART_PLOT_HEIGHT_PX if lows else 0.0  # plotly pads 5 % a side
    xs = [math.log10(r["cost_per_1k_usd"] or floor) for r, _ in drawn]
    widths_px = [label_width_px(name) + 2 * LABEL_PX_PER_CHAR for _, name in drawn]  # with the star's room
    positions = _label_positions([(x, r["accuracy"], w * decades_per_px) for x, (r, _), w in
                                  zip(xs, drawn, widths_px, strict=True)], target, x_range, y_per_px)
    x_range = _room_for_labels(x_range, [(x, w, position.split()[1]) for x, w, position in
                                         zip(xs, widths_px, positions, strict=True)])
    for (r, name), position in zip(drawn, positions, strict=True):
        cost = r["cost_per_1k_usd"]
        chosen = bool(recommended and recommended.get("candidate") == r["candidate"]
                      and (recommended.get("shots") or 0) == r["shots"])
        price = f"${cost:.4f}/1k" if cost else (words["free"] if cost == 0 else words["price_unknown"])
        figure.add_trace(go.Scatter(
            x=[cost if cost else floor], y=[r["accuracy"]], mode="markers+text", name=name,
            text=[("★ " if chosen else "") + name],
            textposition=position,
            textfont={"size": 13 if chosen else 11, "color": "#1a7f37" if chosen else "#333"},
            error_y={"type": "data", "symmetric": False, "array": [r["accuracy_ci"][1] - r["accuracy"]],
                     "arrayminus": [r["accuracy"] - r["accuracy_ci"][0]]},
            marker={"size": 18 if chosen else 10, "symbol": "star" if chosen else "circle",
                    "color": "#1a7f37" if chosen else "#4C78A8"},
            hovertext=f"{name}: {r['accuracy']:.1%} [{r['accuracy_ci'][0]:.1%}–{r['accuracy_ci'][1]:.1%}], {price}",
        ))
    if targets.get("accuracy") is not None:
        figure.add_hline(y=targets["accuracy"], line_dash="dash", line_color="#b00020",
                         annotation_text=words["target"], annotation_position="bottom left")
    if targets.get("max_cost_per_1k_usd"):
        figure.add_vline(x=targets["max_cost_per_1k_usd"], line_dash="dot", line_color="#b00020",
                         annotation_text=words["max_cost"], annotation_position="bottom left")
    # A log axis has no $0: free (local) candidates sit at a floor that the axis names, and the other ticks are
    # dollars ("$0.01"), never SI prefixes ("100μ").
    decades = range(math.ceil(math.log10(floor) + 0.3), math.floor(math.log10(right) + 0.5) + 1) if costs else range(0)
    ticks = {floor: words["free"], **{10.0 ** k: f"${10.0 ** k:g}" for k in decades}}
    if targets.get("max_cost_per_1k_usd"):
        ticks[targets["max_cost_per_1k_usd"]] = f"${targets['max_cost_per_1k_usd']:g}"
    figure.update_xaxes(range=list(x_range), tickvals=list(ticks),
                        ticktext=list(ticks.values()))
    figure.update_layout(title=words["title"], xaxis_type="log", xaxis_title=words["x"], yaxis_title=words["y"],
                         yaxis_tickformat=".0%", showlegend=False, height=420, margin={"l": 50, "r": 20, "t": 50, "b": 50})
    return figure
