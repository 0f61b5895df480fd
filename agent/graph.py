"""The conversation as a LangGraph StateGraph: one user turn = intake → decide → one action → END.

`decide` is a pure function of the state, so the process is predictable and testable without a UI; the
action nodes call plain functions in `tools/` and phrase the outcome with `words/speak.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, cast

from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph

from agent import journey
from agent.answer import answer_offline, answer_with_tools, with_sources
from agent.commands import Command, is_yes, read_command
from agent.finetuning import finetune
from agent.intents import BASELINE, LOCAL_ID, MODEL_TOKEN, Row, named_candidates, read_request, rule_intent
from agent.journey import ready_for_plan
from agent.llm import LLMError, get_agent
from agent.phrase import phrase
from agent.silver import silver_label, strongest_configured
from agent.state import (
    INTERVIEW_ORDER,
    Brief,
    BriefUpdate,
    SelectionState,
    dataset_of,
    derive_ceiling,
    in_dollars,
    labelled,
    merge_brief,
    plan_of,
    stated_facts,
)
from agent.understand import is_question, understand_rules, understand_with_llm
from core.language import detect_language
from core.problems import decode
from core.shapes import DocumentsInfo, Plan, Reason
from knowledge.catalog import UnknownModel, get_card
from tools.candidates.registry import can_run, configured_entries, resolve_id
from tools.data.documents import DEFAULT_CHUNK_TOKENS, DOCUMENT_SUFFIXES, TEXT_SUFFIXES, DocumentSet
from tools.data.read import DataError, NeedsChoice
from tools.data.tables import read_dataset
from tools.data.uploads import discard as discard_upload
from tools.prompting.passages import library
from tools.tasks.extraction import profile_records
from tools.tasks.generation import profile_answers
from words import speak
from words.catalog import render, say

Action = Literal["ask", "profile_data", "attach_documents", "answer", "propose_plan", "run_eval", "recommend",
                 "follow_up", "silver_labels", "finetune"]
# What the answer node answers: the brief, help, a greeting, a question about the method, this conversation's
# plan and next step, something modelpick does not do, and questions that need one more word (which model?).
ANSWER_INTENTS = ("summary", "help", "greeting", "question", "plan", "next_step", "off_topic", "confirm_go",
                  "which_model", "which_two")
# Commands that change a plan; said before there is one, they are kept and applied when it is made.
PLAN_EDITS = ("add", "drop", "distil", "eval_size", "shots", "retrieved_shots", "rag_passages", "judge")
TARGET_FIELDS = ("accuracy_target", "max_cost_per_1k_usd", "max_latency_s", "value_per_correct_usd",
                 "cost_per_error_usd", "break_even_accuracy")


def _brief(state: SelectionState) -> Brief:
    return Brief(**(state.get("brief") or {}))


def _last_user_text(state: SelectionState) -> str:
    for message in reversed(state.get("messages") or []):
        if isinstance(message, HumanMessage):
            return message.content if isinstance(message.content, str) else ""
    return ""



# ---------------------------------------------------------------- intake


def _agent(config: RunnableConfig | None):
    """The configured agent model (the UI may override which one), or None in guided mode."""
    return get_agent(((config or {}).get("configurable") or {}).get("agent_model"))


def intake(state: SelectionState, config: RunnableConfig) -> dict:
    """Merge the user's words into the brief; remember what changed so the reply can confirm it."""
    text = _last_user_text(state)
    language = detect_language(text) or state.get("language") or "en"  # the same rule as `turn_language`
    brief = _brief(state)
    agent, notice = _agent(config), None
    update = BriefUpdate()
    if text.strip():
        update = understand_rules(text, brief=brief, pending=state.get("pending"), facts=state.get("facts"))
        if agent is not None and update.intent == "none":
            data_labels = sorted((state.get("dataset") or {}).get("label_counts") or {}) or None
            try:
                update = understand_with_llm(agent, text, brief=brief, pending=state.get("pending"),
                                             data_labels=data_labels, facts=state.get("facts"))
            except LLMError as error:
                notice = speak.llm_fallback(str(error), language)
    if state.get("files") and brief.use_case:  # the words sent with a file are about the file, not a new task
        update.use_case = None
        update.task_type = None
    command = read_command(text) if text.strip() else None
    if command is not None and command.name == "add" and update.labels and brief.labels and \
            len(update.labels) > len(brief.labels) and not state.get("plan"):
        command = None  # "还要加一个“中评”": a label joins the set, not a candidate the plan
    # A question's words about the task or a constraint ("is a local deployment cheaper than an API?") are part
    # of what it asks, not a fact of the brief; its numbers, labels and waivers still are.
    asked = is_question(text)
    facts_said = {k for k in update.filled() if k not in ("task_type", "use_case") + (("constraints",) if asked else ())}
    said_facts = bool(facts_said or update.unclear.keys() - {"task_type"} or update.waived or update.error_kinds or
                      update.spend or update.eval_budget or update.cost_in or update.rate or
                      (update.use_case and not is_question(text)))
    if text.strip() and not state.get("files") and update.intent in ("none", "greeting") and not said_facts:
        command, update.intent = _request(text, state, command, update.intent)
    if (state.get("pending") or {}).get("kind") == "finetune" and is_yes(text):
        command = Command("finetune_yes")  # the yes to the estimate just shown, and nothing else, starts the job
    known = set((state.get("dataset") or {}).get("label_counts") or {})
    if update.labels and known:  # the label set must be the data's: a label no row has cannot be scored
        unknown = [label for label in update.labels if label not in known]
        update.labels = [label for label in update.labels if label in known] or None
        if unknown:
            notice = "\n\n".join(filter(None, [notice, speak.labels_not_in_data(unknown, language)]))
    facts = stated_facts(state.get("facts") or {}, update)
    merged = in_dollars(derive_ceiling(merge_brief(brief, update), facts, update), facts, update)
    if facts.get("cost_in") and merged.max_cost_per_1k_usd is None and not update.unclear:
        update.unclear["max_cost_per_1k_usd"] = "rate:" + facts["cost_in"]["currency"]
    before, after = brief.model_dump(), merged.model_dump()
    changes = {k: v for k, v in after.items() if v != before[k]}
    waived = [f for f in dict.fromkeys([*(state.get("waived") or []), *update.waived]) if after.get(f) in (None, [])]
    asks_question = (update.intent == "none" and command is None and not changes and not update.unclear
                     and not update.waived and not update.error_kinds
                     and not any([update.sheet, update.text_column, update.label_column]) and is_question(text))
    if asks_question:
        update.intent = "question"
    kinds = {(k["kind"], k["label"]): k for k in [*(state.get("error_kinds") or []), *(update.error_kinds or [])]}
    edits = list(state.get("plan_edits") or [])
    if command is not None and command.name in PLAN_EDITS and not state.get("plan"):
        edits.append(command.__dict__)  # kept for the plan, never dropped because the plan does not exist yet
    return {
        "plan_edits": edits,
        "language": language,
        "brief": after,
        "waived": waived,
        "error_kinds": list(kinds.values()),
        "facts": facts,
        "update": {**update.model_dump(), "changes": changes, "command": command.__dict__ if command else None,
                   "notice": notice},
        "files": state.get("files") or [],
    }


