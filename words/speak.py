"""Turn a decided step into words — templates in the user's language (English or Chinese).

The graph decides what to say (facts, numbers); this module only phrases it, so every figure in a reply
comes from the state, never from here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from core.brief import Brief
from core.shapes import (
    DatasetProfile,
    DocumentsInfo,
    ExpectedTime,
    Plan,
    RagPlan,
    Reason,
    Recommendation,
    ResultRow,
    RunInfo,
    SilverSummary,
)
from knowledge.catalog import ModelCard, UnknownModel, get_card
from tools.candidates.base import BASELINE_ID
from tools.planning.plan import PROBE_ITEMS
from tools.run.runner import Progress
from tools.scoring.metrics import wilson_interval
from tools.scoring.recommend import Targets
from tools.tasks.generation import KAPPA_TRUSTED
from words.catalog import (
    MESSAGES,
    cited,
    dated,
    label,
    p_value,
    percent,
    render,
    row_technique,
    say,
    shown_candidate,
    verdict,
)
from words.catalog import money as usd
from words.catalog import technique as technique_name

if TYPE_CHECKING:
    from langchain_core.messages import AIMessage

WELCOME = {
    "en": ("**modelpick** helps you choose the LLM for your use case by measuring candidates on your own data: "
           "accuracy with confidence intervals, cost per 1,000 items and latency — then the cheapest model that "
           "meets your targets.\n\nTell me what you want to automate (e.g. *classify support tickets into billing, "
           "bugs and sales*), your targets, and attach a CSV / JSONL / XLSX sample with the 📎 button whenever "
           "you like.\n\n用中文也可以：直接用中文告诉我你的任务和目标。"),
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

TASK_TYPES_ZH = {"classification": "分类", "extraction": "抽取", "generation": "生成"}

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


def reply(text: str, kind: str = "text", **extra: object) -> AIMessage:
    """An assistant message; `kind` tells the UI what to attach (a chart, files) and the phraser what it may
    rephrase. (LangChain is imported here: `modelpick eval` uses this module's templates without a conversation.)"""
    from langchain_core.messages import AIMessage

    return AIMessage(content=typeset(text), additional_kwargs={"kind": kind, **extra})


def typeset(text: str) -> str:
    """A reply or report as it is shown: bare URLs linked (`linked_urls`), Chinese spacing tidied
    (`chinese_spacing`)."""
    return chinese_spacing(linked_urls(text))


_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_FULL_WIDTH = "\u3000-\u303f\uff00-\uffef"  # CJK punctuation, full-width forms (（），：)
# A space between Chinese and Chinese ("结论依次为 准确率", "（训练的基线） 达到"), or before full-width punctuation
# after a word ("tfidf-logreg （"): templates join pieces with the space English needs.
_SPACE_IN_CHINESE = re.compile(f"(?<=[{_HAN}{_FULL_WIDTH}])[ ]+(?=[{_HAN}])|(?<=[\\w%)>])[ ]+(?=[（）：；，。、！？])")


def chinese_spacing(text: str) -> str:
    """No space inside Chinese: between two Chinese characters, after full-width punctuation before Chinese, or
    before full-width punctuation. The space between Chinese and Latin words or numbers ("达到 96.7%") stays; table
    rows (the user's own texts are quoted there) and code are left as they are."""
    if text.isascii():
        return text
    lines, fenced = text.split("\n"), False
    for i, line in enumerate(lines):
        opening = line.lstrip()[:3]
        if opening == "```":
            fenced = not fenced
        elif not fenced and not opening.startswith("|"):
            lines[i] = _SPACE_IN_CHINESE.sub("", line)
    return "\n".join(lines)


# A bare URL in Markdown, not already a link (`<…>`, `](…)`) or code; it ends where its ASCII characters end.
_BARE_URL = re.compile(r"(?<![<(`])\bhttps?://[!-;=?-{}~]+")
_SENTENCE_END = ".,:;!?'\"*_~]"


def linked_urls(text: str) -> str:
    """Bare URLs as `<url>` autolinks, which end exactly at `>`. A bare URL runs on through full-width
    punctuation — "（来源 https://x.com/pricing，2026-11-25）" linked to "https://x.com/pricing，2026-11-25）", a page
    that does not exist; trailing ASCII punctuation and an unbalanced ")" stay outside, as Markdown has them."""

    def wrap(match: re.Match[str]) -> str:
        url = match.group(0).rstrip(_SENTENCE_END)
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1].rstrip(_SENTENCE_END)
        return f"<{url}>{match.group(0)[len(url):]}"

    return _BARE_URL.sub(wrap, text)


def pct(value: float) -> str:
    return percent(value, trim=True)


def price(value: float | None) -> str:
    return usd(value, precise=True)


def colon(lang: str) -> str:
    """"Label: value" in English, "标签：值" in Chinese (an ASCII colon after Chinese reads as a half-translation)."""
    return "：" if lang == "zh" else ": "


def listing(values: list, lang: str) -> str:
    """A list as a sentence shows it: "a, b" in English, "a、b" in Chinese."""
    return ("、" if lang == "zh" else ", ").join(str(v) for v in values)


def _pick(texts: dict, lang: str) -> str:
    return texts.get(lang) or texts["en"]


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
        if lang == "zh":
            return f"{value * 1000:.0f} 毫秒" if value < 1 else f"{value:g} 秒"
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:g} s"
    if field == "task_type" and lang == "zh":
        return TASK_TYPES_ZH.get(value, value)
    if field == "volume_per_day":
        return f"{value:,.0f} / day" if lang == "en" else f"每天 {value:,.0f} 条"
    if isinstance(value, list):
        return listing(value, lang)
    return str(value)


def welcome(lang: str = "en") -> str:
    return _pick(WELCOME, lang)


def question(field: str, lang: str) -> str:
    return _pick(QUESTIONS[field], lang)


def follow_up(field: str, kind: str, lang: str) -> str:
    if kind.startswith("rate:"):
        code = kind[5:]
        return say("understood.rate_question", lang, currency=say(f"currency.{code}", lang), code=code)
    if kind.startswith("conflict:"):
        first, second = kind.removeprefix("conflict:").split("|")
        name = FIELD_NAMES.get(field, (field, field))[1 if lang == "zh" else 0]
        if lang == "zh":
            return f"“{name}”我读出了两个值：{first} 和 {second}。是哪一个？"
        return f"I read two different values for {name.lower()}: {first} or {second}. Which one is it?"
    return _pick(FOLLOW_UPS.get((field, kind), QUESTIONS.get(field, QUESTIONS["use_case"])), lang)


def error_kinds_line(kinds: list[dict], lang: str) -> str:
    """What the user said errors cost, as understood (the label pairs are settled once the data is known)."""
    parts = [say(f"understood.{k['kind']}", lang, label=k["label"] or say("understood.some_class", lang), usd=k["usd"])
             for k in kinds]
    return say("understood.error_kinds", lang, kinds="; ".join(parts))


def acknowledge(changes: dict, lang: str, said: dict[str, str] | None = None) -> str:
    """One line confirming what this turn changed, so the user sees what was understood — with the user's own
    words beside a value read from words ("90% (you said “nine times out of ten”)")."""
    if not changes:
        return ""
    said = said or {}

    def shown(field: str, value) -> str:
        text = format_value(field, value, lang)
        words = said.get(field)
        if words and re.search(r"[^\W\d_]{2,}", re.sub(r"\b(?:ms|s|k|usd|per)\b|美元|秒|毫秒", "", words)) \
                and _plain(words) != _plain(text):  # read from words, not digits: say which words
            return say("understood.said", lang, value=text, said=words)
        return text

    parts = [f"{FIELD_NAMES[k][1 if lang == 'zh' else 0].lower()}{colon(lang)}{shown(k, v)}"
             for k, v in changes.items() if k in FIELD_NAMES and k != "use_case"]
    if "use_case" in changes:
        parts.insert(0, ("用例：" if lang == "zh" else "use case: ") + f"*{changes['use_case']}*")
    return ("已记下：" if lang == "zh" else "Noted — ") + ("；" if lang == "zh" else "; ").join(parts) + (
        "。" if lang == "zh" else ".")


