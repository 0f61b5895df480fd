"""The results chart: a free (local) model sits at the "$0, local" floor, the pick is a star, and the labels of
points that sit together never share a position (two $0 rows at 100 % used to print one label over the other)."""

from __future__ import annotations

import math

from tools.output.figures import CHART_PLOT_PX, LABEL_PX_PER_CHAR, label_width_px
from words.report import accuracy_cost_chart


def _row(candidate: str, accuracy: float, cost: float | None, shots: int = 0) -> dict:
    return {"candidate": candidate, "shots": shots, "accuracy": accuracy, "accuracy_ci": [accuracy - 0.02, accuracy],
            "cost_per_1k_usd": cost}


def test_labels_of_points_that_sit_together_take_different_positions() -> None:
    rows = [_row("tfidf-logreg", 1.0, 0.0), _row("stub-llm", 0.79, 0.03), _row("stub-llm", 0.79, 0.09, 3),
            _row("distilled-stub-llm", 1.0, 0.0)]
    figure = accuracy_cost_chart(rows, {"accuracy": 0.8}, {"candidate": "tfidf-logreg", "shots": 0}, "en")
    by_name = {trace.name: trace for trace in figure.data}
    free = [by_name["tfidf-logreg (trained baseline)"], by_name["distilled-stub-llm (trained on stub-llm's labels)"]]
    assert free[0].x == free[1].x and free[0].textposition != free[1].textposition
    # alone, right of the middle: opens leftwards; a point under the target's line: its label below it
    assert by_name["stub-llm (zero-shot)"].textposition == "bottom left"
    assert by_name["stub-llm (3-shot)"].textposition.endswith("left")  # the dearest: its label stays on the plot
    assert free[0].textposition.endswith("right")
    assert free[0].text[0].startswith("★ ") and free[0].marker.symbol == "star"


def test_labels_that_would_overlap_sideways_take_different_positions_and_distant_ones_do_not() -> None:
    """Two rows of one model at the same accuracy, three times apart in cost: in Chinese their labels are wider
    than the gap between the points (they were printed over each other); a row far away keeps the first position."""
    rows = [_row("cheap", 0.64, 0.0118), _row("cheap", 0.64, 0.0346, 3), _row("careful", 0.967, 0.59),
            _row("far", 0.64, 5.0)]
    figure = accuracy_cost_chart(rows, {"accuracy": 0.9}, {"candidate": "careful", "shots": 0}, "zh")
    positions = {trace.name: trace.textposition for trace in figure.data}
    assert positions["cheap（零样本）"].split()[0] != positions["cheap（3 个示例）"].split()[0]
    assert positions["careful（零样本）"].startswith("top") and positions["far（零样本）"].startswith("top")


def test_a_label_is_not_printed_across_the_target_line() -> None:
    """The cascade at 88 % under a 90 % target had its label printed on the dashed line; a point just above the line
    keeps its label above, a point far from it keeps the first position."""
    rows = [_row("cheap", 0.64, 0.0118), _row("cheap:0→careful:0/unsure30", 0.88, 0.18), _row("careful", 0.967, 0.59),
            _row("close", 0.91, 1.5)]
    for row in rows:
        row["accuracy_ci"] = [row["accuracy"] - 0.15, min(1.0, row["accuracy"] + 0.03)]
    figure = accuracy_cost_chart(rows, {"accuracy": 0.9}, {"candidate": "careful", "shots": 0}, "en")
    positions = {trace.name: trace.textposition.split()[0] for trace in figure.data}
    assert positions == {"cheap (zero-shot)": "top", "cheap → careful (cascade if unsure)": "bottom",
                         "careful (zero-shot)": "top", "close (zero-shot)": "top"}


def test_four_models_at_one_accuracy_get_four_places() -> None:
    """A base model and its fine-tune, zero-shot and 3-shot, all at 73.3 %: with three places the fourth label was
    printed over the first."""
    rows = [_row("tfidf-logreg", 1.0, 0.0), _row("gpt-4.1-mini", 0.733, 0.0252), _row("gpt-4.1-mini", 0.733, 0.072, 3),
            _row("ft:gpt-4.1-mini:stub-org::stub1", 0.733, 0.0504),
            _row("ft:gpt-4.1-mini:stub-org::stub1", 0.733, 0.144, 3)]
    figure = accuracy_cost_chart(rows, {"accuracy": 0.8}, {"candidate": "tfidf-logreg", "shots": 0}, "zh")
    positions = [trace.textposition for trace in figure.data[1:]]
    assert len(set(positions)) == 4, positions
    low, high = figure.layout.xaxis.range  # every label ends on the plot: the axis makes room for it
    for trace in figure.data:
        start = (math.log10(trace.x[0]) - low) / (high - low) * CHART_PLOT_PX
        width = label_width_px(trace.text[0]) + LABEL_PX_PER_CHAR
        assert (start + width <= CHART_PLOT_PX) if trace.textposition.endswith("right") else start - width >= 0, trace.name