def _rows(state: SelectionState) -> tuple[list[Row], dict[str, float]]:
    """This conversation's candidates as rows (measured, else planned) and what each costs per 1,000 items."""
    from core.shapes import Technique

    rows: list[Row] = []
    prices: dict[str, float] = {}
    for result in state.get("results") or []:
        rows.append(Row(result["candidate"], result.get("technique") or "zero-shot", int(result.get("shots") or 0)))
        if result.get("cost_per_1k_usd") is not None:
            prices[result["candidate"]] = max(prices.get(result["candidate"], 0.0), result["cost_per_1k_usd"] or 0.0)
    plan = state.get("plan") or {}
    for candidate in plan.get("candidates") or []:
        for code in plan.get("shots") or [0]:
            technique = Technique.of(code)
            kind = {"retrieved": "retrieved-k-shot", "drawn": "k-shot"}.get(technique.kind, technique.kind)
            rows.append(Row(candidate, "zero-shot" if technique.k == 0 and kind == "k-shot" else kind, technique.k))
    for forecast in plan.get("forecasts") or []:
        per_1k = forecast.get("cost_per_1k_usd")
        if per_1k is not None:
            prices.setdefault(forecast["model_id"], per_1k)
    return rows, prices


AnswerIntent = Literal["summary", "help", "greeting", "question", "plan", "next_step", "off_topic", "confirm_go",
                       "which_model", "which_two", "none"]
# What each intent of a question becomes: a command of the journey, or an answer of the answer node.
_INTENT_COMMANDS = {"why_pick": "why", "why_not": "why_not", "errors": "errors", "compare": "compare",
                    "what_happened": "what_happened", "export": "export", "add": "add", "drop": "drop"}
_INTENT_ANSWERS = {"summary": "summary", "help": "help", "plan": "plan", "next_step": "next_step",
                   "method_question": "question", "off_topic": "off_topic", "go": "confirm_go"}


_NOT_A_NAME = {"it", "this", "that", "them", "one", "this one", "that one", "the", "a", "an", "our", "my", "your",
               "those", "these", "all", "both", "any", "some"}