def _plain(text: str) -> str:
    """A value's text without spacing, case, separators and units' spelling, to tell whether the user said it so."""
    return re.sub(r"[\s,$/]|per|1k|千条|1000", "", text.lower())


def amount_text(amount: float, currency: str, lang: str) -> str:
    """An amount in its currency: "$5", "¥2" / "2 元", "€2", "£1"."""
    if currency == "USD":
        return usd(amount)
    number = f"{amount:,.4g}" if amount < 1 else f"{amount:,.2f}".rstrip("0").rstrip(".")
    if lang == "zh":
        return f"{number} " + {"CNY": "元", "EUR": "欧元", "GBP": "英镑"}.get(currency, currency)
    return {"CNY": "¥", "EUR": "€", "GBP": "£"}.get(currency, currency + " ") + number


def period_name(days: float, lang: str) -> str:
    key = f"period.{days:g}"
    return say(key, lang) if key in MESSAGES else say("period.other", lang, days=days)


def understood_lines(update: dict, facts: dict, volume_per_day: float | None, lang: str) -> list[str]:
    """What this message said beside the brief's own fields — a budget per period and the ceiling derived from
    it, the evaluation's budget, a ceiling in another currency — and every quantity that could not be placed,
    each named with a question, so that nothing the user stated is dropped in silence."""
    lines = []
    derived = facts.get("derived")
    spend = update.get("spend") or (derived or {}).get("spend") if (update.get("spend") or (
        derived and "volume_per_day" in (update.get("changes") or {}))) else None
    if spend:
        amount, period = amount_text(spend["amount"], spend["currency"], lang), period_name(spend["per_days"], lang)
        if derived and derived.get("volume_per_day"):
            if spend["currency"] == "USD":
                lines.append(say("understood.derived", lang, spend=amount, period=period,
                                 volume=derived["volume_per_day"], per_1k=derived["per_1k"]))
            else:
                lines.append(say("understood.derived_other", lang, spend=amount, period=period,
                                 volume=derived["volume_per_day"],
                                 per_1k=amount_text(derived["per_1k"], spend["currency"], lang)))
        else:
            lines.append(say("understood.spend_needs_volume", lang, spend=amount, period=period))
    if update.get("eval_budget"):
        budget = update["eval_budget"]
        lines.append(say("understood.eval_budget", lang, amount=amount_text(budget["amount"], budget["currency"], lang)))
    if update.get("cost_in"):
        cost = update["cost_in"]
        lines.append(say("understood.cost_in", lang, amount=amount_text(cost["amount"], cost["currency"], lang),
                         currency=say(f"currency.{cost['currency']}", lang)))
    if update.get("rate_noted"):
        noted = update["rate_noted"]
        lines.append(say("understood.rate_noted", lang, rate=noted["rate"], code=noted["currency"],
                         amount=amount_text(noted["amount"], noted["currency"], lang), usd=noted["usd"]))
    by_why: dict[str, list[str]] = {}
    for item in update.get("unplaced") or []:
        by_why.setdefault(item["why"], []).append(item["text"])
    quote = (lambda t: f"“{t}”") if lang == "zh" else (lambda t: f"'{t}'")
    for why in ("money_unit", "tokens", "volume_period", "currency", "range", "ideal", "latency_unit", "not_target"):
        texts = by_why.get(why)
        if not texts or why == "latency_unit":  # the follow-up question asks for the unit
            continue
        key = {"money_unit": "money", "tokens": "tokens", "volume_period": "period", "currency": "currency",
               "range": "range", "ideal": "ideal", "not_target": "other"}[why]
        lines.append(say(f"understood.unplaced_{key}", lang, said=listing([quote(t) for t in texts], lang)))
    return lines


def compact_brief(brief: Brief, lang: str) -> str:
    """The brief in one line ("for: …; targets: ≥ 90% · ≤ $5.00 / 1k · ≤ 2 s; 10,000 / day") and how to fix it."""
    values = brief.model_dump()
    targets = []
    if brief.accuracy_target is not None:
        targets.append("≥ " + format_value("accuracy_target", brief.accuracy_target, lang))
    if brief.break_even_accuracy is not None and brief.accuracy_target is None:
        targets.append("≥ " + format_value("break_even_accuracy", brief.break_even_accuracy, lang))
    for field in ("max_cost_per_1k_usd", "max_latency_s"):
        if values[field] is not None:
            targets.append("≤ " + format_value(field, values[field], lang))
    parts = [brief.use_case or "—", " · ".join(targets) or say("brief.no_targets", lang)]
    if brief.volume_per_day:
        parts.append(format_value("volume_per_day", brief.volume_per_day, lang))
    if brief.constraints:
        parts.append(listing(brief.constraints, lang))
    return say("brief.compact", lang, brief=("；" if lang == "zh" else "; ").join(parts))


def waived_line(fields: list[str], lang: str) -> str:
    names = [FIELD_NAMES.get(f, (f, f))[1 if lang == "zh" else 0] for f in fields]
    return ("好的，不设：" if lang == "zh" else "OK, no target for: ") + listing(names, lang) + ("。" if lang == "zh" else ".")


def brief_summary(brief: Brief, waived: list[str], dataset: DatasetProfile | None, lang: str) -> str:
    """The brief as a table: what is known, what was waived, what is still open."""
    zh = lang == "zh"
    head = "**目前掌握的需求**" if zh else "**Your brief so far**"
    # A header that names the columns: an empty one renders as a blank bar above the table.
    rows = ["| 事项 | 目前 |" if zh else "| Topic | So far |", "|---|---|"]
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
    if e is None or c is None:
        return ""
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


def profile_text(profile: DatasetProfile, lang: str) -> str:
    """The data profile as a short paragraph and a table."""
    zh = lang == "zh"
    name, rows = profile["file"], profile["rows"]
    label = profile["label_column"]
    lines = [f"**{name}** — {rows:,} " + ("行" if zh else "rows") + f" ({profile['format'].upper()}"
             + (f", sheet {profile['sheet']}" if profile.get("sheet") else "") + ")"]
    fields = profile.get("fields")
    if fields:  # extraction: the columns (or JSON keys) to pull out of each text
        lines.append(say("profile.fields", lang, text=profile["text_column"], fields=listing(fields, lang)))
    elif profile.get("reference_column"):  # open answers: questions and their reference answers
        lines.append(say("profile.answers", lang, text=profile["text_column"], reference=profile["reference_column"]))
        lines.append(say("profile.marks", lang, count=profile.get("human_marks") or 0,
                         column=profile.get("human_column")) if profile.get("human_marks") else
                     say("profile.no_marks", lang))
    else:
        lines.append(("文本列" if zh else "Text column") + f"{colon(lang)}`{profile['text_column']}` · "
                     + ("标签列" if zh else "label column") + colon(lang) + (f"`{label}`" if label else
                                                                          ("无" if zh else "none")))
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
        ("language", "语言", {"en": ("English", "英文"), "zh": ("Chinese", "中文")}[profile["language"]][1 if zh else 0]),
    ]
    if fields or profile.get("reference_column"):  # no classes: the rows about labels say nothing here
        facts = [fact for fact in facts if fact[0] not in ("classes", "majority class share",
                                                           "imbalance (largest / smallest)", "rows without a label")]
    table += [f"| {cn if zh else en} | {value} |" for en, cn, value in facts]
    if profile["label_counts"]:
        counts = sorted(profile["label_counts"].items(), key=lambda kv: -kv[1])
        shown = listing([f"{k} {v:,}" for k, v in counts[:12]], lang) + (" …" if len(counts) > 12 else "")
        lines.append(("各类数量" if zh else "Class counts") + f"{colon(lang)}{shown}")
    notes = "\n".join(f"- {render(w, lang)}" for w in profile["warnings"])
    return "\n\n".join([*lines, "\n".join(table)] + ([notes] if notes else []))


def data_problem(message: str, lang: str) -> str:
    """A file problem: the tool's specific sentence, and the reassurance that nothing else was lost."""
    if lang == "zh":
        return f"⚠️ 这个文件用不了：{message}\n\n之前的对话和上传都还在，修正后重新上传即可。"
    return f"⚠️ {message}\n\nEverything earlier in this conversation is kept; fix the file and attach it again."


