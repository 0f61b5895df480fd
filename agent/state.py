"""What a conversation knows: the brief (the user's targets) and the graph state around it.

Rows never live here — only paths into the workspace and small summaries — so checkpoints stay small.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from pydantic import BaseModel, Field

from core.brief import Brief
from core.shapes import (
    DatasetProfile,
    DocumentsInfo,
    FileRef,
    Language,
    Pending,
    Plan,
    Recommendation,
    ResultRow,
    RunInfo,
    TaskType,
    TurnUpdate,
)

# Fields of the brief the interview asks about, in the order it asks (most useful first).
INTERVIEW_ORDER = ("use_case", "labels", "accuracy_target", "max_cost_per_1k_usd", "max_latency_s",
                   "volume_per_day", "constraints")


class BriefFacts(BaseModel):
    """The facts a message can state about the brief, all optional (also the agent model's answer schema,
    where `task_type` is free text until validated)."""

    use_case: str | None = None
    task_type: str | None = None
    labels: list[str] | None = None
    accuracy_target: float | None = None
    max_cost_per_1k_usd: float | None = None
    max_latency_s: float | None = None
    volume_per_day: float | None = None
    value_per_correct_usd: float | None = None
    cost_per_error_usd: float | None = None
    constraints: list[str] | None = None


class BriefUpdate(BriefFacts):
    """What one user message says about the brief; None means 'not mentioned', never 'erase'."""

    task_type: TaskType | None = None
    # Targets the user explicitly waived ("no latency limit"): never asked again.
    waived: list[str] = Field(default_factory=list)
    # Column names the user gave for the uploaded data.
    text_column: str | None = None
    label_column: str | None = None
    sheet: str | None = None
    # A fact the user tried to give but that could not be read unambiguously: field → follow-up question key.
    unclear: dict[str, str] = Field(default_factory=dict)
    # What the message asks when it states no fact: the brief, help, a greeting, a question about the method,
    # this conversation's plan or next step, something off topic, a "go" in other words (asked again), or a
    # command that needs its model named (agent.graph.ANSWER_INTENTS).
    intent: Literal["summary", "help", "greeting", "question", "plan", "next_step", "off_topic", "confirm_go",
                    "which_model", "which_two", "none"] = "none"
    # Costs of kinds of error ("a missed spam costs $1"): {"kind": "missed" | "false_alarm", "label", "usd"}.
    error_kinds: list[dict] | None = None
    # The user's own words for each value read (field → "$5 per 1,000 articles"), shown back in the reply.
    said: dict[str, str] = Field(default_factory=dict)
    # Facts beside the pinned brief: a cost ceiling per 1,000 in another currency ({"amount", "currency",
    # "text"}), a budget per period ({"amount", "currency", "per_days", "text"}) and what the evaluation itself
    # may cost ({"amount", "currency", "text"}).
    cost_in: dict | None = None
    spend: dict | None = None
    eval_budget: dict | None = None
    # An exchange rate the user gave ({"currency", "rate"}: units of that currency per US dollar), and the
    # conversion it allowed this turn ({"currency", "rate", "amount", "usd"}), shown back.
    rate: dict | None = None
    rate_noted: dict | None = None
    # Quantities the reader found but could not place ({"text", "why"}): named in the reply, never dropped.
    unplaced: list[dict] = Field(default_factory=list)
    # Constraints the user took back ("scratch that — cloud is OK"): they leave the brief.
    constraints_dropped: list[str] = Field(default_factory=list)

    def filled(self) -> dict[str, Any]:
        """Brief fields this update sets."""
        return {k: v for k, v in self.model_dump(include=set(Brief.model_fields)).items() if v is not None}


def merge_brief(brief: Brief, update: BriefUpdate) -> Brief:
    """Apply an update: later words win (that is how corrections work); derive break-even accuracy."""
    values = brief.model_dump()
    for key, value in update.filled().items():
        if key == "constraints":
            value = list(dict.fromkeys([*values["constraints"], *value]))
        values[key] = value
    values["constraints"] = [c for c in values["constraints"] if c not in update.constraints_dropped]
    correct, error = values["value_per_correct_usd"], values["cost_per_error_usd"]
    if correct is not None and error is not None and correct + error > 0:
        values["break_even_accuracy"] = round(error / (error + correct), 4)
    return Brief(**values)


def stated_facts(facts: dict, update: BriefUpdate) -> dict:
    """The facts kept beside the pinned brief, with this message's: a later statement replaces an earlier one.

    `spend`: a budget per period; `eval_budget`: what the evaluation may cost; `cost_in`: a ceiling per 1,000
    in another currency (kept in its currency until there is a rate for it)."""
    facts = dict(facts)
    for key in ("spend", "eval_budget", "cost_in"):
        value = getattr(update, key)
        if value:
            facts[key] = dict(value)
    if update.max_cost_per_1k_usd is not None:  # a ceiling said in dollars replaces one in another currency
        facts.pop("cost_in", None)
        facts.pop("derived", None)
    if update.cost_in:
        facts.pop("derived", None)
    if update.spend and "derived" in facts:  # a new budget: derive again
        facts.pop("derived", None)
        facts.pop("cost_in", None)
    if update.rate:
        facts["rates"] = {**facts.get("rates", {}), update.rate["currency"]: update.rate["rate"]}
    budget = facts.get("eval_budget") or {}
    rate = 1.0 if budget.get("currency") == "USD" else facts.get("rates", {}).get(budget.get("currency"))
    if budget and rate:
        facts["eval_budget_usd"] = budget["amount"] / rate
    return facts


def in_dollars(brief: Brief, facts: dict, update: BriefUpdate) -> Brief:
    """A ceiling stated in another currency, in US dollars once there is a rate for it (the user's own: the
    catalog's prices are in dollars and the knowledge layer holds no exchange rate)."""
    cost = facts.get("cost_in")
    rate = facts.get("rates", {}).get((cost or {}).get("currency"))
    if not cost or not rate:
        return brief
    usd = cost["amount"] / rate
    if brief.max_cost_per_1k_usd is None or update.rate or update.cost_in:
        update.rate_noted = {"currency": cost["currency"], "rate": rate, "amount": cost["amount"], "usd": usd}
        return brief.model_copy(update={"max_cost_per_1k_usd": round(usd, 6)})
    return brief


def derive_ceiling(brief: Brief, facts: dict, update: BriefUpdate) -> Brief:
    """A budget per period with a volume gives the ceiling per 1,000 items ("$500 a month at 20,000 a day ≈
    $0.83 per 1,000"), unless the user gave the ceiling itself; the derivation is kept to be shown."""
    spend = facts.get("spend")
    if not spend or not brief.volume_per_day:
        return brief
    said_ceiling = update.max_cost_per_1k_usd is not None or update.cost_in is not None or (
        "derived" not in facts and (brief.max_cost_per_1k_usd is not None or facts.get("cost_in")))
    if said_ceiling:
        return brief
    per_1k = spend["amount"] / spend["per_days"] / brief.volume_per_day * 1000
    facts["derived"] = {"spend": spend, "volume_per_day": brief.volume_per_day, "per_1k": per_1k}
    if spend["currency"] != "USD":  # kept in its currency until there is a rate for it
        facts["cost_in"] = {"amount": round(per_1k, 6), "currency": spend["currency"], "text": spend["text"]}
        return brief
    return brief.model_copy(update={"max_cost_per_1k_usd": round(per_1k, 6)})


class SelectionState(TypedDict, total=False):
    """The graph's state. `messages` accumulates; everything else is replaced by the node that sets it.

    The shapes are in `core/shapes.py`; they are the pinned JSON, so checkpoints and `chat --json` share them."""

    messages: Annotated[list[AnyMessage], add_messages]
    language: Language
    brief: dict  # a `Brief` dumped (its keys are pinned); read it back with `Brief(**state["brief"])`
    waived: list[str]
    # What kinds of error cost (`BriefUpdate.error_kinds`), kept beside the pinned brief; a later mention of the
    # same kind and class replaces an earlier one.
    error_kinds: list[dict]
    # Facts beside the pinned brief (`stated_facts`): a budget per period, the evaluation's budget, a ceiling in
    # another currency, and how a ceiling was derived.
    facts: dict
    # Plan edits ("drop smollm2", "use 300 items") said before there was a plan: applied when it is made.
    plan_edits: list[dict]
    # Files attached to the current turn; consumed by profile_data.
    files: list[FileRef]
    uploads: list[FileRef]
    # Documents attached for RAG (their text is read again from the kept files; never put in the state).
    documents: DocumentsInfo | None
    dataset: DatasetProfile | None
    # A question the assistant asked and is waiting on.
    pending: Pending | None
    update: TurnUpdate
    # Interview questions already asked once (a question is never repeated once answered or waived).
    asked: list[str]
    # The journey: the proposed plan, the run's id and status, the engine's result rows and recommendation (same
    # shapes as `modelpick eval --json`, messages as ids), exported files.
    plan: Plan | None
    run: RunInfo | None
    results: list[ResultRow] | None
    recommendation: Recommendation | None
    exports: dict[str, str] | None


def labelled(dataset: DatasetProfile | None) -> bool:
    """Whether the data has answers to score against: labels, the fields to extract, or reference answers."""
    return bool(dataset and (dataset.get("label_column") or dataset.get("fields") or dataset.get("reference_column")))


def task_of_data(dataset: DatasetProfile | None) -> str:
    return (dataset or {}).get("task") or "classification"


def brief_of(state: SelectionState) -> Brief:
    """The brief as its model (the state keeps it as the pinned JSON)."""
    return Brief(**(state.get("brief") or {}))


def dataset_of(state: SelectionState) -> DatasetProfile:
    """The profiled upload; only called where the graph has routed because one exists."""
    dataset = state.get("dataset")
    if dataset is None:
        raise LookupError("no dataset in this conversation yet")
    return dataset


def plan_of(state: SelectionState) -> Plan:
    plan = state.get("plan")
    if plan is None:
        raise LookupError("no plan in this conversation yet")
    return plan


def run_of(state: SelectionState) -> RunInfo:
    run = state.get("run")
    if run is None:
        raise LookupError("no run in this conversation yet")
    return run
