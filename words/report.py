"""The reports a user reads or takes away, in the conversation's language: the evaluation (Markdown, also what
`modelpick eval --report` writes) and the full report of a conversation (brief, data, plan, results, sources).

Every sentence comes from the message catalog; the figures come from the results document. No server path is
shown: files are named by their file name.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import plotly.graph_objects as go

from core.brief import Brief
from core.shapes import DatasetProfile, Plan
from tools.data.read import neutralise_cell
from tools.output.figures import BalanceWords, ChartWords, accuracy_cost_figure, class_balance_figure
from words import speak
from words.catalog import (
    comparison_sentence,
    dated,
    label,
    percent,
    render,
    row_technique,
    say,
    shown_candidate,
    verdict,
)


def _row(row: dict, lang: str) -> str:
    head = f"| {shown_candidate(row['candidate'], lang)}{' ⏩' if row.get('stopped') else ''} | {row_technique(row, lang)} "
    if row.get("status") == "failed":
        cause = " ".join(render(row["failure"], lang).split()).replace("|", "\\|")
        failed = say("report.failed_cell", lang, cause=cause)
        return head + f"| {failed} | — | {row['unparseable']} | {row['errors']} | — | — | — | {verdict('failed', lang)} | — |"
    low, high = row["accuracy_ci"]
    latency = ("—" if row["latency_p50_s"] is None else
               speak.latency(row["latency_p50_s"], row["latency_p95_s"], lang=lang))
    cost = "—" if row["cost_per_1k_usd"] is None else f"${row['cost_per_1k_usd']:.4f}"
    verdicts = " / ".join(verdict(row["verdicts"][k], lang) for k in ("accuracy", "cost", "latency"))
    p = "—" if row.get("mcnemar_p_vs_best") is None else f"{row['mcnemar_p_vs_best']:.3g}"
    f1 = "—" if row.get("macro_f1") is None else f"{row['macro_f1']:.3f}"
    return (head + f"| {percent(row['accuracy'])} ({percent(low)}–{percent(high)}) | {f1} | "
            f"{row['unparseable']} | {row['errors']} | {latency} | {row['input_tokens_per_item']:.0f} / "
            f"{row['output_tokens_per_item']:.0f} | {cost} | {verdicts} | {p} |")


def _targets(targets: dict, lang: str) -> str:
    none = say("report.none", lang)
    cost, latency = targets.get("max_cost_per_1k_usd"), targets.get("max_latency_s")
    return say("report.targets", lang, accuracy=percent(targets["accuracy"]) if targets.get("accuracy") else none,
               cost=say("report.cost_limit", lang, cost=cost) if cost is not None else none,
               latency=say("report.latency_limit", lang, seconds=latency) if latency else none)


def report_html(markdown: str, figures: list[go.Figure], lang: str) -> str:
    """The report as one self-contained HTML page: the Markdown rendered (raw HTML in it is escaped — labels and
    texts come from the user's data), the charts embedded with plotly's script inline, so it opens offline."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    title = next((line.lstrip("# ").strip() for line in markdown.splitlines() if line.startswith("# ")), "modelpick")
    charts = "".join(figure.to_html(full_html=False, include_plotlyjs=index == 0)
                     for index, figure in enumerate(figures))
    escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f"<title>{escaped}</title><style>body{{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;"
            "padding:0 1em;line-height:1.5}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:4px 8px;word-break:keep-all}"  # as public/modelpick.css
            f"</style></head><body>{body}{charts}</body></html>")


def comparison_markdown(cmp: dict, lang: str) -> str:
    """Two rows side by side: the verdict in words, then the items where they answer differently."""
    a = label(cmp["a"]["candidate"], cmp["a"]["shots"], lang)
    b = label(cmp["b"]["candidate"], cmp["b"]["shots"], lang)
    lines = [say("compare.heading", lang, a=a, b=b, n=cmp["paired_items"]), "", comparison_sentence(cmp, lang)]
    if cmp["examples"]:
        shown = say("compare.shown", lang, n=len(cmp["examples"])) if cmp["disagreements"] > len(cmp["examples"]) else ""
        lines += ["", say("compare.table_head", lang, count=cmp["disagreements"], shown=shown), "",
                  say("compare.columns", lang, a=a, b=b), "|---|---|---|---|"]
        for item in cmp["examples"]:
            text = " ".join(neutralise_cell(item["text"]).split())
            text = (text[:97] + "…" if len(text) > 100 else text).replace("|", "\\|")
            lines.append(f"| {text} | {item['gold']} | {item['a'] or '—'} | {item['b'] or '—'} |")
    return "\n".join(lines)