def documents_text(info: DocumentsInfo, refused: list[str], lang: str, *, has_data: bool) -> str:
    """What the attached documents gave RAG: documents and passages indexed, one line per document that could not
    be used (the rest are used), and what comes next."""
    lines = [f"⚠️ {line}" for line in refused]
    lines += [f"⚠️ {render(problem, lang)}" for problem in info["problems"]]
    if info["passages"]:
        lines.append(say("docs.indexed", lang, documents=info["documents"], passages=info["passages"],
                         chunk=info["chunk_tokens"], names=listing(info["read"][:8], lang)
                         + (" …" if len(info["read"]) > 8 else "")))
        lines.append(say("docs.next_plan" if has_data else "docs.next_data", lang))
    elif info["paths"] or refused:
        lines.append(say("docs.nothing_usable", lang))
    return "\n\n".join(lines)


def job_state(status: str, lang: str) -> str:
    """A fine-tuning job's state in the language (a state we do not know is shown as the endpoint said it)."""
    return say(f"finetune.state.{status}", lang) if f"finetune.state.{status}" in MESSAGES else status


def finetune_estimate(estimate: dict, lang: str) -> str:
    """A fine-tune's estimate as said in every door: rows, tokens, cost — and, where the provider announced it,
    the last day a job can start and the day the tuned model shuts down (knowledge/lifecycle.py)."""
    from knowledge.catalog import get_card
    from knowledge.lifecycle import fine_tune_closes, retirement

    text = say("finetune.estimate", lang, **{**estimate, "usd": usd(estimate["usd"])})
    card = get_card(estimate["model"])
    closes, ends = fine_tune_closes(card), retirement(estimate["model"])
    if closes and ends is not None:
        text += " " + say("finetune.closes", lang, model=card.id, date=closes, shutdown=ends.shutdown, days=ends.days,
                          source=(card.fine_tuning or {}).get("new_jobs_source") or ends.source or "—")
    return text


def finetune_line(record: dict | None, lang: str) -> str:
    """A fine-tuning job as one sentence: running (its state), succeeded (the new candidate) or failed (why)."""
    if record is None:
        return say("finetune.no_jobs", lang)
    model = record["estimate"]["model"]
    if record["status"] == "succeeded":
        return say("finetune.succeeded", lang, job=record["job_id"], model=model,
                   candidate=record.get("candidate") or record.get("fine_tuned_model"))
    if record["status"] in ("failed", "cancelled"):
        return say("finetune.failed", lang, job=record["job_id"], model=model,
                   error=record.get("error") or say("finetune.state.cancelled", lang))
    shown = job_state(record["status"], lang)
    if record.get("last_error"):
        shown += f" ({record['last_error']})"
    return say("finetune.status", lang, job=record["job_id"], model=model, status=shown)


def rag_plan_line(rag: RagPlan, lang: str) -> str:
    if rag["k"] >= rag["passages"]:
        return say("plan.rag_all", lang, passages=rag["passages"], chunk=rag["chunk_tokens"],
                   extra=rag["extra_tokens_per_item"])
    return say("plan.rag", lang, k=rag["k"], documents=rag["documents"], passages=rag["passages"],
               chunk=rag["chunk_tokens"], extra=rag["extra_tokens_per_item"])


CHOICES_SHOWN = 30  # a file with thousands of columns must not become a message of thousands of lines


def choice_question(message: str, options: list[str], lang: str) -> str:
    listed = "\n".join(f"{i}. `{o}`" for i, o in enumerate(options[:CHOICES_SHOWN], start=1))
    if len(options) > CHOICES_SHOWN:
        listed += f"\n… (+{len(options) - CHOICES_SHOWN:,})"
    tail = "请回复名称或序号。" if lang == "zh" else "Reply with the name or its number."
    return f"{message}\n\n{listed}\n\n{tail}"


def unlabelled_note(lang: str, silver_model: str | None = None) -> str:
    """What a file without labels means, and what can be done — silver labels only when an endpoint exists."""
    if lang == "zh":
        text = ("这份数据没有标签列，所以没法给模型打分。需要每条的正确答案：上传带标签的版本，或者说出哪一列是标签"
                "（例如“标签列是 category”），或人工标注几百条。")
        if silver_model:
            return text + f"也可以说“银标签”，让 {silver_model} 标注最多 500 条——之后所有结果都会注明是银标签，只能当参考。"
        return text + "用最强模型生成“银标签”需要先配置一个端点（OPENAI_API_KEY 或 MODELPICK_CANDIDATES_FILE）。"
    text = ("This file has no label column, so no model can be scored on it: accuracy needs the correct answer per "
            "row. Upload a labelled version, tell me which column holds the answer (e.g. *the label column is "
            "category*), or label a few hundred rows by hand.")
    if silver_model:
        return text + (f" Or say *silver labels* and {silver_model} (the strongest configured model) labels up to 500 "
                       "rows; everything measured on them is then marked as silver labels, a stand-in for real ones.")
    return text + (" Silver labels from a strong model need a configured endpoint (OPENAI_API_KEY or "
                   "MODELPICK_CANDIDATES_FILE); none is configured here.")


def silver_needs_endpoint(lang: str) -> str:
    if lang == "zh":
        return "没有配置任何模型端点，无法生成银标签：设置 OPENAI_API_KEY 或 MODELPICK_CANDIDATES_FILE，或上传带标签的数据。"
    return ("No model endpoint is configured, so there is nothing to make silver labels with: set OPENAI_API_KEY or "
            "MODELPICK_CANDIDATES_FILE, or upload labelled data.")


def silver_needs_labels(lang: str) -> str:
    return ("先告诉我标签有哪些（例如“标签：正面、负面”），再生成银标签。" if lang == "zh" else
            "Tell me the label set first (e.g. *labels: positive, negative*), then I can make silver labels.")


def silver_done(summary: SilverSummary, lang: str) -> str:
    if lang == "zh":
        return (f"⚠️ **银标签**：{summary['by']} 标注了 {summary['rows']} / {summary['asked']} 条（{summary['unusable']} 条"
                f"无法解析，已略过；花费 ${summary['spent_usd']:.4f}）。这些不是真实答案，下面的评测结果只能当参考。")
    return (f"⚠️ **Silver labels**: {summary['by']} labelled {summary['rows']} of {summary['asked']} rows "
            f"({summary['unusable']} unusable answers skipped; spent ${summary['spent_usd']:.4f}). They are a "
            "stand-in for real answers: every result measured on them says so.")


def edit_kept(command: dict, lang: str) -> str:
    """A plan edit said before the plan exists: kept, and applied when the plan is made."""
    what = " ".join(str(v) for v in (command.get("name"), command.get("model") or command.get("number")) if v)
    return say("plan.edit_kept", lang, edit=what)


def over_budget(budget: dict, lang: str) -> str:
    """The plan's forecast is over the evaluation budget the user stated: say so first, with what would fit."""
    if budget.get("fits_items", 0) < 10:
        return say("plan.over_budget_none_fit", lang, forecast=budget["forecast_usd"], budget=budget["budget_usd"])
    return say("plan.over_budget", lang, forecast=budget["forecast_usd"], budget=budget["budget_usd"],
               fits=budget["fits_items"], dearest=budget["dearest"], without=budget["without_dearest_usd"])


def go_over_budget(budget: dict, lang: str) -> str:
    return say("go.over_budget", lang, forecast=budget["forecast_usd"], budget=budget["budget_usd"],
               fits=budget.get("fits_items", 0))


def cannot_plan_yet(gaps: list[str], lang: str) -> str:
    """Why 'go' cannot start anything yet, and what is missing."""
    names = {"task": ("a classification task", "分类任务"), "labels": ("the label set", "标签集合"),
             "target": ("at least one target (accuracy, cost or latency)", "至少一个目标（准确率、成本或延迟）"),
             "data": ("labelled data (a file with a label column)", "带标签的数据（含标签列的文件）")}
    missing = [names[g][1 if lang == "zh" else 0] for g in gaps] or ["—"]
    if lang == "zh":
        return "还不能开始评测，缺少：" + "、".join(missing) + "。"
    return "I can't start an evaluation yet: it needs " + ", ".join(missing) + "."


