"""Turn a decided step into words — templates in the user's language (English or Chinese).

The graph decides what to say (facts, numbers); this module only phrases it, so every figure in a reply
comes from the state, never from here.
"""

from __future__ import annotations

from agent.state import Brief

WELCOME = {
    "en": ("**modelpick** helps you choose the LLM for your use case by measuring candidates on your own data: "
           "accuracy with confidence intervals, cost per 1,000 items and latency — then the cheapest model that "
           "meets your targets.\n\nTell me what you want to automate (e.g. *classify support tickets into billing, "
           "bugs and sales*), your targets, and attach a CSV / JSONL / XLSX sample with the 📎 button whenever "
           "you like.\n\n中文：告诉我你的任务和目标（比如“把新闻分成真假，准确率九成”），随时上传样本数据。"),
    "zh": ("**modelpick** 用你自己的数据实测候选模型（准确率及置信区间、每千条成本、延迟），推荐满足目标的最便宜模型。"
           "\n\n先说说你想自动化什么任务、目标是什么，随时可以用 📎 上传 CSV / JSONL / XLSX 样本。"),
}

QUESTIONS = {
    "use_case": {
        "en": "What do you want a model to do? One sentence is enough, e.g. *classify support tickets into "
              "billing, bugs and sales*.",
        "zh": "你想让模型做什么？一句话即可，例如“把客服工单分成账单、故障、销售三类”。",
    },
    "labels": {
        "en": "Which labels should the model choose from? List them, e.g. *labels: billing, bugs, sales* — or "
              "upload labelled data and I will read them from it.",
        "zh": "模型要从哪些标签里选？请列出来，例如“标签：账单、故障、销售”，或者直接上传带标签的数据。",
    },
    "accuracy_target": {
        "en": "What accuracy do you need, e.g. *90%*? If you'd rather think in money, tell me what a right answer "
              "saves and a wrong one costs (e.g. *a right answer saves $50, a wrong one costs $300*) and I'll "
              "derive the break-even accuracy.",
        "zh": "需要多高的准确率，比如“90%”或“九成”？也可以告诉我答对一次省多少钱、答错一次损失多少钱，我来算盈亏平衡准确率。",
    },
    "max_cost_per_1k_usd": {
        "en": "What is the most you can spend per 1,000 items, in US dollars (e.g. *under $5 per 1000*, or *half a "
              "cent per item*)? Say *no limit* if cost doesn't matter.",
        "zh": "每千条最多能花多少美元（例如“每千条不超过5美元”）？不在乎成本就说“不限”。",
    },
    "max_latency_s": {
        "en": "How fast must each answer be, e.g. *under 2 s* or *500 ms*? Say *no limit* for batch jobs.",
        "zh": "每条需要多快返回，例如“2秒内”或“500毫秒”？批处理不在乎就说“不限”。",
    },
    "volume_per_day": {
        "en": "About how many items a day will this handle (e.g. *10k a day*)? I use it to project the monthly "
              "cost.",
        "zh": "大概每天要处理多少条（例如“每天一万条”）？我用它估算每月成本。",
    },
    "constraints": {
        "en": "Any hard constraints — must run on-prem, open weights only, data can't leave the EU? Say *none* if "
              "not.",
        "zh": "有没有硬性限制？比如必须本地部署、只能用开源模型、数据不能出境。没有就说“没有”。",
    },
    "data": {
        "en": "Now attach a sample of your data (CSV, TSV, JSONL, JSON or XLSX with a text column and, ideally, the "
              "correct label) with the 📎 button, and I'll profile it.",
        "zh": "请用 📎 上传一份样本数据（CSV、TSV、JSONL、JSON 或 XLSX，含文本列，最好带正确标签），我来分析。",
    },
    "ready": {
        "en": "I have what I need for the brief and the data. Say *what do you know so far?* to review it, correct "
              "anything (e.g. *actually 95%*), or upload another file.",
        "zh": "需求和数据都齐了。说“总结一下”可以查看，随时可以更正（例如“其实要95%”）或上传新文件。",
    },
}

FOLLOW_UPS = {
    ("accuracy_target", "vague"): {
        "en": "I need a number to test against: what share of items must be right — *85%*, *90%*, *95%*?",
        "zh": "我需要一个具体数字来检验：至少要答对多少比例？85%、90% 还是 95%？",
    },
    ("max_cost_per_1k_usd", "unit"): {
        "en": "Is that amount per 1,000 items or per single item? E.g. *$5 per 1000* or *$0.005 per item*.",
        "zh": "这个金额是每千条还是每一条？例如“每千条5美元”或“每条0.005美元”。",
    },
    ("max_cost_per_1k_usd", "vague"): {
        "en": "Cheap compared to what? Give a ceiling in dollars per 1,000 items (e.g. *$2 per 1000*), or say *no "
              "limit*.",
        "zh": "多便宜算便宜？请给出每千条的美元上限（例如“每千条2美元”），或说“不限”。",
    },
    ("max_latency_s", "unit"): {
        "en": "Is that in milliseconds or seconds? E.g. *500 ms* or *2 s*.",
        "zh": "单位是毫秒还是秒？例如“500毫秒”或“2秒”。",
    },
    ("max_latency_s", "vague"): {
        "en": "How fast is fast enough, per item — *500 ms*, *2 s*, *10 s*?",
        "zh": "每条多快算够快？500毫秒、2秒还是10秒？",
    },
    ("task_type", "which"): {
        "en": "Is this classification (pick one label per item), extraction (pull fields out of text) or "
              "generation (write text)?",
        "zh": "这是分类（每条选一个标签）、抽取（从文本里提取字段）还是生成（写文本）？",
    },
}