def _resolved(name: str, rows: list[Row], prices: dict[str, float]) -> str | None:
    """The id a name in a command stands for: an id of this conversation as said, a short name of one ("mini",
    "4o", "逻辑回归") as its id, a model id not measured yet as said; None for a word that names nothing."""
    ids = {row.candidate for row in rows}
    plain = name.strip()
    if plain.partition(":")[0] in ids or plain.startswith("ft:"):
        return plain
    found = named_candidates(plain, rows, local=LOCAL_ID, baseline=BASELINE, price_of=prices)
    if len(found) == 1:
        return found[0]
    if MODEL_TOKEN.fullmatch(plain.lower()) or (not re.search(r"[\s?？,，\u4e00-\u9fff]", plain)
                                                 and plain.lower() not in _NOT_A_NAME):
        if plain in {entry["id"] for entry in configured_entries()}:
            return plain  # an endpoint's id, as the user configured it
        try:
            card = get_card(plain)
        except UnknownModel:
            return plain
        return card.id if card.id.lower() == plain.lower() else plain  # "Qwen2.5-7B" is the catalog's qwen2.5-7b
    return None


def _request(text: str, state: SelectionState, command: Command | None,
             intent: AnswerIntent) -> tuple[Command | None, AnswerIntent]:
    """A message with no fact about the brief: what it asks (by meaning), as a command or an answer's intent."""
    rows, prices = _rows(state)
    stage = "results" if state.get("results") else "plan" if state.get("plan") else "interview"
    if command is not None and command.name not in ("why", "why_not", "errors", "compare", "what_happened", "export",
                                                    "add", "drop"):
        asked = rule_intent(text) if command.name in ("shots", "retrieved_shots", "eval_size", "rag_passages") else None
        if asked not in ("compare", "errors", "why_not"):
            return command, intent  # go, pilot, distil, fine-tune, shots…: read by their words, with their numbers
        command = None  # "the 3-shot one vs the retrieval one": a question about rows, not a plan edit
    if command is not None and command.model:
        names = [_resolved(name, rows, prices) for name in (command.model, command.other) if name]
        if all(names):  # one name each ("smollm2-135m:3", "ft:gpt-4.1-mini:org::id", "mini" → gpt-4o-mini)
            return Command(command.name, model=names[0], other=names[1] if len(names) > 1 else None,
                           number=command.number), intent
    reading = read_request(text, rows, stage=stage, price_of=prices)
    if reading.intent is None:
        return command, intent
    if reading.intent in _INTENT_COMMANDS:
        name = _INTENT_COMMANDS[reading.intent]
        targets = reading.targets or ([command.model] if command is not None and command.model else [])
        if name in ("why_not", "add", "drop") and not targets:
            return None, "which_model"
        if name == "compare" and len(targets) < 2:
            return None, "which_two"
        return Command(name, model=targets[0] if targets else None,
                       other=targets[1] if name == "compare" else None), intent
    if reading.intent == "go":  # meaning alone never spends: it asks for the plain "go"
        return None, "confirm_go" if state.get("plan") else "plan"
    return None, cast(AnswerIntent, _INTENT_ANSWERS[reading.intent])


# ---------------------------------------------------------------- decide


def decide(state: SelectionState) -> Action:
    """The next step, from the state alone. Only an explicit 'go' (or 'add X' after a run) spends anything."""
    update = state.get("update") or {}
    command = (update.get("command") or {}).get("name")
    plan, results = state.get("plan"), state.get("results")
    if state.get("files"):
        return "attach_documents" if any(is_document(f, state) for f in state["files"]) else "profile_data"
    if any(update.get(k) not in (None, "") or (k == "label_column" and update.get(k) == "")
           for k in ("sheet", "text_column", "label_column")):
        pending = state.get("pending") or {}
        if pending.get("file") or state.get("dataset"):
            return "profile_data"
    if command in ("finetune", "finetune_status", "finetune_yes"):
        return "finetune"
    if command == "go":
        if plan and (not results or plan.get("revised")):
            return "run_eval"
        if results:
            return "recommend"
        return "propose_plan" if ready_for_plan(state) else "ask"
    if command == "add" and results:
        return "run_eval"
    if command == "pilot" and plan and not results:
        return "run_eval"
    if command in PLAN_EDITS:
        return "propose_plan" if (plan or ready_for_plan(state)) else "ask"
    if command in ("errors", "why", "why_not", "what_happened", "compare", "export"):
        return "follow_up"
    dataset = state.get("dataset")
    if command == "silver" and dataset is not None and not dataset.get("label_column"):
        return "silver_labels"
    if update.get("intent") in ANSWER_INTENTS:
        return "answer"
    changed = set(update.get("changes") or {})
    if results and changed & set(TARGET_FIELDS):
        return "recommend"
    if ready_for_plan(state) and (not plan or (changed & set(TARGET_FIELDS) and not results)):
        return "propose_plan"
    return "ask"


# ---------------------------------------------------------------- what to ask next