# ---------------------------------------------------------------- the journey: plan, results, follow-ups


def not_runnable(model: str, lang: str) -> str:
    """A model that cannot run here, and what the user can do about it right now (the settings panel)."""
    if lang == "zh":
        return (f"{model} 在这里还跑不了：在设置面板 ⚙ 里填上它的端点（基础 URL、模型名、密钥、价格），再说“加上 {model}”。"
                "下面仍给出它的价格预估。")
    return (f"I can't run {model} here yet: add its endpoint in the settings panel ⚙ (base URL, model name, key, "
            f"prices), then say *add {model}*. Its forecast from the catalog is below.")


def no_candidates_left(lang: str) -> str:
    return "候选列表空了：请用“加上 X”添加一个。" if lang == "zh" else "No candidates left: add one with *add X*."


def _more_items_hint(plan: Plan, lang: str) -> str:
    """How to get the sureness the power sentence describes, when this eval set is smaller and the data allows."""
    values = plan["power_sentence"].get("values") or {}
    wanted, split = int(values.get("items_for_target") or 0), plan["split"]
    if wanted <= split["size"] or wanted > split["size"] + split["train_pool"]:
        return ""
    return ("" if lang == "zh" else " ") + say("plan.more_items", lang, items=wanted)


def plan_text(plan: Plan, brief: Brief, lang: str, notes: list[str], *, closing: bool = True) -> str:
    """The plan the user approves with 'go': eval set, power, candidates, techniques, forecast, shortlist
    (`closing=False` leaves out the "nothing is spent before go" line, for the report)."""
    zh = lang == "zh"
    split = plan["split"]
    # The techniques that will run: the trained baseline has no prompt; the shots apply to the prompted models.
    shown = [technique_name(0, lang, trained=True)] if BASELINE_ID in plan["candidates"] else []
    if any(c != BASELINE_ID for c in plan["candidates"]):
        shown += [technique_name(k, lang) for k in plan["shots"]]
    techniques = listing(shown, lang)
    lines = [*(f"⚠️ {n}" for n in notes), "**评测计划**" if zh else "**Evaluation plan**", ""]
    if closing:  # the brief it was made for, compact, to correct in one message before anything is spent
        lines.append("- " + compact_brief(brief, lang))
        if plan.get("open_targets"):
            names = [FIELD_NAMES[f][1 if zh else 0].lower() if not zh else FIELD_NAMES[f][1]
                     for f in plan["open_targets"]]
            lines.append("- " + say("brief.open", lang, fields=listing(names, lang)))
    if plan.get("silver_by"):
        lines.append(f"- ⚠️ 标签是银标签，来自 {plan['silver_by']}。" if zh else
                     f"- ⚠️ Labels are silver labels from {plan['silver_by']}.")
    dropped = (f"；去掉了 {split['dropped_duplicates']} 条重复、{split['dropped_empty']} 条空行" if zh else
               f"; dropped {split['dropped_duplicates']} duplicate and {split['dropped_empty']} empty rows so no text "
               "appears in two splits")
    counts = listing([f"{k} {v}" for k, v in sorted(split["eval_label_counts"].items(), key=lambda kv: -kv[1])[:10]], lang)
    drawn = (f"分层抽样：{counts}" if zh else f"stratified: {counts}") if counts else say("plan.random_split", lang)
    lines.append((f"- 评测集：{split['size']} 条（{drawn}）；少样本示例池 {split['few_shot_pool']} 条，训练池 "
                  f"{split['train_pool']} 条{dropped}。") if zh else
                 (f"- Eval set: {split['size']} items ({drawn}); few-shot pool {split['few_shot_pool']}, "
                  f"train pool {split['train_pool']}{dropped}."))
    if split.get("rare_classes"):
        rare = listing([f"{k} ({v})" for k, v in split["rare_classes"].items()], lang)
        lines.append(f"- {'样本很少的类别' if zh else 'Rare classes (reported, not dropped)'}{colon(lang)}{rare}")
    lines.append(f"- {render(plan['power_sentence'], lang)}{_more_items_hint(plan, lang) if closing else ''}")
    lines.append(f"- 候选：{'、'.join(plan['candidates'])}；方法：{'、'.join(shown)}（{plan['calls']:,} 次调用）。" if zh else
                 f"- Candidates: {', '.join(plan['candidates'])}; techniques: {techniques} ({plan['calls']:,} calls).")
    pilot = plan.get("pilot")
    if pilot and closing:  # an offer, not part of the report
        cost = price(pilot["cost_usd"]) if pilot.get("cost_usd") is not None else say("pilot.cost_unknown", lang)
        lines.append("- " + say("plan.pilot", lang, model=pilot["model"], items=pilot["items"], calls=pilot["calls"],
                                cost=cost))
    judge = plan.get("judge")
    if judge:
        cost = price(judge["cost_usd"]) if judge.get("cost_usd") is not None else say("pilot.cost_unknown", lang)
        lines.append("- " + say("plan.judge", lang, model=judge["model"], calls=judge["calls"], cost=cost))
        lines.append("- " + (say("plan.judge_marked", lang, marked=judge["marked"]) if judge["marked"] else
                             say("plan.judge_unmarked", lang)))
        if judge.get("self"):
            lines.append("- ⚠️ " + say("report.judge_self", lang, candidate=judge["model"]))
    rag = plan.get("rag")
    if rag:
        lines.append("- " + rag_plan_line(rag, lang))
    distil_cost = plan.get("distil_cost_usd")
    for teacher in plan.get("distil") or []:
        lines.append("- " + say("plan.distil", lang, teacher=teacher, rows=(plan.get("eval_config") or {}).get(
            "distil_rows", 500), cost=price(distil_cost) if distil_cost is not None else say("pilot.cost_unknown", lang)))
    costs = (plan.get("eval_config") or {}).get("error_costs")
    if costs and costs.get("pairs"):
        pairs = "; ".join(say("plan.error_pair", lang, gold=pair.split("->", 1)[0], predicted=pair.split("->", 1)[1],
                              usd=usd) for pair, usd in costs["pairs"].items())
        lines.append("- " + say("plan.error_costs", lang, pairs=pairs))
    looks = plan.get("looks")
    if looks and len(looks) > 1:
        rows = plan["calls"] // max(1, split["size"])
        fixed = sum(1 for c in plan["candidates"] if c == BASELINE_ID)  # a trained baseline always answers every item
        lines.append("- " + say("plan.adaptive", lang, cap=split["size"], looks=listing([f"{n:,}" for n in looks], lang),
                                low=(rows - fixed) * looks[0] + fixed * split["size"], high=plan["calls"]))
        costs = [f["eval_cost_usd"] for f in plan.get("forecasts") or []]
        if costs and None not in costs and sum(costs) > 0:  # every row priced: the same range in dollars
            most = sum(c or 0.0 for c in costs)
            lines.append("- " + say("plan.adaptive_cost", lang, low=price(most * looks[0] / split["size"]),
                                    high=price(most)))
    share = looks[0] / split["size"] if looks and len(looks) > 1 else None  # adaptive: decided at the first look
    lines.append(f"- {expected_time_line(plan.get('expected_time') or {'seconds': None, 'unmeasured': []}, zh, share)}")
    budget = plan.get("budget")
    if budget and not budget.get("over") and budget.get("forecast_usd") is not None:
        lines.append("- " + say("plan.within_budget", lang, budget=budget["budget_usd"], forecast=budget["forecast_usd"]))
    lines.append("")
    header = ("| 候选 | 方法 | 评测费用 | 每千条 | 每月（按日处理量） | 价格来源 |" if zh else
              "| candidate | technique | eval cost | per 1k items | per month at your volume | price source |")
    lines += [header, "|---|---|---|---|---|---|"]
    for f in plan["forecasts"]:
        technique = technique_name(f["shots"], lang, trained=f["model_id"] == BASELINE_ID)
        unpriced = f["cost_per_1k_usd"] is None
        monthly = (price(f["monthly_usd"]) if f["monthly_usd"] is not None or unpriced else
                   "需要日处理量" if zh else "needs volume")
        source = say("source.none", lang) if unpriced and not f["price_source"] else dated(f["price_source"],
                                                                                           f["as_of"], lang)
        lines.append(f"| {f['model_id']} | {technique} | {price(f['eval_cost_usd'])} | {price(f['cost_per_1k_usd'])} | "
                     f"{monthly} | {source} |")
    catalog = [s for s in plan["shortlist"] if s["id"] not in plan["candidates"]]
    if catalog:
        lines += ["", "**目录里值得一试的模型**（在设置面板 ⚙ 里添加它的端点，再说“加上 X”）：" if zh else
                  "**From the catalog, worth trying** (add its endpoint in the settings panel ⚙, then say *add X*):"]
        lines += [f"- {s['id']}{colon(lang)}{render(s['reason'], lang)}" + _retiring(s["id"], lang) for s in catalog[:4]]
    if plan["excluded"]:
        lines += ["", "**排除的知名模型**：" if zh else "**Notable models left out:**"]
        lines += [f"- {e['id']}{colon(lang)}{render(e['reason'], lang)}" for e in plan["excluded"][:4]]
    if closing:
        example = _example_to_add([entry["id"] for entry in catalog])
        lines += ["", say("plan.closing", lang, model=example) if example else say("plan.closing_no_add", lang)]
    return "\n".join(lines)