def eval_report_markdown(doc: dict, lang: str = "en") -> str:
    """The evaluation as Markdown: the same facts as the JSON, readable."""
    data, split, rec = doc["dataset"], doc["eval_set"], doc["recommendation"]
    lines = [say("report.eval_title", lang, run_id=doc["run_id"]), "",
             say("report.data_fields", lang, file=Path(data["path"]).name, rows=data["rows"], text=data["text_column"],
                 fields=speak.listing(data["fields"], lang)) if data.get("fields") else
             say("report.data", lang, file=Path(data["path"]).name, rows=data["rows"], text=data["text_column"],
                 label=data["label_column"], labels=len(data["labels"])), "",
             say("report.eval_set", lang, size=split["size"], seed=split["seed"], few_shot=split["few_shot_pool"],
                 train=split["train_pool"], duplicates=split["dropped_duplicates"], empty=split["dropped_empty"]),
             "", render(split["power_sentence"], lang), "", _targets(doc["targets"], lang), "",
             say("report.table_head", lang), "|---|---|---|---|---|---|---|---|---|---|---|"]
    lines += [_row(r, lang) for r in doc["results"]]
    if doc.get("task") == "extraction":
        lines += ["", *speak.fields_table(doc["results"], doc["dataset"].get("fields") or [], lang)]
    if doc.get("task") == "generation":
        lines += ["", *speak.judge_section(doc["results"], lang)]
    if doc.get("error_costs"):
        pairs = speak.listing([f"{pair} ${usd:g}" for pair, usd in doc["error_costs"]["pairs"].items()], lang)
        lines += ["", say("report.totals_head", lang, pairs=pairs), "", say("report.totals_table", lang), "|---|---|---|---|---|"]
        lines += [f"| {shown_candidate(r['candidate'], lang)} | {row_technique(r, lang)} | ${r['cost_per_1k_usd'] or 0:.4f} | "
                  f"${r['error_cost_per_1k_usd']:.4f} | ${r['total_cost_per_1k_usd']:.4f} "
                  f"(${r['total_cost_per_1k_ci'][0]:.4f}–${r['total_cost_per_1k_ci'][1]:.4f}) |"
                  for r in doc["results"] if r.get("total_cost_per_1k_usd") is not None]
    summary = doc.get("adaptive")
    if summary and summary["calls"] < summary["calls_if_fixed"] and doc.get("status", "finished") == "finished":
        lines += ["", say("results.adaptive", lang, calls=summary["calls"], fixed=summary["calls_if_fixed"],
                          saved=1 - summary["calls"] / summary["calls_if_fixed"], rounds=summary["rounds"])]
    lines += ["", say("report.recommendation", lang, status=say(f"report.status_{rec['status']}", lang)), ""]
    if rec["candidate"]:
        lines.append(f"**{label(rec['candidate'], rec.get('shots') or 0, lang)}**")
    lines += [f"- {render(r, lang)}" for r in rec["reasons"]]
    if rec["next_steps"]:
        lines += ["", say("report.next_steps", lang)] + [f"- {render(s, lang)}" for s in rec["next_steps"]]
    if doc.get("notes"):
        lines += ["", say("report.notes", lang)] + [f"- {render(n, lang)}" for n in doc["notes"]]
    if doc.get("comparison"):
        lines += ["", comparison_markdown(doc["comparison"], lang)]
    lines += ["", say("report.costs_note", lang)]
    return speak.typeset("\n".join(lines)) + "\n"


def full_report(brief: Brief, dataset: DatasetProfile, plan: Plan, document: dict, tokens: int, costs: list[dict],
                lang: str) -> str:
    """The downloadable report: brief, data profile, plan, results, recommendation, fine-tuning estimate, sources."""
    sources = sorted({dated(f["price_source"], f["as_of"], lang) for f in plan.get("forecasts", [])
                      if f.get("price_source")})
    title = brief.use_case or say("report.untitled", lang)
    lines = [say("report.title", lang, use_case=title), "", say("report.date", lang, date=date.today().isoformat()),
             "", speak.brief_summary(brief, [], dataset, lang), "", say("report.data_heading", lang), "",
             speak.profile_text(dataset, lang), "", say("report.plan_heading", lang), "",
             speak.plan_text(plan, brief, lang, [], closing=False), "",
             eval_report_markdown(document, lang).replace("# ", "## ", 1), "",
             say("report.finetune_heading", lang), "",
             say("report.finetune", lang, rows=plan["split"]["train_pool"], tokens=tokens), ""]
    lines += [say("report.training_cost", lang, model=c["model"], usd=c["training_usd"], epochs=c["epochs"],
                  per_1m=c["training_usd_per_1m"], source=c["source"], as_of=c["as_of"]) for c in costs]
    lines += ["", say("report.sources_heading", lang), ""] + [f"- {s}" for s in sources]
    lines.append(say("report.method_source", lang))
    return speak.typeset("\n".join(lines)) + "\n"


def accuracy_cost_chart(results: list[dict], targets: dict, recommended: dict | None, lang: str) -> go.Figure:
    """The results chart with its words in the language."""
    names = [label(r["candidate"], r["shots"], lang) for r in results]
    failed = [n for r, n in zip(results, names, strict=True) if r.get("accuracy") is None]
    words: ChartWords = {
        "title": say("chart.title", lang), "x": say("chart.x", lang), "y": say("chart.y", lang),
        "target": say("chart.target", lang, target=targets["accuracy"]) if targets.get("accuracy") else "",
        "max_cost": say("chart.max_cost", lang, cost=targets["max_cost_per_1k_usd"])
        if targets.get("max_cost_per_1k_usd") else "",
        "failed": say("chart.failed", lang, names=speak.listing(failed, lang)) if failed else "",
        "price_unknown": say("chart.price_unknown", lang), "free": say("chart.free", lang)}
    return accuracy_cost_figure(results, names, targets, recommended, words)


def class_balance_chart(profile: DatasetProfile, lang: str, top: int = 30) -> go.Figure | None:
    count = len(profile.get("label_counts") or {})
    file = profile.get("file", "")
    title = (say("chart.balance_title_top", lang, file=file, top=top, count=count) if count > top else
             say("chart.balance_title", lang, file=file))
    words: BalanceWords = {"title": title, "x": profile.get("label_column") or say("chart.label", lang),
                           "y": say("chart.rows", lang)}
    return class_balance_figure(profile.get("label_counts") or {}, words, top=top)