FIELD_NAMES = {
    "use_case": ("Use case", "用例"),
    "task_type": ("Task type", "任务类型"),
    "labels": ("Labels", "标签"),
    "accuracy_target": ("Accuracy target", "准确率目标"),
    "value_per_correct_usd": ("Value of a right answer", "答对的价值"),
    "cost_per_error_usd": ("Cost of a wrong answer", "答错的损失"),
    "break_even_accuracy": ("Break-even accuracy", "盈亏平衡准确率"),
    "max_cost_per_1k_usd": ("Max cost per 1,000 items", "每千条成本上限"),
    "max_latency_s": ("Max latency per item", "每条延迟上限"),
    "volume_per_day": ("Volume", "日处理量"),
    "constraints": ("Constraints", "硬性限制"),
}


def _pick(texts: dict, lang: str) -> str:
    return texts.get(lang) or texts["en"]


def pct(value: float) -> str:
    return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"


def usd(value: float) -> str:
    if value >= 100 or float(value).is_integer():
        return f"${value:,.0f}"
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else f"${value:.4g}"


def format_value(field: str, value, lang: str) -> str:
    """A brief value as the user reads it."""
    if value is None or value == []:
        return "—"
    if field in ("accuracy_target", "break_even_accuracy"):
        return pct(value)
    if field in ("value_per_correct_usd", "cost_per_error_usd"):
        return usd(value)
    if field == "max_cost_per_1k_usd":
        return usd(value) + (" / 1k" if lang == "en" else " / 千条")
    if field == "max_latency_s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:g} s"
    if field == "volume_per_day":
        return f"{value:,.0f} / day" if lang == "en" else f"每天 {value:,.0f} 条"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def welcome(lang: str = "en") -> str:
    return _pick(WELCOME, lang)


def question(field: str, lang: str) -> str:
    return _pick(QUESTIONS[field], lang)


def follow_up(field: str, kind: str, lang: str) -> str:
    return _pick(FOLLOW_UPS.get((field, kind), QUESTIONS.get(field, QUESTIONS["use_case"])), lang)


def acknowledge(changes: dict, lang: str) -> str:
    """One line confirming what this turn changed, so the user sees what was understood."""
    if not changes:
        return ""
    parts = [f"{FIELD_NAMES[k][1 if lang == 'zh' else 0].lower()}: {format_value(k, v, lang)}"
             for k, v in changes.items() if k in FIELD_NAMES and k != "use_case"]
    if "use_case" in changes:
        parts.insert(0, ("用例：" if lang == "zh" else "use case: ") + f"*{changes['use_case']}*")
    return ("已记下：" if lang == "zh" else "Noted — ") + ("；" if lang == "zh" else "; ").join(parts) + "."


def waived_line(fields: list[str], lang: str) -> str:
    names = [FIELD_NAMES.get(f, (f, f))[1 if lang == "zh" else 0] for f in fields]
    return ("好的，不设：" if lang == "zh" else "OK, no target for: ") + ", ".join(names) + "."


def brief_summary(brief: Brief, waived: list[str], dataset: dict | None, lang: str) -> str:
    """The brief as a table: what is known, what was waived, what is still open."""
    zh = lang == "zh"
    head = "**目前掌握的需求**" if zh else "**Your brief so far**"
    rows = ["| | |", "|---|---|"]
    values = brief.model_dump()
    for field, (en, cn) in FIELD_NAMES.items():
        value = values.get(field)
        shown = format_value(field, value, lang)
        if shown == "—" and field in waived:
            shown = ("无" if zh else "none") if field == "constraints" else ("不限" if zh else "no limit")
        if field == "break_even_accuracy" and value is None:
            continue
        rows.append(f"| {cn if zh else en} | {shown} |")
    if dataset:
        data = f"{dataset['file']} — {dataset['rows']:,} " + ("行" if zh else "rows")
        rows.append(f"| {'数据' if zh else 'Data'} | {data} |")
    else:
        rows.append(f"| {'数据' if zh else 'Data'} | {'尚未上传' if zh else 'not uploaded yet'} |")
    return head + "\n\n" + "\n".join(rows)


