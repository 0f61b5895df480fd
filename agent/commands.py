"""Read the journey's commands from a message: go, plan changes, follow-up questions, exports.

Separate from `understand.py` (which reads facts about the brief): these are requests for an action, and only
an explicit "go" here can start a run that spends money.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from tools.candidates.base import BASELINE_ID, LOCAL_LLM_ID

# "go" is the whole message or nothing: a confirmation of the plan just shown, never the first word of a sentence
# ("Run time matters too…", "开始之前我想确认一下…", "Start by telling me…"). A question ("go?") is not a yes.
GO_WORDS = (r"go|go ahead|go for it|run(?: it| the plan| the (?:eval|evaluation))?|start(?: it| the run)?|"
            r"let'?s (?:go|run it|do it)|do it|proceed|yes(?:,? please)?,? (?:go|run it|start|do it|go ahead)")
GO = re.compile(r"(?:(?:ok(?:ay)?|yes|sure|great|good|alright|fine)[,!. ]+)?(?:" + GO_WORDS + r")(?: now| please)?")
GO_ZH = re.compile(r"(?:好的?|行|可以|没问题|嗯)?[，, ]*(?:跑吧|开跑|跑一下|开始吧?|开始跑|开始评测|开始运行|运行吧?|执行吧?|就这么跑|确认[，, ]*开始|"
                   r"(?:就)?按(?:这个|此)?计划(?:执行|来|跑)吧?)")
GO_END = " \t!.。！~～"
# The plan's pilot: the strongest model alone on the first items — also an explicit, whole-message yes.
PILOT = re.compile(r"(?:(?:ok(?:ay)?|yes|sure)[,!. ]+)?(?:(?:run |do )?(?:a |the )?pilot(?: run| first)?(?: please)?|"
                   r"(?:try|run) the strongest(?: model)? first)")
PILOT_ZH = re.compile(r"(?:好的?|行|可以)?[，, ]*(?:先跑试点|先试点|试点|先试最强的(?:模型)?|先跑最强的(?:模型)?)")
MODEL = r"([A-Za-z0-9][\w./:-]*(?: [0-9][\w.]*)?)"
ALIASES = {"baseline": BASELINE_ID, "the baseline": BASELINE_ID, "tfidf": BASELINE_ID, "基线": BASELINE_ID,
           "local": LOCAL_LLM_ID, "the local model": LOCAL_LLM_ID, "smollm": LOCAL_LLM_ID, "smollm2": LOCAL_LLM_ID,
           "本地模型": LOCAL_LLM_ID}


@dataclass
class Command:
    name: str  # go | pilot | add | drop | distil | eval_size | shots | retrieved_shots | errors | why | why_not | what_happened | compare |
    #            export | silver | rag_passages | judge | finetune | finetune_status | finetune_yes (a yes to the fine-tune's estimate)
    model: str | None = None
    number: int | None = None
    other: str | None = None  # the second model of "compare A and B"


def _model(raw: str) -> str:
    raw = raw.strip().strip("?？。.!'\"").strip()
    return ALIASES.get(raw.lower(), raw)


def is_go(message: str) -> bool:
    """An unambiguous "go"/"跑吧" as the whole message (trailing "!" or "." allowed, no question mark)."""
    text = unicodedata.normalize("NFKC", message).strip().strip(GO_END).lower()
    return bool(GO.fullmatch(text) or GO_ZH.fullmatch(text))


YES = re.compile(r"(?:yes|y|yes please|ok(?:ay)?|sure|confirm(?:ed)?|do it|start it|go ahead|"
                 r"是|是的|好|好的|可以|确认|确定|开始吧?)")


def is_yes(message: str) -> bool:
    """A whole-message yes (or "go") — the answer to a question that spends, like a fine-tune's estimate."""
    text = unicodedata.normalize("NFKC", message).strip().strip(GO_END).lower()
    return bool(YES.fullmatch(text)) or is_go(message)


NAMED = r"(the baseline|the local model|" + MODEL[1:-1] + ")"