def missing_field(brief: Brief, waived: list[str], asked: list[str]) -> str | None:
    """The single most useful fact still missing (None when the interview is complete)."""
    for field in INTERVIEW_ORDER:
        if field in waived:
            continue
        if field == "use_case" and not brief.use_case:
            return field
        if field == "labels" and brief.task_type in (None, "classification") and not brief.labels:
            return field
        if field == "accuracy_target" and brief.accuracy_target is None:
            return field
        if field in ("max_cost_per_1k_usd", "max_latency_s", "volume_per_day") and getattr(brief, field) is None:
            return field
        if field == "constraints" and not brief.constraints and "constraints" not in asked:
            return field
    return None


def next_question(state: SelectionState, *, has_data: bool) -> tuple[str, dict | None]:
    """The question that closes the biggest gap, and the pending marker that gives bare answers meaning."""
    brief, lang = _brief(state), state.get("language", "en")
    update = state.get("update") or {}
    unclear = update.get("unclear") or {}
    if unclear:
        field, kind = next(iter(unclear.items()))
        if kind.startswith("rate:"):  # a bare number now answers the rate question
            return speak.follow_up(field, kind, lang), {"kind": "field", "field": "rate", "currency": kind[5:]}
        return speak.follow_up(field, kind, lang), {"kind": "field", "field": field}
    if brief.use_case and brief.task_type is None:
        return speak.follow_up("task_type", "which", lang), {"kind": "field", "field": "task_type"}
    skip = ["labels"] if has_data else []
    if state.get("error_kinds"):  # what errors cost already says how good the answers must be
        skip.append("accuracy_target")
    missing = missing_field(brief, [*(state.get("waived") or []), *skip], state.get("asked") or [])
    if missing is not None:
        text = speak.question(missing, lang)
        already_said = "break_even_accuracy" in (update.get("changes") or {})
        if missing == "accuracy_target" and brief.break_even_accuracy is not None and not already_said:
            text = speak.break_even_line(brief, lang) + "\n\n" + text
        return text, {"kind": "field", "field": missing}
    if not has_data:
        return speak.question("data", lang), {"kind": "field", "field": "data"}
    return speak.question("ready", lang), None


def _turn_preamble(state: SelectionState) -> list[str]:
    """What this turn understood: changed values, waived targets, the break-even arithmetic."""
    lang = state.get("language", "en")
    update = state.get("update") or {}
    changes = update.get("changes") or {}
    notice = update.get("notice")
    lines = [notice] if notice else []
    shown = {k: v for k, v in changes.items() if k != "break_even_accuracy"}
    if "derived" in (state.get("facts") or {}) and "max_cost_per_1k_usd" in shown:
        shown.pop("max_cost_per_1k_usd")  # the derivation line says it, with its arithmetic
    if shown:
        lines.append(speak.acknowledge(shown, lang, update.get("said") or {}))
    lines.extend(speak.understood_lines(dict(update), state.get("facts") or {}, _brief(state).volume_per_day, lang))
    if "break_even_accuracy" in changes:
        lines.append(speak.break_even_line(_brief(state), lang))
    if update.get("waived"):
        lines.append(speak.waived_line(update["waived"], lang))
    if update.get("error_kinds"):
        lines.append(speak.error_kinds_line(update.get("error_kinds") or [], lang))
    return lines


def _plan_gaps(state: SelectionState) -> list[str]:
    """What a plan still needs (for a 'go' that comes too early)."""
    brief = _brief(state)
    dataset = state.get("dataset") or {}
    gaps = []
    if not brief.labels and brief.task_type in (None, "classification"):
        gaps.append("labels")
    if all(v is None for v in (brief.accuracy_target, brief.break_even_accuracy, brief.max_cost_per_1k_usd,
                               brief.max_latency_s)):
        gaps.append("target")
    if not labelled(dataset):
        gaps.append("data")
    return gaps


def _asked(state: SelectionState, pending: dict | None) -> list[str]:
    asked = list(state.get("asked") or [])
    if pending and pending.get("field") and pending["field"] not in asked:
        asked.append(pending["field"])
    return asked


# ---------------------------------------------------------------- actions


