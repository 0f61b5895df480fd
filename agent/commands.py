"""Read the journey's commands from a message: go, plan changes, follow-up questions, exports.

Separate from `understand.py` (which reads facts about the brief): these are requests for an action, and only
an explicit "go" here can start a run that spends money.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

GO = (r"^\s*(?:ok(?:ay)?[, ]+)?(?:go|go ahead|run(?: it)?|start(?: it)?|let'?s go|yes,? (?:go|run)|do it|proceed)\b"
      r"|^\s*(?:跑吧|开始|运行|开跑|跑一下|执行|开始吧|好的?，?跑吧)")
MODEL = r"([A-Za-z0-9][\w./:-]*(?: [0-9][\w.]*)?)"
ALIASES = {"baseline": "tfidf-logreg", "the baseline": "tfidf-logreg", "tfidf": "tfidf-logreg",
           "local": "smollm2-135m", "the local model": "smollm2-135m", "smollm": "smollm2-135m",
           "smollm2": "smollm2-135m", "基线": "tfidf-logreg", "本地模型": "smollm2-135m"}


@dataclass
class Command:
    name: str  # go | add | drop | eval_size | shots | errors | why_not | export | silver
    model: str | None = None
    number: int | None = None


def _model(raw: str) -> str:
    raw = raw.strip().strip("?？。.!'\"").strip()
    return ALIASES.get(raw.lower(), raw)


def read_command(message: str) -> Command | None:
    """The one command a message asks for, or None (then it is about the brief, or a question)."""
    text = unicodedata.normalize("NFKC", message).strip()
    low = text.lower()
    if re.search(GO, low):
        return Command("go")
    m = re.search(r"\bwhy not(?: use)?\s+(.+?)\s*\??$", low) or re.search(r"为什么不用\s*(.+?)\s*[?？]?$", text)
    if m:
        return Command("why_not", model=_model(m.group(1)))
    if re.search(r"\b(?:show|list|see)\b.*\b(?:errors?|mistakes|misclassified|wrong)\b|错例|错误样本|哪些错了|看看错", low):
        m = re.search(r"\b(?:of|for|from)\s+" + MODEL, text)
        return Command("errors", model=_model(m.group(1)) if m else None)
    if re.search(r"\bsilver\b|\blabel (?:it|them|the data|my data) (?:for me|with)|自动标注|银标签", low):
        return Command("silver")
    if re.search(r"\b(?:report|export|download)\b|报告|导出|下载", low):
        return Command("export")
    m = re.search(r"\b(?:add|include|also (?:try|run))\s+" + MODEL, text, re.I) or re.search(r"(?:加上|添加|加入|再加)\s*(\S+)", text)
    if m:
        return Command("add", model=_model(m.group(1)))
    m = re.search(r"\b(?:drop|remove|skip|without)\s+(the baseline|the local model|" + MODEL[1:-1] + ")", text, re.I) \
        or re.search(r"(?:去掉|不要|删掉)\s*(\S+)", text)
    if m:
        return Command("drop", model=_model(m.group(1)))
    m = re.search(r"\b(?:use|with|try)\s+(\d[\d,]*)\s*(?:items|examples|rows)\b", low) or re.search(r"用\s*(\d+)\s*条", text)
    if m:
        return Command("eval_size", number=int(m.group(1).replace(",", "")))
    m = re.search(r"\b(\d+)\s*-?\s*shots?\b", low) or re.search(r"(\d+)\s*个示例", text)
    if m:
        return Command("shots", number=int(m.group(1)))
    return None