def _retiring(model: str, lang: str) -> str:
    """" — ⏳ shuts down on 2027-01-14, in 38 days": a suggestion that is about to retire says so."""
    from knowledge.lifecycle import retiring_soon

    soon = retiring_soon(model)
    return say("plan.suggestion_retires", lang, date=soon.shutdown, days=soon.days) if soon and soon.days >= 0 else ""


def _example_to_add(suggested: list[str]) -> str | None:
    """The model the closing line offers as an example of *add X*: a suggestion that is not about to retire."""
    from knowledge.lifecycle import retiring_soon

    return next((model for model in suggested if retiring_soon(model) is None), None)


def pilot_text(model: str, rows: list[tuple[int, list]], target: float | None, lang: str) -> str:
    """What the pilot learned: each technique's accuracy with its interval, and whether the target is reachable."""
    lines = []
    best_high = 0.0
    for shots, results in rows:
        answered = [r for r in results if r.error is None]
        if not answered:
            lines.append("- " + say("pilot.failed", lang, label=label(model, shots, lang)))
            continue
        correct = sum(r.correct for r in answered)
        low, high = wilson_interval(correct, len(answered))
        best_high = max(best_high, high)
        lines.append("- " + say("pilot.row", lang, label=label(model, shots, lang), accuracy=correct / len(answered),
                                low=low, high=high, n=len(answered)))
    if target is None:
        verdict_line = say("pilot.no_target", lang)
    elif best_high < target:
        verdict_line = say("pilot.unreachable", lang, model=model, target=target)
    else:
        verdict_line = say("pilot.reachable", lang, model=model, target=target)
    return "\n".join([say("pilot.heading", lang, model=model), "", *lines, "", verdict_line])


def latency(*seconds: float, lang: str) -> str:
    """Latencies as a table shows them: "0.007 s" / "0.007 秒", several joined by " / " with one unit."""
    return " / ".join(f"{value:.3f}" for value in seconds) + (" 秒" if lang == "zh" else " s")


def _duration(seconds: float, zh: bool) -> str:
    if seconds < 120:
        return f"{seconds:.0f} 秒" if zh else f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} 分钟" if zh else f"{seconds / 60:.0f} min"


def expected_time_line(expected: ExpectedTime, zh: bool, first_look_share: float | None = None) -> str:
    """Expected run time from latencies measured here (or by a timing probe just now); honest about what is
    unmeasured. An adaptive run gives a range: every row decided at the first look, to none decided early."""
    seconds, unmeasured = expected.get("seconds"), expected.get("unmeasured") or []
    probed = expected.get("probed") or []
    if probed:
        source = (f"按刚才对 {'、'.join(probed)} 的 {PROBE_ITEMS} 条计时试跑和此前的实测" if zh else
                  f"from a {PROBE_ITEMS}-item timing probe of {', '.join(probed)} just now and earlier measurements")
    else:
        source = "按此前实测的延迟" if zh else "from latencies measured in earlier runs here"
    parts = []
    if seconds:
        if seconds < 1:
            parts.append(f"预计耗时不到 1 秒（{source}）" if zh else f"Expected time: under a second ({source})")
        elif first_look_share and seconds * first_look_share >= 1:
            low, high = _duration(seconds * first_look_share, zh), _duration(seconds, zh)
            parts.append(f"预计耗时 {low}到 {high}（自适应：取决于何时有结论；{source}）" if zh else
                         f"Expected time: {low} to {high} (adaptive: depending on when rows are decided; {source})")
        else:
            parts.append(f"预计耗时约 {_duration(seconds, zh)}（{source}）" if zh else
                         f"Expected time: about {_duration(seconds, zh)} ({source})")
    if unmeasured:
        names = ("、" if zh else ", ").join(unmeasured)
        whose = "its" if len(unmeasured) == 1 else "their"
        parts.append(f"{names} 还没有实测延迟，开跑后进度条会显示预计剩余时间" if zh else
                     f"{'plus ' if parts else 'Expected time: unknown for '}{names} until {whose} first items run "
                     "(the progress shows an ETA)")
    return "；".join(parts) + "。" if zh else "; ".join(parts) + "."