def ask(state: SelectionState) -> dict:
    """Confirm what was understood, then ask the one most useful missing thing."""
    lang = state.get("language", "en")
    lines = _turn_preamble(state)
    update = state.get("update") or {}
    pending = state.get("pending") or {}
    text = _last_user_text(state).strip()
    if (update.get("command") or {}).get("name") == "go":
        lines.append(speak.cannot_plan_yet(_plan_gaps(state), lang))
    elif (update.get("command") or {}).get("name") in PLAN_EDITS and not state.get("plan"):
        lines.append(speak.edit_kept(update["command"] or {}, lang))
    elif not lines and not update.get("unclear") and text:
        waiting_for = pending.get("field")
        if waiting_for and waiting_for not in ("data",):
            lines.append(say("intake.no_answer", lang))
        elif waiting_for == "data":
            lines.append(say("intake.no_file_yet", lang))
    # "constraints" is asked once; an answer with no constraint in it means none.
    waived = list(state.get("waived") or [])
    if pending.get("field") == "constraints" and "constraints" not in waived and not _brief(state).constraints:
        waived.append("constraints")
    state = {**state, "waived": waived}
    question, new_pending = next_question(state, has_data=bool(state.get("dataset")))
    if state.get("plan") and new_pending is None:
        question = speak.plan_reminder(bool(state.get("results")), lang)
        new_pending = {"kind": "plan"}
    lines.append(question)
    return {"messages": [speak.reply("\n\n".join(lines))], "pending": new_pending, "waived": waived,
            "asked": _asked(state, new_pending)}


def answer(state: SelectionState, config: RunnableConfig) -> dict:
    """Summary, help, greetings and free questions: answer, then keep the interview moving."""
    lang = state.get("language", "en")
    intent = (state.get("update") or {}).get("intent")
    if intent == "question":
        return _answer_question(state, config, lang)
    if intent == "summary":
        text = speak.brief_summary(_brief(state), state.get("waived") or [], state.get("dataset"), lang)
        return {"messages": [speak.reply(text, "summary")]}
    if intent == "plan":
        plan = state.get("plan")
        if plan:
            return {"messages": [speak.reply(speak.plan_text(plan, _brief(state), lang, []), "plan")],
                    "pending": {"kind": "plan"}}
        question, pending = next_question(state, has_data=bool(state.get("dataset")))
        text = speak.cannot_plan_yet(_plan_gaps(state), lang) + "\n\n" + question
        return {"messages": [speak.reply(text)], "pending": pending, "asked": _asked(state, pending)}
    if intent == "next_step":
        return _next_step(state, lang)
    if intent in ("confirm_go", "which_model", "which_two"):
        return {"messages": [speak.reply(speak.say_for(intent, lang, plan=state.get("plan")))]}
    if intent == "off_topic":  # a polite no, then the interview goes on where it was
        text = speak.say_for(intent, lang)
        if not state.get("plan"):
            question, pending = next_question(state, has_data=bool(state.get("dataset")))
            return {"messages": [speak.reply(text + "\n\n" + question)], "pending": pending,
                    "asked": _asked(state, pending)}
        return {"messages": [speak.reply(text)]}
    question, pending = next_question(state, has_data=bool(state.get("dataset")))
    opener = speak.help_text(lang) if intent == "help" else ("你好！" if lang == "zh" else "Hello!")
    return {"messages": [speak.reply(opener + "\n\n" + question)], "pending": pending, "asked": _asked(state, pending)}


def _next_step(state: SelectionState, lang: str) -> dict:
    """"What should I try next?": after a run, its recommendation's next steps; before, what the interview needs."""
    rec = state.get("recommendation")
    if state.get("results") and rec:
        return {"messages": [speak.reply(speak.next_steps_answer(rec, lang), "text")]}
    if state.get("plan"):
        return {"messages": [speak.reply(speak.plan_reminder(False, lang))], "pending": {"kind": "plan"}}
    question, pending = next_question(state, has_data=bool(state.get("dataset")))
    return {"messages": [speak.reply(question)], "pending": pending, "asked": _asked(state, pending)}


def _answer_question(state: SelectionState, config: RunnableConfig, lang: str) -> dict:
    question = _last_user_text(state)
    agent = _agent(config)
    lines = _turn_preamble(state)
    if agent is not None:
        on_token = ((config or {}).get("configurable") or {}).get("on_token")
        try:
            text, sources = answer_with_tools(agent, question, state, lang, on_token)
            return {"messages": [speak.reply(with_sources(text, sources, lang), "answer")]}
        except LLMError as error:
            lines.append(speak.llm_fallback(str(error), lang))
    lines.append(answer_offline(question, lang))
    return {"messages": [speak.reply("\n\n".join(lines), "answer")]}


def speak_node(state: SelectionState, config: RunnableConfig) -> dict:
    """With an agent model, the decided reply is phrased by it (streamed), behind the numbers guard."""
    agent = _agent(config)
    messages = state.get("messages") or []
    last = messages[-1] if messages else None
    if agent is None or not isinstance(last, AIMessage) or last.additional_kwargs.get("kind") != "text":
        return {}
    on_token = ((config or {}).get("configurable") or {}).get("on_token")
    text, how = phrase(agent, reply_text(last), state.get("language", "en"), on_token)
    return {"messages": [AIMessage(id=last.id, content=speak.typeset(text),
                                   additional_kwargs={**last.additional_kwargs, "phrased": how})]}


