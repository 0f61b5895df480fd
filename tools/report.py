"""Figures built from measured results and profiles (UI-free: the app only renders them).

The words on a figure (title, axes, the names of the points) are given by the caller in the user's language
(`agent/report.py`); this module only draws.
"""

from __future__ import annotations

import math
import unicodedata
from typing import TypedDict

import plotly.graph_objects as go

# The accuracy/cost chart as the chat shows it: ~600 px of plot, 11 px labels (~6 px per Latin character, twice
# that for a Chinese one) — what decides whether two points' labels would overlap.
CHART_PLOT_PX = 600
LABEL_PX_PER_CHAR = 6
CHART_PLOT_HEIGHT_PX = 320  # the figure's 420 px less its margins
LABEL_REACH_PX = 24  # from a point to the far edge of its label above or below it


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


def _label_reach(drawn: list[tuple[dict, str]], target: float | None) -> float:
    """How far (in accuracy) a label above or below its point reaches, at the chart's height and y range."""
    lows = [r["accuracy_ci"][0] for r, _ in drawn] + ([target] if target is not None else [])
    highs = [r["accuracy_ci"][1] for r, _ in drawn] + ([target] if target is not None else [])
    return LABEL_REACH_PX * (max(highs) - min(lows)) / CHART_PLOT_HEIGHT_PX if lows else 0.0


def _label_order(accuracy: float, target: float | None, reach: float) -> tuple[str, str, str]:
    """Where a point's label goes, by preference: above it, unless the target's dashed line runs just above the
    point (a label there is printed across the line) — then below; and the other way round just under the line."""
    if target is not None and 0 < target - accuracy < reach:
        return "bottom", "middle", "top"
    if target is not None and 0 < accuracy - target < reach:
        return "top", "middle", "bottom"
    return "top", "bottom", "middle"


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
    # Neighbours' labels take different positions; a label opens away from the nearer edge, so none leaves the plot.
    right = max([*costs, targets.get("max_cost_per_1k_usd") or 0, floor * 10])
    middle = (math.log10(floor) + math.log10(right)) / 2
    # Labels are neighbours when they would overlap: within a label's width (in decades of the axis, at the width
    # the chat shows a chart) and 5 points of accuracy.
    decades_per_px = (math.log10(right) - math.log10(floor) + 1) / CHART_PLOT_PX
    target = targets.get("accuracy")
    placed: list[tuple[float, float, float, str]] = []
    for r, name in drawn:
        cost = r["cost_per_1k_usd"]
        x = math.log10(cost if cost else floor)
        span = (label_width_px(name) + 2 * LABEL_PX_PER_CHAR) * decades_per_px  # with the star's room
        taken = [position for px, py, pspan, position in placed
                 if abs(px - x) < max(span, pspan) and abs(py - r["accuracy"]) < 0.05]
        order = _label_order(r["accuracy"], target, _label_reach(drawn, target))
        vertical = next((p for p in order if p not in taken), order[len(taken) % 3])
        placed.append((x, r["accuracy"], span, vertical))
        chosen = bool(recommended and recommended.get("candidate") == r["candidate"]
                      and (recommended.get("shots") or 0) == r["shots"])
        price = f"${cost:.4f}/1k" if cost else (words["free"] if cost == 0 else words["price_unknown"])
        figure.add_trace(go.Scatter(
            x=[cost if cost else floor], y=[r["accuracy"]], mode="markers+text", name=name,
            text=[("★ " if chosen else "") + name],
            textposition=vertical + (" left" if x > middle else " right"),
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
    figure.update_xaxes(range=[math.log10(floor) - 0.5, math.log10(right) + 0.5], tickvals=list(ticks),
                        ticktext=list(ticks.values()))
    figure.update_layout(title=words["title"], xaxis_type="log", xaxis_title=words["x"], yaxis_title=words["y"],
                         yaxis_tickformat=".0%", showlegend=False, height=420, margin={"l": 50, "r": 20, "t": 50, "b": 50})
    return figure
