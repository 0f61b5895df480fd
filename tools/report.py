"""Figures and exports built from measured results and profiles (UI-free: the app only renders them)."""

from __future__ import annotations

import plotly.graph_objects as go


def class_balance_figure(profile: dict, *, top: int = 30) -> go.Figure | None:
    """Bar chart of the label counts (largest first); None for unlabelled data."""
    counts = sorted((profile.get("label_counts") or {}).items(), key=lambda kv: -kv[1])
    if not counts:
        return None
    shown = counts[:top]
    labels, values = [k for k, _ in shown], [v for _, v in shown]
    total = sum(v for _, v in counts)
    figure = go.Figure(go.Bar(x=labels, y=values, text=[f"{v:,} ({v / total:.0%})" for v in values],
                              textposition="auto", marker_color="#4C78A8"))
    more = f" — top {top} of {len(counts)}" if len(counts) > top else ""
    figure.update_layout(title=f"Class balance in {profile.get('file', 'the data')}{more}",
                         xaxis_title=profile.get("label_column") or "label", yaxis_title="rows",
                         margin={"l": 40, "r": 20, "t": 50, "b": 40}, height=360)
    return figure