def _profile_target(state: SelectionState) -> tuple[dict, dict]:
    """Which file to read and with which sheet/columns: a new attachment, the file a question was about, or the
    current data re-read with the user's column or sheet choice."""
    update = state.get("update") or {}
    pending = state.get("pending") or {}
    files = state.get("files") or []
    if files:
        target, choice = dict(files[-1]), {}
    elif pending.get("file"):
        target, choice = dict(pending["file"]), dict(pending.get("choice") or {})
    else:
        dataset = dataset_of(state)
        target = {"path": dataset["path"], "name": dataset["file"]}
        choice = {"sheet": dataset.get("sheet"), "text_column": dataset["text_column"],
                  "label_column": dataset["label_column"]}
    for key in ("sheet", "text_column", "label_column"):
        if update.get(key) is not None:
            choice[key] = update.get(key)
    return target, choice


def profile_data(state: SelectionState) -> dict:
    """Read and profile the attached file (or re-read it with the user's column/sheet choice)."""
    lang = state.get("language", "en")
    files = list(state.get("files") or [])
    target, choice = _profile_target(state)
    label = choice.get("label_column")
    result: dict = {"files": []}
    lines = _turn_preamble(state)
    if len(files) > 1:
        lines.append(say("intake.one_file", lang, name=target["name"]))
    try:
        if target.get("problem"):  # refused before it was kept (size, quota, not a table)
            refused = decode(target["problem"]) or {"id": "data.binary", "values": {"name": target["name"]}}
            raise DataError(refused["id"], **refused["values"])
        if _brief(state).task_type == "extraction":  # the fields to extract are the data's other columns
            profile = profile_records(target["path"], display_name=target["name"], sheet=choice.get("sheet"),
                                      text_column=choice.get("text_column"))
        elif _brief(state).task_type == "generation":  # questions with reference answers (and marks, if any)
            profile = profile_answers(target["path"], display_name=target["name"], sheet=choice.get("sheet"),
                                      text_column=choice.get("text_column"))
        else:
            profile = read_dataset(target["path"], display_name=target["name"], sheet=choice.get("sheet"),
                                   text_column=choice.get("text_column"), label_column=label)
    except NeedsChoice as need:
        choice_state = {k: v for k, v in choice.items() if v is not None}
        result["pending"] = {"kind": need.kind, "options": need.options, "file": target, "choice": choice_state}
        lines.append(speak.choice_question(render(need, lang), need.options, lang))
        result["messages"] = [speak.reply("\n\n".join(lines), "choice")]
        return result
    except DataError as error:
        if files:
            discard_upload(target)  # a new file that cannot be read is not kept
        lines.append(speak.data_problem(render(error, lang), lang))
        result["pending"] = None
        result["messages"] = [speak.reply("\n\n".join(lines), "data_error")]
        return result
    uploads = [*(state.get("uploads") or []), {"path": target["path"], "name": target["name"]}]
    result["uploads"] = [dict(u) for u in {u["path"]: u for u in uploads}.values()]
    result["dataset"] = profile
    brief = _brief(state)
    if profile["label_counts"]:
        data_labels = sorted(profile["label_counts"])
        if brief.labels and set(brief.labels) != set(data_labels):
            lines.append(say("intake.labels_from_data", lang, labels=speak.listing(data_labels[:20], lang),
                             more=" …" if len(data_labels) > 20 else ""))
        brief = brief.model_copy(update={"labels": data_labels,
                                         "task_type": brief.task_type or "classification"})
        result["brief"] = brief.model_dump()
    lines.append(speak.profile_text(profile, lang))
    if not labelled(profile):
        lines.append(speak.unlabelled_note(lang, strongest_configured()))
    follow: SelectionState = {**state, "brief": brief.model_dump(), "dataset": profile, "update": {}}
    question, new_pending = next_question(follow, has_data=True)
    lines.append(question)
    result["pending"] = new_pending
    result["asked"] = _asked(state, new_pending)
    result["messages"] = [speak.reply("\n\n".join(lines), "profile")]
    return result


# ---------------------------------------------------------------- graph


def propose_plan(state: SelectionState) -> dict:
    command = (state.get("update") or {}).get("command")
    result = journey.propose_plan(state, command)
    if state.get("results") and result.get("plan"):
        result["plan"]["revised"] = True  # the next 'go' measures the revised plan
    return result