def break_even_line(brief: Brief, lang: str) -> str:
    """Why the derived target is what it is: the arithmetic, shown."""
    if brief.break_even_accuracy is None:
        return ""
    e, c, b = brief.cost_per_error_usd, brief.value_per_correct_usd, brief.break_even_accuracy
    if lang == "zh":
        return f"盈亏平衡准确率 = {usd(e)} / ({usd(e)} + {usd(c)}) = {pct(b)}：低于它，模型亏钱；目标应留出余量。"
    return (f"Break-even accuracy = {usd(e)} / ({usd(e)} + {usd(c)}) = {pct(b)}: below it the model loses money, "
            "so aim a few points above it.")


def help_text(lang: str) -> str:
    if lang == "zh":
        return ("我会问几件事：任务、标签、准确率目标（或答对/答错的价值）、每千条成本上限、延迟、日处理量、硬性限制；"
                "然后请你上传样本数据。随时可以说“总结一下”查看，或直接更正。")
    return ("I'll ask about the task, the labels, the accuracy target (or what a right and a wrong answer are "
            "worth), the cost ceiling per 1,000 items, latency, daily volume and hard constraints, then for a "
            "sample of your data. Say *what do you know so far?* any time, or just correct me.")


def profile_text(profile: dict, lang: str) -> str:
    """The data profile as a short paragraph and a table."""
    zh = lang == "zh"
    name, rows = profile["file"], profile["rows"]
    label = profile["label_column"]
    lines = [f"**{name}** — {rows:,} " + ("行" if zh else "rows") + f" ({profile['format'].upper()}"
             + (f", sheet {profile['sheet']}" if profile.get("sheet") else "") + ")"]
    lines.append(("文本列" if zh else "Text column") + f": `{profile['text_column']}` · "
                 + ("标签列" if zh else "label column") + (f": `{label}`" if label else (": 无" if zh else ": none")))
    table = ["| " + ("指标" if zh else "measure") + " | " + ("值" if zh else "value") + " |", "|---|---|"]
    chars, toks = profile["text_chars"], profile["text_tokens"]
    facts = [
        ("classes", "类别数", f"{profile['classes']}" if label else "—"),
        ("majority class share", "最大类占比", pct(profile["majority_share"]) if profile["majority_share"] else "—"),
        ("imbalance (largest / smallest)", "不平衡度（最大/最小）",
         f"{profile['imbalance_ratio']}×" if profile["imbalance_ratio"] else "—"),
        ("empty texts", "空文本", f"{profile['empty_texts']:,}"),
        ("duplicate texts", "重复文本", f"{profile['duplicate_texts']:,}"),
        ("rows without a label", "无标签行", f"{profile['missing_labels']:,}"),
        ("text length, chars (median / p95 / max)", "文本长度·字符（中位/p95/最大）",
         f"{chars['p50']:g} / {chars['p95']:,} / {chars['max']:,}"),
        ("tokens per text (mean / p95 / max)", "每条 token（均值/p95/最大）",
         f"{toks['mean']:g} / {toks['p95']:,} / {toks['max']:,}"),
        ("language", "语言", {"en": "English", "zh": "中文"}[profile["language"]]),
    ]
    table += [f"| {cn if zh else en} | {value} |" for en, cn, value in facts]
    if profile["label_counts"]:
        counts = sorted(profile["label_counts"].items(), key=lambda kv: -kv[1])
        shown = ", ".join(f"{k} {v:,}" for k, v in counts[:12]) + (" …" if len(counts) > 12 else "")
        lines.append(("各类数量" if zh else "Class counts") + f": {shown}")
    notes = "\n".join(f"- {w}" for w in profile["warnings"])
    return "\n\n".join([*lines, "\n".join(table)] + ([notes] if notes else []))


def data_problem(message: str, lang: str) -> str:
    """A file problem: the tool's specific sentence, and the reassurance that nothing else was lost."""
    if lang == "zh":
        return f"⚠️ 这个文件用不了：{message}\n\n之前的对话和上传都还在，修正后重新上传即可。"
    return f"⚠️ {message}\n\nEverything earlier in this conversation is kept; fix the file and attach it again."


def choice_question(message: str, options: list[str], lang: str) -> str:
    listed = "\n".join(f"{i}. `{o}`" for i, o in enumerate(options, start=1))
    tail = "请回复名称或序号。" if lang == "zh" else "Reply with the name or its number."
    return f"{message}\n\n{listed}\n\n{tail}"


def unlabelled_note(lang: str) -> str:
    if lang == "zh":
        return ("这份数据没有标签列：可以用它看模型的输出和成本，但没法打分。要衡量准确率，需要每条的正确答案——"
                "上传带标签的版本，或者说出哪一列是标签（例如“标签列是 category”）。")
    return ("This file has no label column, so I can run models on it and measure cost and latency, but not score "
            "accuracy. To measure accuracy, upload a version with the correct answer per row, or tell me which "
            "column holds it (e.g. *the label column is category*).")