def results_table(results: list[ResultRow], lang: str) -> str:
    zh = lang == "zh"
    head = ("| 候选 | 方法 | 条数 | 准确率（95%区间） | macro-F1 | 无法解析/错误 | p95 延迟 | 每千条 | 准确率/成本/延迟 | McNemar p |" if zh else
            "| candidate | technique | items | accuracy (95% CI) | macro-F1 | unparseable / errors | p95 latency | $ / 1k | "
            "accuracy / cost / latency | McNemar p vs best |")
    lines = [head, "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        technique = row_technique(r, lang)
        if r.get("status") == "failed":
            failed = f"**{'失败' if zh else 'failed'}**{colon(lang)}{_cell(render(r['failure'], lang))}"
            lines.append(f"| {shown_candidate(r['candidate'], lang)} | {technique} | {r['items']} | {failed} | — | "
                         f"{r['unparseable']} / {r['errors']} | — | — | {'失败' if zh else 'failed'} | — |")
            continue
        v = r["verdicts"]
        if r.get("status") == "stopped":
            v = dict.fromkeys(("accuracy", "cost", "latency"), "stopped")  # type: ignore[assignment]
        p95 = "—" if r["latency_p95_s"] is None else latency(r["latency_p95_s"], lang=lang)
        p = "—" if r.get("mcnemar_p_vs_best") is None else p_value(r["mcnemar_p_vs_best"] or 0.0, lang)
        items = f"{r['items']} ⏩" if r.get("stopped") else str(r["items"])
        lines.append(f"| {shown_candidate(r['candidate'], lang)} | {technique} | {items} | {_accuracy_cell(r)} | "
                     f"{_f1_cell(r)} | {r['unparseable']} / {r['errors']} | {p95} | "
                     f"{price(r['cost_per_1k_usd'])} | {verdict(v['accuracy'], lang)} / {verdict(v['cost'], lang)} / "
                     f"{verdict(v['latency'], lang)} | {p} |")
    return "\n".join(lines)


def significance_line(chosen: ResultRow, results: list[ResultRow], lang: str) -> str | None:
    """The pick against the most accurate other measured row, McNemar in words ("significant (p < 0.001)")."""
    others = [r for r in results if r is not chosen and r.get("status", "measured") == "measured"]
    if not others:
        return None
    runner_up = max(others, key=lambda r: r["accuracy"] or 0.0)
    p = _mcnemar_pair(chosen, runner_up, results)
    if p is None:
        return None
    words = "results.significant" if p < 0.05 else "results.not_significant"
    return "- " + say(words, lang, a=label(chosen["candidate"], chosen["shots"], lang),
                      b=label(runner_up["candidate"], runner_up["shots"], lang), p="McNemar " + p_value(p, lang))


def why_text(results: list[ResultRow], rec: Recommendation, lang: str) -> str:
    """The pick's reasons from this run: the one-sentence verdict, each reason with its numbers, the runner-up."""
    lines = [results_headline(results, rec, lang).split("\n\n", 1)[-1], ""]
    lines += [f"- {render(reason, lang)}" for reason in rec["reasons"]]
    if rec["candidate"]:
        chosen = next((r for r in results if r["candidate"] == rec["candidate"]
                       and r["shots"] == (rec.get("shots") or 0)), None)
        significance = significance_line(chosen, results, lang) if chosen is not None else None
        if significance:
            lines.append(significance)
    if rec["next_steps"]:
        lines += ["", say("why.next", lang)] + [f"- {render(step, lang)}" for step in rec["next_steps"]]
    return "\n".join(lines)


def run_story(results: list[ResultRow], run: RunInfo, lang: str) -> str:
    """How the last run ended, in its own facts: status, rows measured / stopped early / failed, notes."""
    status = run.get("status") or "finished"
    measured = sum(1 for r in results if r.get("status") == "measured" and not r.get("cascade"))
    failed = [r for r in results if r.get("status") == "failed"]
    early = sum(1 for r in results if r.get("stopped"))
    lines = [say(f"story.{status}" if status in ("finished", "cancelled", "budget") else "story.finished", lang,
                 measured=measured, early=early)]
    lines += ["- " + say("story.failed", lang, label=label(r["candidate"], r["shots"], lang),
                         cause=render(r.get("failure"), lang)) for r in failed]
    lines += [f"- {render(note, lang)}" for note in run.get("notes") or []]
    return "\n".join(lines)


def _what_if(target: float | None) -> int:
    """The stricter target a "what if" suggestion offers: five points above the current one (never above 99)."""
    return 95 if target is None else min(99, round(100 * target) + 5)


def results_headline(results: list[ResultRow], rec: Recommendation, lang: str) -> str:
    """The heading and the one-sentence verdict a reader sees before any table."""
    items = max((r["items"] for r in results if not r.get("cascade")), default=0)
    heading = say("results.heading", lang, items=items)
    if not rec["candidate"]:
        return heading + "\n\n" + say("results.headline_none", lang)
    chosen = label(rec["candidate"], rec.get("shots") or 0, lang)
    total = any(reason["id"] == "rec.lowest_total" for reason in rec["reasons"] if isinstance(reason, dict))
    key = "results.headline_total" if total else f"results.headline_{'met' if rec['status'] == 'met' else 'marginal'}"
    return heading + "\n\n" + say(key, lang, label=chosen)


def results_text(results: list[ResultRow], rec: Recommendation, brief: Brief, targets: Targets, run: RunInfo,
                 lang: str) -> str:
    """The results table and the recommendation: which, why (numbers, McNemar), monthly cost, next steps."""
    zh = lang == "zh"
    lines = []
    if run.get("status") == "cancelled":
        lines.append("⏹ 已停止：完成的部分都保留了。" if zh else "⏹ Stopped: everything that finished is kept.")
    for r in results:
        if r.get("status") == "failed":
            shown = say("label.row", lang, candidate=shown_candidate(r["candidate"], lang),
                        technique=row_technique(r, lang))
            lines.append(f"⚠️ {shown} "
                         + (f"失败，没有测出结果：{render(r['failure'], lang)}" if zh else
                            f"failed, nothing was measured: {render(r['failure'], lang)}"))
    if run.get("silver_by"):
        lines.append(f"⚠️ {'以下结果基于银标签（来自' if zh else 'Measured against silver labels from'} "
                     f"{run['silver_by']}{'），只能当参考。' if zh else ', not real answers.'}")
    lines += [results_headline(results, rec, lang), "", results_table(results, lang), "", say("results.legend", lang), ""]
    tried = [c for c in (r.get("cascade") for r in results) if c and c.get("tried")]
    if tried:
        lines += [say("results.cascade_intervals", lang, tried=tried[0]["tried"], interval=tried[0]["interval"],
                      error=tried[0]["tried"] * (1 - tried[0]["interval"])), ""]
    if any(r.get("metric") == "judged" for r in results):  # open answers: the judge, measured, and overlap
        lines += [*judge_section(results, lang), ""]
    extracted = [r for r in results if r.get("metric") == "all_fields_right" and r.get("fields")]
    if extracted:  # extraction: accuracy above is all fields right; here each field on its own
        lines += [*fields_table(results, list(extracted[0]["fields"]), lang), ""]
    summary = run.get("adaptive")
    if summary and summary["calls"] < summary["calls_if_fixed"] and run.get("status", "finished") == "finished":
        lines += [say("results.adaptive", lang, calls=summary["calls"], fixed=summary["calls_if_fixed"],
                      saved=1 - summary["calls"] / summary["calls_if_fixed"], rounds=summary["rounds"]), ""]
    status = {"met": "✅", "marginal": "🟡", "none": "❌"}[rec["status"]]
    if rec["candidate"]:
        chosen = next(r for r in results if r["candidate"] == rec["candidate"] and r["shots"] == (rec.get("shots") or 0))
        lines.append(f"{status} **{'推荐：' if zh else 'Recommendation: '}{label(rec['candidate'], chosen['shots'], lang)}**")
        lines += [f"- {render(reason, lang)}" for reason in rec["reasons"]]
        significance = significance_line(chosen, results, lang)
        if significance:
            lines.append(significance)
        if brief.volume_per_day and chosen["cost_per_1k_usd"] is not None:
            monthly = chosen["cost_per_1k_usd"] * brief.volume_per_day / 1000 * 30
            lines.append(f"- {'按每天' if zh else 'At'} {brief.volume_per_day:,.0f} {'条，每月约' if zh else 'items a day that is about'} "
                         f"{price(monthly)}{'' if zh else ' a month'}" + (" （本地运行，不含硬件费用）" if zh and monthly == 0 else
                                                                       " (runs locally; hardware not priced)" if monthly == 0 else "")
                         + ("。" if zh else "."))
        try:
            card = get_card(rec["candidate"])
            source = cited(card.price_source or card.source, lang)
            lines.append(f"- 来源：{source}（{card.as_of}）。" if zh else f"- Source: {source} ({card.as_of}).")
        except UnknownModel:
            pass
    else:
        lines.append(f"{status} **{'没有候选达到全部目标' if zh else 'No candidate meets every target.'}**")
        lines += [f"- {render(reason, lang)}" for reason in rec["reasons"][1:]]
    if rec["next_steps"]:
        lines += ["", "**下一步**" if zh else "**Next steps**"] + [f"- {render(s, lang)}" for s in rec["next_steps"]]
    lines += ["", say("results.ask_on", lang, what_if=_what_if(targets.accuracy))]
    return "\n".join(lines)


def fields_table(results: list[ResultRow], fields: list[str], lang: str) -> list[str]:
    """Extraction: all fields right, micro-F1, invalid JSON and each field's F1 per row."""
    lines = [say("report.fields_head", lang), "",
             "| " + " | ".join([say("report.fields_columns", lang), *fields]) + " |",
             "|" + "---|" * (5 + len(fields))]
    for r in results:
        if r.get("metric") != "all_fields_right" or r.get("accuracy") is None:
            continue
        scores = [f"{r['fields'][f]['f1']:.1%}" for f in fields]
        lines.append(f"| {r['candidate']} | {row_technique(r, lang)} | {r['accuracy'] or 0:.1%} | "
                     f"{r.get('micro_f1') or 0:.1%} | {r.get('invalid_json') or 0:.1%} | " + " | ".join(scores) + " |")
    return lines


def judge_section(results: list[ResultRow], lang: str) -> list[str]:
    """Open answers: who judged, how far the judge agrees with people (κ, a warning under 0.6), the correction,
    a candidate judging itself, and the overlap metrics beside the judged accuracy."""
    rows = [r for r in results if r.get("metric") == "judged"]
    if not rows:
        return []
    lines = [say("report.judge_head", lang, judge=rows[0]["judge"]), ""]
    agreement = rows[0].get("judge_agreement")
    if agreement:
        low, high = agreement["kappa_ci"]
        lines.append(say("report.judge_agreement", lang, n=agreement["n"], accuracy=percent(agreement["accuracy"]),
                         kappa=agreement["kappa"], low=low, high=high))
        if agreement["kappa"] < KAPPA_TRUSTED:
            lines.append("⚠️ " + say("report.judge_untrusted", lang, kappa=agreement["kappa"], bar=KAPPA_TRUSTED))
        lines.append(say("report.judge_ppi", lang))
    else:
        lines.append("⚠️ " + say("report.judge_unmeasured", lang))
    for candidate in dict.fromkeys(row["candidate"] for row in rows if row.get("self_judged")):
        lines.append("⚠️ " + say("report.judge_self", lang, candidate=candidate))
    lines += ["", say("report.judge_table", lang), "|---|---|---|---|---|---|---|"]
    for row in rows:
        if row.get("accuracy") is None:
            continue
        lines.append(f"| {row['candidate']} | {row_technique(row, lang)} | {percent(row['judged_accuracy'])} | "
                     f"{percent(row['accuracy'])} | {percent(row['exact_match'])} | {percent(row['token_f1'])} | "
                     f"{percent(row['chrf'])} |")
    return lines


def _f1_cell(row: ResultRow) -> str:
    return "—" if row.get("macro_f1") is None else f"{row['macro_f1']:.3f}"


def _accuracy_cell(row: ResultRow) -> str:
    """"90.0% (82.6%–94.5%)": the point and its 95 % interval; "—" for a row with no measurement."""
    if row.get("accuracy") is None or not row.get("accuracy_ci"):
        return "—"
    low, high = row["accuracy_ci"] or (0.0, 0.0)
    return f"{row['accuracy'] or 0.0:.1%} ({low:.1%}–{high:.1%})"


_DIRECTIVE = re.compile(r"(?<=[\w:]):(?=[A-Za-z])")


def for_chat(text: str) -> str:
    """Markdown as the chat's renderer shows it literally: its directive syntax reads ":name" as markup, so a
    fine-tuned id ("ft:gpt-4.1-mini:org::id") lost ":gpt-4"; such colons are escaped, except inside code."""
    parts = re.split(r"(`[^`]*`)", text)
    return "".join(part if part.startswith("`") else _DIRECTIVE.sub(r"\\:", part) for part in parts)


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _mcnemar_pair(a: ResultRow, b: ResultRow, results: list[ResultRow]) -> float | None:
    """McNemar p between the pick and the runner-up when one of them is the best row (the stored comparison)."""
    if a.get("mcnemar_p_vs_best") is None:
        return b.get("mcnemar_p_vs_best")
    if b.get("mcnemar_p_vs_best") is None:
        return a.get("mcnemar_p_vs_best")
    return None


def nothing_run_yet(lang: str) -> str:
    return "还没有评测结果：先上传数据、确认计划并说“跑吧”。" if lang == "zh" else \
        "There are no results yet: upload data, review the plan and say *go*."


def not_in_results(model: str, ran: list[str], lang: str) -> str:
    listed = listing(list(dict.fromkeys(ran)), lang)
    return f"{model} 没有参加评测（参加的有：{listed}）。" if lang == "zh" else f"{model} was not in the run (it ran: {listed})."


def errors_text(model: str, row: ResultRow, wrong: list, texts: dict[int, str], lang: str) -> str:
    zh = lang == "zh"
    technique = row_technique(row, lang)
    head = (f"**{model}（{technique}）答错 {len(wrong)} 条**（共 {row['items']} 条）：" if zh else
            f"**{model} ({technique}) got {len(wrong)} of {row['items']} items wrong:**")
    if row.get("metric") == "all_fields_right":
        return field_errors_text(head, wrong, texts, lang)
    lines = [head, "", "| # | text | gold | predicted | raw output |" if not zh else "| # | 文本 | 正确 | 预测 | 原始输出 |",
             "|---|---|---|---|---|"]
    for r in wrong[:10]:
        text = " ".join(texts.get(r.item_id, "").split())[:120].replace("|", "\\|")
        raw = " ".join((r.raw or r.error or "").split())[:40].replace("|", "\\|")
        predicted = "unparseable" if r.prediction == "__unparseable__" else (r.prediction or "error")
        lines.append(f"| {r.item_id} | {text} | {r.gold} | {predicted} | {raw} |")
    if len(wrong) > 10:
        lines.append(f"\n…{'另有' if zh else 'and'} {len(wrong) - 10} {'条，见导出的 CSV' if zh else 'more in the exported CSV'}.")
    return "\n".join(lines)


def answer_errors_text(model: str, row: ResultRow, wrong: list, texts: dict[int, str], lang: str) -> str:
    """Open answers the judge marked wrong: the question, the answer, the reference and the judge's reason."""
    from tools.tasks.generation import judge_reason

    technique = row_technique(row, lang)
    lines = [say("errors.answers_head", lang, model=model, technique=technique, wrong=len(wrong), items=row["items"]),
             "", say("errors.answers_columns", lang), "|---|---|---|---|---|"]

    def cell(text: str | None, width: int) -> str:
        return " ".join((text or "").split())[:width].replace("|", "\\|")

    for answer, graded in wrong[:10]:
        reason = judge_reason(graded.raw) if graded is not None else say("errors.not_judged", lang)
        lines.append(f"| {answer.item_id} | {cell(texts.get(answer.item_id), 100)} | {cell(answer.raw, 80)} | "
                     f"{cell(answer.gold, 60)} | {cell(reason, 80)} |")
    if len(wrong) > 10:
        lines.append("\n" + say("errors.more", lang, count=len(wrong) - 10))
    return "\n".join(lines)


def field_errors_text(head: str, wrong: list, texts: dict[int, str], lang: str) -> str:
    """Extraction's errors: per item, the fields that differ (gold → extracted), or invalid JSON."""
    from tools.tasks.extraction import gold_fields

    lines = [head, "", say("errors.fields_head", lang), "|---|---|---|"]
    for r in wrong[:10]:
        text = " ".join(texts.get(r.item_id, "").split())[:120].replace("|", "\\|")
        if r.error:
            differs = render(r.error, lang)
        elif r.prediction == "__unparseable__":
            differs = say("errors.invalid_json", lang, raw=" ".join((r.raw or "").split())[:60])
        else:
            gold, got = gold_fields(r.gold), gold_fields(r.prediction or "")
            differs = "; ".join(f"{f}: {gold.get(f) or '—'} → {got.get(f) or '—'}" for f in gold
                                if gold.get(f, "") != got.get(f, ""))
        lines.append(f"| {r.item_id} | {text} | {differs.replace('|', chr(92) + '|')} |")
    if len(wrong) > 10:
        lines.append("\n" + say("errors.more", lang, count=len(wrong) - 10))
    return "\n".join(lines)


def why_not_reasons(row: ResultRow, targets: dict, lang: str) -> list[str]:
    """The row's own reasons, in words: answers that could not be read, by how much it misses each target."""
    reasons = []
    answered = max(1, row["items"])
    if row.get("unparseable") and row["unparseable"] >= 0.1 * answered:
        reasons.append(say("why_not.unparseable", lang, n=row["unparseable"], items=row["items"]))
    target = targets.get("accuracy")
    if target is not None and row.get("accuracy") is not None and row["verdicts"]["accuracy"] in ("missed", "marginal"):
        reasons.append(say("why_not.below_target", lang, accuracy=row["accuracy"], target=target,
                           points=(target - row["accuracy"]) * 100))
    ceiling = targets.get("max_cost_per_1k_usd")
    if ceiling is not None and row.get("cost_per_1k_usd") is not None and row["verdicts"]["cost"] == "missed":
        reasons.append(say("why_not.over_cost", lang, cost=row["cost_per_1k_usd"], ceiling=ceiling))
    limit = targets.get("max_latency_s")
    if limit is not None and row.get("latency_p95_s") is not None and row["verdicts"]["latency"] == "missed":
        reasons.append(say("why_not.too_slow", lang, p95=row["latency_p95_s"], limit=limit))
    return reasons


def why_not_text(asked: str, model_id: str, results: list[ResultRow], card: ModelCard | None,
                 excluded_reason: Reason | None, can_run: bool,
                 rec: Recommendation | None, lang: str, targets: dict | None = None) -> str:
    targets = targets or {}
    zh = lang == "zh"
    lines = []
    measured = [r for r in results if r.get("accuracy") is not None]
    if results and not measured:
        failure = render(results[0].get("failure"), lang) or "—"
        lines.append(f"{model_id} 失败了，没有测出任何结果：{failure}" if zh else
                     f"{model_id} failed, so it was never measured: {failure}")
        if rec and rec.get("candidate") and rec["candidate"] != model_id:
            lines.append(f"{'推荐的是' if zh else 'The pick is'} {rec['candidate']}{'：' if zh else ': '}{render(rec['reasons'][0], lang)}")
    elif results:
        best = max(measured, key=lambda r: r["accuracy"] or 0.0)
        v = best["verdicts"]
        lines.append((f"{model_id} 测过：准确率 {_accuracy_cell(best)}，"
                      f"每千条 {price(best['cost_per_1k_usd'])}，判定 准确率/成本/延迟 = {verdict(v['accuracy'], lang)}/{verdict(v['cost'], lang)}/{verdict(v['latency'], lang)}。") if zh else
                     (f"{model_id} was measured: accuracy {_accuracy_cell(best)}, {price(best['cost_per_1k_usd'])} per "
                      "1k items; verdicts "
                      f"accuracy/cost/latency = {verdict(v['accuracy'], lang)}/{verdict(v['cost'], lang)}/{verdict(v['latency'], lang)}."))
        lines += why_not_reasons(best, targets, lang)
        if rec and rec.get("candidate") and rec["candidate"] != model_id:
            lines.append(f"{'推荐的是' if zh else 'The pick is'} {rec['candidate']}{'：' if zh else ': '}{render(rec['reasons'][0], lang)}")
    elif card is None:
        lines.append(f"目录里没有 “{asked}”。" if zh else f"The catalog has no model called '{asked}'.")
    else:
        if excluded_reason:
            lines.append(f"{card.display_name} {'被排除' if zh else 'was left out of the shortlist'}{colon(lang)}"
                         f"{render(excluded_reason, lang)}{'。' if zh else '.'}")
        elif not can_run:
            lines.append(not_runnable(card.id, lang))
        else:
            lines.append(f"{card.display_name} {'可以加入' if zh else 'can run here: say'} *add {card.id}*.")
        source = cited(card.price_source or card.source, lang)
        lines.append(f"价格：{price(card.input_usd_per_1m)} / {price(card.output_usd_per_1m)} 每百万 token（输入/输出），"
                     f"上下文 {card.context_window or '?'} — {source}（{card.as_of}）。" if zh else
                     f"Price: {price(card.input_usd_per_1m)} / {price(card.output_usd_per_1m)} per 1M input / output "
                     f"tokens, context {card.context_window or '?'} — {source} ({card.as_of}).")
    return "\n\n".join(lines)


def export_text(paths: dict, tokens: int, costs: list[dict], train_rows: int, lang: str) -> str:
    zh = lang == "zh"
    cheapest = costs[0] if costs else None
    lines = ["**导出文件**" if zh else "**Exports**", ""]
    lines += [f"- `{name}`" for name in paths]
    lines.append("")
    if cheapest:
        lines.append((f"微调数据：{train_rows} 行、{tokens:,} tokens；最便宜的微调是 {cheapest['model']}，约 "
                      f"${cheapest['training_usd']:.2f}（{cheapest['epochs']} 轮，{cheapest['source']}，{cheapest['as_of']}）。") if zh else
                     (f"Fine-tuning data: {train_rows} rows, {tokens:,} tokens; the cheapest fine-tune is {cheapest['model']} at "
                      f"about ${cheapest['training_usd']:.2f} ({cheapest['epochs']} epochs; {cheapest['source']}, "
                      f"{cheapest['as_of']})."))
    return "\n".join(lines)


def next_steps_answer(rec: Recommendation, lang: str) -> str:
    """"What next?" after a run: the recommendation's own next steps (or that the pick stands)."""
    steps = rec.get("next_steps") or []
    if not steps:
        return say("answer.no_next_steps", lang, candidate=rec.get("candidate") or "—")
    return "\n".join([say("why.next", lang), "", *[f"- {render(step, lang)}" for step in steps]])


def say_for(intent: str, lang: str, plan: Plan | None = None) -> str:
    """The short answers that need no facts beyond the plan: off topic, a "go" in other words, which model?"""
    if intent == "confirm_go":
        cost = (plan or {}).get("budget") or {}
        forecast = cost.get("forecast_usd")
        return say("answer.confirm_go", lang, cost=price(forecast) if forecast is not None else "—")
    return say(f"answer.{intent}", lang)


def plan_reminder(has_results: bool, lang: str) -> str:
    if has_results:
        return ("可以继续问：“要是需要95%呢？”、“看看错例”、“为什么不用 X？”、“下载报告”。" if lang == "zh" else
                "Ask on: *what if I need 95%?*, *show me the errors*, *why not X?*, *download the report*.")
    return ("计划已就绪：说“跑吧”开始，或先调整计划。" if lang == "zh" else
            "The plan is ready: say **go** to run it, or change it first.")


def already_measured(model: str, lang: str) -> str:
    return f"{model} 已经测过了，结果就在上面。" if lang == "zh" else f"{model} is already measured; its results are above."


def redecided(lang: str) -> str:
    return ("按新目标重新判断（用的是已有结果，没有再调用任何模型）：" if lang == "zh" else
            "Re-decided against the new targets from the stored results (no model was called again):")


def llm_fallback(reason: str, lang: str) -> str:
    """The one-line notice when the agent model fails a turn (the rules and templates answer instead)."""
    short = reason.split(":")[0][:60]
    if lang == "zh":
        return f"ℹ️ 智能体模型这次没有给出可用回答（{short}），本轮改用内置规则。"
    return f"ℹ️ The agent model didn't give a usable answer this time ({short}); I used the built-in rules for this turn."


def agent_line(description: str | None, lang: str = "en") -> str:
    if description is None:
        return ("智能体：引导模式（未配置模型，使用内置规则）" if lang == "zh" else
                "Agent: guided mode (no model configured; built-in rules)")
    return f"智能体模型：{description}" if lang == "zh" else f"Agent model: {description}"


def labels_not_in_data(labels: list[str], lang: str) -> str:
    listed = listing(labels, lang)
    if lang == "zh":
        return f"数据里没有这些标签，所以没有加入：{listed}。"
    return f"Not added — your data has no rows labelled: {listed}."


def labeller_not_scored(model: str, lang: str) -> str:
    if lang == "zh":
        return f"{model} 生成了银标签，用它自己的标签给它打分没有意义，所以不参加评测。"
    return f"{model} made the silver labels; scoring it against its own labels would measure nothing, so it is left out."


def progress_line(p: Progress, lang: str) -> str:
    """One candidate × technique's live progress: items, speed, errors, running accuracy, time left or failure."""
    if p.stopped_early:  # an adaptive run ended this row: its verdict is decided
        return say("progress.items", lang, done=p.done) + " · " + say(f"progress.{p.message}", lang)
    if not p.done and not p.failure and not p.finished:  # no answer yet: a speed of 0.0 items/s says nothing
        return say("progress.starting", lang, done=p.done, total=p.total)
    parts = [say("progress.line", lang, done=p.done, total=p.total, rate=p.rate, errors=p.errors)]
    if p.done and not p.failure:
        parts.append(say("progress.accuracy", lang, accuracy=p.correct / p.done))
    if p.failure:
        parts.append(say("progress.failed", lang, cause=render(p.failure, lang)))
    elif p.finished:
        parts.append(say("progress.done", lang))
    elif p.eta_s is not None:
        parts.append(say("progress.eta", lang, seconds=p.eta_s))
    return " · ".join(parts)


def pilot_word(lang: str) -> str:
    """The explicit request the plan's pilot button stands for (`commands.PILOT` / `PILOT_ZH`)."""
    return "试点" if lang == "zh" else "pilot"


def go_word(lang: str) -> str:
    """The explicit confirmation the plan's button stands for (one of the words `commands.is_go` accepts)."""
    return "跑吧" if lang == "zh" else "go"