def run_eval(state: SelectionState, config: RunnableConfig) -> dict:
    """Spend (only after 'go'): the whole plan, or — after a run — only the candidate the user added."""
    command = (state.get("update") or {}).get("command") or {}
    if command.get("name") == "pilot":
        return journey.run_pilot(state, config)
    if command.get("name") == "add" and state.get("results"):
        plan: Plan = {**plan_of(state)}
        entries = configured_entries()
        model = resolve_id(command["model"], entries)
        lang = state.get("language", "en")
        if not can_run(model, entries):
            return {"messages": [speak.reply(speak.not_runnable(model, lang))]}
        if model in plan["candidates"]:
            return {"messages": [speak.reply(speak.already_measured(model, lang))]}
        plan["candidates"] = [*plan["candidates"], model]
        plan["eval_config"] = {**plan["eval_config"], "candidates": plan["candidates"]}
        return journey.run_evaluation({**state, "plan": plan}, config, only=[model]) | {"plan": plan}
    plan = {**plan_of(state)}
    budget = plan.get("budget") or {}
    if budget.get("over") and (state.get("pending") or {}).get("kind") != "budget_confirm":
        lang = state.get("language", "en")  # a plan over the stated budget is confirmed once more, by amount
        return {"messages": [speak.reply(speak.go_over_budget(budget, lang))], "pending": {"kind": "budget_confirm"}}
    fresh_run = plan.pop("revised", False) and _eval_set_changed(state)
    result = journey.run_evaluation({**state, "plan": plan, "run": None if fresh_run else state.get("run")}, config)
    return result | {"plan": plan}


def _eval_set_changed(state: SelectionState) -> bool:
    ran = (state.get("run") or {}).get("eval_set") or {}
    planned = plan_of(state).get("split")
    return planned is None or ran.get("size") != planned["size"] or ran.get("seed") != planned["seed"]


def recommend(state: SelectionState) -> dict:
    """Re-decide from stored results (new targets, or a "go" with nothing new): say what changed, or that
    nothing did, and that no model was called."""
    result = journey.recommend_again(state)
    lang = state.get("language", "en")
    update = state.get("update") or {}
    unchanged = (update.get("command") or {}).get("name") == "go" and not set(update.get("changes") or {}) & set(
        TARGET_FIELDS)
    preamble = _turn_preamble(state) + [say("results.nothing_new", lang) if unchanged else speak.redecided(lang)]
    message = result["messages"][0]
    message.content = "\n\n".join([*preamble, message.content])
    return result


def follow_up(state: SelectionState) -> dict:
    command = (state.get("update") or {}).get("command") or {}
    if command["name"] == "errors":
        return journey.show_errors(state, command.get("model"))
    if command["name"] == "why_not":
        return journey.why_not(state, command["model"])
    if command["name"] == "compare":
        return journey.compare_two(state, command["model"], command["other"])
    if command["name"] == "why":
        return journey.why_pick(state, command.get("model"))
    if command["name"] == "what_happened":
        return journey.what_happened(state)
    return journey.export_files(state)


def silver_labels(state: SelectionState) -> dict:
    """Label an unlabelled upload with the strongest configured model; the data is marked silver from then on."""
    lang = state.get("language", "en")
    brief = _brief(state)
    model = strongest_configured()
    if model is None:
        return {"messages": [speak.reply(speak.silver_needs_endpoint(lang))]}
    if len(brief.labels) < 2:
        return {"messages": [speak.reply(speak.silver_needs_labels(lang))], "pending": {"kind": "field", "field": "labels"}}
    dataset = dataset_of(state)
    path, summary = silver_label(dataset, brief.labels, _thread(state), model)
    try:
        profile = read_dataset(path, display_name=f"silver labels for {dataset['file']}",
                               text_column="text", label_column="label")
    except DataError as error:
        return {"messages": [speak.reply(speak.data_problem(render(error, lang), lang), "data_error")]}
    profile["silver"] = summary
    text = speak.silver_done(summary, lang) + "\n\n" + speak.profile_text(profile, lang)
    return {"dataset": profile, "messages": [speak.reply(text, "profile")],
            "brief": brief.model_copy(update={"labels": sorted(profile["label_counts"])}).model_dump()}


def _thread(state: SelectionState) -> str:
    uploads = state.get("uploads") or []
    return Path(uploads[-1]["path"]).parent.name if uploads else "silver"


def is_document(file: Mapping[str, Any], state: SelectionState) -> bool:
    """A file for RAG rather than the labelled data: PDF, DOCX, Markdown or a zip always; plain text once the
    conversation has its labelled data."""
    suffix = Path(str(file.get("name") or "")).suffix.lower()
    return suffix in DOCUMENT_SUFFIXES or (suffix in TEXT_SUFFIXES and labelled(state.get("dataset")))