def read_command(message: str) -> Command | None:
    """The one command a message asks for, or None (then it is about the brief, or a question)."""
    named = NAMED
    text = unicodedata.normalize("NFKC", message).strip()
    low = text.lower()
    if is_go(text):
        return Command("go")
    bare = text.strip().strip(GO_END).lower()
    if PILOT.fullmatch(bare) or PILOT_ZH.fullmatch(bare):
        return Command("pilot")
    m = (re.search(r"\bcompare\s+" + named + r"\s+(?:and|with|vs\.?|versus|to|against)\s+" + named, text, re.I)
         or re.search(r"(?:比较|对比)(?:一下)?\s*(\S+?)\s*(?:和|与|跟|同|vs)\s*([^\s?？。]+)", text))
    if m:
        return Command("compare", model=_model(m.group(1)), other=_model(m.group(2)))
    m = re.fullmatch(r"\s*why (?:(?:this|that|the) (?:one|model|pick|choice|recommendation)|(?:did you|do you) "
                     r"(?:pick|choose|recommend) (?:it|this|that|" + named + r")|" + named + r")\s*\??\s*", text, re.I) \
        or re.fullmatch(r"\s*为什么(?:推荐|选择?|用)(?:了)?\s*(?:这个模型|这个|它|(\S+?))?\s*[?？]?\s*", text)
    if m:
        chosen = next((g for g in m.groups() if g), None) if m.groups() else None
        return Command("why", model=_model(chosen) if chosen else None)
    if re.fullmatch(r"\s*(?:so )?what happened\s*\??\s*|\s*(?:发生了什么|怎么回事)(?:了)?\s*[?？]?\s*", low):
        return Command("what_happened")
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
    m = re.search(r"\bdistil+(?:l?ed)?\s+(?:from\s+|with\s+)?" + MODEL, text, re.I) \
        or re.search(r"(?:用\s*)?(\S+?)\s*(?:来)?蒸馏|蒸馏\s*(\S+)", text)
    if m:  # a local classifier trained on this teacher's labels of train-pool rows
        return Command("distil", model=_model(next(g for g in m.groups() if g)))
    if re.search(r"\bfine-?tun(?:e|ing)(?: job)?\s+(?:status|progress)\b|\b(?:status|progress) of (?:the |my )?"
                 r"fine-?tun", low) or re.search(r"微调(?:任务)?(?:的)?(?:进度|状态)", text):
        return Command("finetune_status")
    m = re.search(r"\bfine-?tune\s+(?:a |the )?" + MODEL, text, re.I) or re.search(r"微调\s*([A-Za-z0-9][\w./:-]*)", text)
    if m:  # an estimate first; the job starts only on the user's yes to it
        return Command("finetune", model=_model(m.group(1)))
    m = re.search(r"\bjudge(?:d)?\s+(?:it\s+|them\s+|answers\s+)?(?:with|by|using)\s+" + MODEL, text, re.I) \
        or re.search(r"用\s*(\S+?)\s*(?:来)?(?:评审|当评审|做评审|打分)", text)
    if m:  # open answers: who grades them
        return Command("judge", model=_model(m.group(1)))
    m = re.search(r"\b(?:add|include|also (?:try|run))\s+" + MODEL, text, re.I) or re.search(
        r"(?:加上|添加|加入|再加|加个|加一个|顺便(?:测|试|跑)(?:一下|下)?)\s*([A-Za-z0-9][\w./:-]*|\S+)", text) or re.search(
        r"\b(?:i'?d like|we'?d like|want|put)\s+" + MODEL + r"\s+in the mix\b", text, re.I) or re.search(
        r"\bsee how\s+" + MODEL + r"\s+(?:does|do|would do|performs?)\b", text, re.I) or re.search(
        r"(?:再测(?:一下|下)?|再试(?:试|一下)|还想试试|想试试|也试试|测测)\s*([A-Za-z][\w./:-]*)", text)
    if m:
        return Command("add", model=_model(m.group(1)))
    m = re.search(r"\b(?:drop|remove|skip|without|no need for|get rid of|take out)\s+(the baseline|the local model|the "
                  r"logistic regression|" + MODEL[1:-1] + ")", text, re.I) \
        or re.search(r"(?:去掉|不要|删掉|别带)\s*(\S+?)(?:了|吧|那个)?$|(?:去掉|不要|删掉|别带)\s*(\S+)", text) \
        or re.search(r"^(?!能不能|可不可以|能否|可以|请)(\S+?)(?:就)?(?:不用|不必|别)(?:再)?(?:跑|测)了?|"
                     r"^(?!能不能|可不可以|能否|可以|请)(\S+?)(?:就)?算了吧?$", text)
    if m:
        return Command("drop", model=_model(next(g for g in m.groups() if g)))
    m = (re.search(r"\b(?:retrieved|retrieval|dynamic|similar)\s+(\d+)\s*-?\s*(?:shots?|examples)\b|"
                   r"\b(\d+)\s+(?:retrieved|similar|dynamic|nearest)\s+(?:shots?|examples)\b|"
                   r"^\s*(?:try\s+|use\s+)?r(\d+)\s*[.!]?\s*$", low)
         or re.search(r"(\d+)\s*个?(?:检索|相似)示例|检索\s*(\d+)\s*个?示例", text))
    if m:  # k retrieved examples, measured beside k drawn ones
        return Command("retrieved_shots", number=int(next(g for g in m.groups() if g)))
    m = re.search(r"\b(?:use|with|try)\s+(\d+)\s+(?:rag\s+)?passages\b|\brag\s+(?:with\s+)?(\d+)\b", low) \
        or re.search(r"(?:每次|每条)?附\s*(\d+)\s*段|(\d+)\s*段(?:文档|段落)", text)
    if m:  # RAG with this many passages per prompt
        return Command("rag_passages", number=int(next(g for g in m.groups() if g)))
    m = re.search(r"\b(?:use|with|try)\s+(\d[\d,]*)\s*(?:items|examples|rows)\b", low) or re.search(r"用\s*(\d+)\s*条", text)
    if m:
        return Command("eval_size", number=int(m.group(1).replace(",", "")))
    m = re.search(r"\b(\d+)\s*-?\s*shots?\b", low) or re.search(r"(\d+)\s*个示例", text)
    if m:
        return Command("shots", number=int(m.group(1)))
    return None
