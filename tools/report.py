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


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _usd(value: float | None) -> str:
    return "unknown" if value is None else f"${value:.4f}"


def eval_report_markdown(doc: dict) -> str:
    """The `modelpick eval --report` file: the same facts as the JSON, readable."""
    data, split, targets, rec = doc["dataset"], doc["eval_set"], doc["targets"], doc["recommendation"]
    lines = [f"# modelpick evaluation {doc['run_id']}", "",
             f"Data: `{data['path']}` — {data['rows']:,} rows, text column `{data['text_column']}`, label column "
             f"`{data['label_column']}`, {len(data['labels'])} labels.", "",
             f"Eval set: {split['size']} items (seed {split['seed']}); few-shot pool {split['few_shot_pool']}, train "
             f"pool {split['train_pool']}; dropped {split['dropped_duplicates']} duplicates and "
             f"{split['dropped_empty']} empty rows.", "", split["power_sentence"], "",
             "Targets: accuracy " + (_pct(targets["accuracy"]) if targets["accuracy"] else "none")
             + ", cost " + (f"≤ ${targets['max_cost_per_1k_usd']:g} / 1k" if targets["max_cost_per_1k_usd"] is not None
                            else "none")
             + ", p95 latency " + (f"≤ {targets['max_latency_s']:g} s" if targets["max_latency_s"] else "none") + ".", "",
             "| candidate | technique | accuracy (95% CI) | macro-F1 | unparseable | errors | p50 / p95 latency | "
             "tokens in / out | $ / 1k items | verdicts (acc / cost / latency) | McNemar p vs best |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in doc["results"]:
        technique = r["technique"] + (f" (k={r['shots']})" if r["shots"] else "")
        if r.get("status") == "failed":
            cause = " ".join(str(r["failure"]).split()).replace("|", "\\|")
            lines.append(f"| {r['candidate']} | {technique} | failed: {cause} | — | {r['unparseable']} | {r['errors']} | "
                         "— | — | — | failed | — |")
            continue
        ci = f"{_pct(r['accuracy'])} ({_pct(r['accuracy_ci'][0])}–{_pct(r['accuracy_ci'][1])})"
        lat = "—" if r["latency_p50_s"] is None else f"{r['latency_p50_s']:.3f} / {r['latency_p95_s']:.3f} s"
        v = r["verdicts"]
        p = "—" if r["mcnemar_p_vs_best"] is None else f"{r['mcnemar_p_vs_best']:.3g}"
        lines.append(f"| {r['candidate']} | {technique} | {ci} | {r['macro_f1']:.3f} | {r['unparseable']} | "
                     f"{r['errors']} | {lat} | {r['input_tokens_per_item']:.0f} / {r['output_tokens_per_item']:.0f} | "
                     f"{_usd(r['cost_per_1k_usd'])} | {v['accuracy']} / {v['cost']} / {v['latency']} | {p} |")
    lines += ["", f"## Recommendation: {rec['status']}", ""]
    if rec["candidate"]:
        lines.append(f"**{rec['candidate']}** ({rec['technique']}).")
    lines += [f"- {reason}" for reason in rec["reasons"]]
    if rec["next_steps"]:
        lines += ["", "Next steps:"] + [f"- {step}" for step in rec["next_steps"]]
    if doc.get("notes"):
        lines += ["", "Notes:"] + [f"- {note}" for note in doc["notes"]]
    lines += ["", "Costs are measured tokens × catalog list prices (knowledge/catalog.py, with source and date); "
                  "local candidates cost $0 unless a hardware cost per hour was given."]
    return "\n".join(lines) + "\n"


def accuracy_cost_figure(results: list[dict], targets: dict, recommended: dict | None) -> go.Figure:
    """Accuracy with 95 % CI whiskers against measured $ per 1k items (log scale), targets drawn, pick marked.

    A log axis cannot show $0, so free (local) candidates sit at a floor and are labelled "$0".
    """
    failed = [r for r in results if r.get("accuracy") is None]
    results = [r for r in results if r.get("accuracy") is not None]  # a failed row has no point to draw
    costs = [r["cost_per_1k_usd"] for r in results if r["cost_per_1k_usd"]]
    floor = min(costs) / 10 if costs else 1e-4
    figure = go.Figure()
    if failed:
        names = ", ".join(f"{r['candidate']} {'zero-shot' if not r['shots'] else str(r['shots']) + '-shot'}"
                          for r in failed)
        figure.add_annotation(text=f"failed (not shown): {names}", xref="paper", yref="paper", x=0, y=-0.22,
                              showarrow=False, xanchor="left", font={"color": "#b00020"})
    for r in results:
        name = f"{r['candidate']} {'zero-shot' if not r['shots'] else str(r['shots']) + '-shot'}"
        cost = r["cost_per_1k_usd"]
        x = cost if cost else floor
        chosen = bool(recommended and recommended.get("candidate") == r["candidate"]
                      and (recommended.get("shots") or 0) == r["shots"])
        figure.add_trace(go.Scatter(
            x=[x], y=[r["accuracy"]], mode="markers+text", name=name, text=[name + (" ★" if chosen else "")],
            textposition="top right",
            error_y={"type": "data", "symmetric": False, "array": [r["accuracy_ci"][1] - r["accuracy"]],
                     "arrayminus": [r["accuracy"] - r["accuracy_ci"][0]]},
            marker={"size": 16 if chosen else 10, "symbol": "star" if chosen else "circle"},
            hovertext=f"{name}: {r['accuracy']:.1%} [{r['accuracy_ci'][0]:.1%}–{r['accuracy_ci'][1]:.1%}], "
                      + (f"${cost:.4f}/1k" if cost is not None else "price unknown") + ("" if cost else " ($0, local)"),
        ))
    if targets.get("accuracy") is not None:
        figure.add_hline(y=targets["accuracy"], line_dash="dash", annotation_text=f"target {targets['accuracy']:.0%}")
    if targets.get("max_cost_per_1k_usd"):
        figure.add_vline(x=targets["max_cost_per_1k_usd"], line_dash="dot",
                         annotation_text=f"max ${targets['max_cost_per_1k_usd']:g}/1k")
    import math

    right = max([*costs, targets.get("max_cost_per_1k_usd") or 0, floor * 10])
    figure.update_xaxes(range=[math.log10(floor) - 0.5, math.log10(right) + 0.5])
    figure.update_layout(title="Accuracy (95% CI) vs cost per 1,000 items", xaxis_type="log",
                         xaxis_title="$ per 1,000 items (log; $0 local shown at the left edge)",
                         yaxis_title="accuracy", yaxis_tickformat=".0%", showlegend=False, height=420,
                         margin={"l": 50, "r": 20, "t": 50, "b": 50})
    return figure