def attach_documents(state: SelectionState) -> dict:
    """Read the attached documents for RAG (with the ones attached before), index nothing yet (the plan's
    forecast does, once) and say what each document gave; data files attached with them go on to be profiled."""
    lang = state.get("language", "en")
    files = list(state.get("files") or [])
    attached = [f for f in files if is_document(f, state)]
    before = state.get("documents")
    paths = list(before["paths"]) if before else []
    names = list(before["names"]) if before else []
    refused = []
    for file in attached:
        problem = str(dict(file).get("problem") or "")
        if problem:  # refused before it was kept (size, quota)
            refused.append(render(decode(problem) or problem, lang))
        elif file["path"] not in paths:
            paths.append(file["path"])
            names.append(file["name"])
    chunk = before["chunk_tokens"] if before else DEFAULT_CHUNK_TOKENS
    found, cut = library(tuple(paths), chunk) if paths else (DocumentSet(), [])
    problems = [_named(problem, paths, names) for problem in found.problems]
    info: DocumentsInfo = {"paths": paths, "names": names, "documents": len(found.documents), "passages": len(cut),
                           "chunk_tokens": chunk, "problems": problems,
                           "read": [_original_name(d.name, paths, names) for d in found.documents]}
    has_data = labelled(state.get("dataset"))
    text = speak.documents_text(info, refused, lang, has_data=has_data)
    return {"documents": info, "files": [f for f in files if f not in attached],
            "messages": [speak.reply("\n\n".join([*_turn_preamble(state), text]), "documents")]}


def _original_name(kept: str, paths: list[str], names: list[str]) -> str:
    """A document's name as the user attached it (kept files are renamed in the workspace; a zip's members keep
    the zip's name in front)."""
    for path, name in zip(paths, names, strict=True):
        base = Path(path).name
        if kept == base or kept.startswith(base + "/"):
            return name + kept[len(base):]
    return kept


def _named(problem: Reason, paths: list[str], names: list[str]) -> Reason:
    values = dict(problem.get("values") or {})
    if isinstance(values.get("name"), str):
        values["name"] = _original_name(values["name"], paths, names)
    return {"id": problem["id"], "values": values}


def after_documents(state: SelectionState) -> Literal["profile_data", "propose_plan", "__end__"]:
    """Data attached with the documents is profiled next; otherwise a conversation ready for a plan gets the plan
    with RAG in it, in the same turn."""
    if state.get("files"):
        return "profile_data"
    documents = state.get("documents")
    if documents and documents["passages"] and ready_for_plan(state):
        return "propose_plan"
    return "__end__"


def after_profile(state: SelectionState) -> Literal["propose_plan", "__end__"]:
    """A successful upload that completes what a plan needs goes straight on to the plan, in the same turn."""
    messages = state.get("messages") or []
    kind = messages[-1].additional_kwargs.get("kind") if messages else None
    return "propose_plan" if kind == "profile" and ready_for_plan(state) and not state.get("results") else "__end__"


def build_graph():
    """The uncompiled graph; compile it with the checkpointer of the caller's world (CLI, app, tests)."""
    graph = StateGraph(SelectionState)
    for name, node in (("intake", intake), ("ask", ask), ("profile_data", profile_data),
                       ("attach_documents", attach_documents), ("answer", answer), ("finetune", finetune),
                       ("propose_plan", propose_plan), ("run_eval", run_eval), ("recommend", recommend),
                       ("follow_up", follow_up), ("speak", speak_node), ("silver_labels", silver_labels)):
        graph.add_node(name, node)
    graph.add_edge(START, "intake")
    graph.add_conditional_edges("intake", decide, ["ask", "profile_data", "attach_documents", "answer",
                                                   "propose_plan", "run_eval", "recommend", "follow_up",
                                                   "silver_labels", "finetune"])
    graph.add_conditional_edges("attach_documents", after_documents, ["profile_data", "propose_plan", END])
    graph.add_conditional_edges("profile_data", after_profile, ["propose_plan", END])
    graph.add_conditional_edges("silver_labels", after_profile, ["propose_plan", END])
    for source in ("ask", "answer"):
        graph.add_edge(source, "speak")
    for source in ("speak", "propose_plan", "run_eval", "recommend", "follow_up", "finetune"):
        graph.add_edge(source, END)
    return graph


def compile_graph(checkpointer=None):
    return build_graph().compile(checkpointer=checkpointer)


def turn_language(turn: dict, previous: str) -> str:
    """The language this turn will be answered in: the message's, else the conversation's so far."""
    messages = turn.get("messages") or []
    text = messages[-1].content if messages and isinstance(messages[-1].content, str) else ""
    return detect_language(text) or previous


def turn_input(text: str, files: list[dict] | None = None) -> dict:
    """The state update for one user turn: their words and the files they attached."""
    return {"messages": [HumanMessage(content=text)], "files": files or []}


def reply_text(message: AIMessage) -> str:
    """A reply's text (our replies are always text; a model's structured content is joined)."""
    content = message.content
    return content if isinstance(content, str) else "".join(str(part) for part in content)


def new_replies(state: Mapping[str, Any]) -> list[AIMessage]:
    """The assistant messages of the last turn (everything after the last user message)."""
    messages = state.get("messages") or []
    replies: list[AIMessage] = []
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            break
        if isinstance(message, AIMessage):
            replies.append(message)
    return list(reversed(replies))
