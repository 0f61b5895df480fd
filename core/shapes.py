"""The typed shapes that flow between the parts — and into the pinned JSON (`modelpick eval --json`, `chat --json`).

They are `TypedDict`s: the JSON itself, so the checkpoints, the CLI output and the state stay byte-for-byte what
they were, while mypy checks every key that is read or written. Keys are contracts: add, never rename. (The one
pydantic model, `Brief`, lives in `core.brief`: the eval path and the upload path never import pydantic.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypedDict

TaskType = Literal["classification", "extraction", "generation"]
Language = Literal["en", "zh"]
RowStatus = Literal["measured", "failed", "stopped"]
Verdict = Literal["met", "marginal", "missed", "unknown", "no target", "failed"]
RecommendationStatus = Literal["met", "marginal", "none"]


# The trained baseline's id: a TF-IDF classifier, not a prompted model (it is shown as "trained baseline").
BASELINE_ID = "tfidf-logreg"
DISTILLED_PREFIX = "distilled-"  # `distilled-<teacher>`: a local classifier trained on a teacher's labels
ENDPOINT_PRICE = "endpoint:"  # the source of a price the user gave an endpoint (settings, candidates file) + its id

TechniqueKind = Literal["drawn", "retrieved", "rag"]
RAG_CODE = 1000  # technique codes ≤ -RAG_CODE are RAG with -code - RAG_CODE passages


@dataclass(frozen=True)
class Technique:
    """How a prompt is built: `drawn` (k examples drawn once, k = 0 is zero-shot), `retrieved` (the k most similar
    labelled examples per item) or `rag` (the k passages of the user's documents closest to the item).

    Runs, stores and result rows key a technique by one integer (`code`: k, -k, -(1000 + k)) — the run store's
    column and the pinned JSON's `shots` predate the other kinds — so this is the one place that encodes it."""

    kind: TechniqueKind
    k: int

    @property
    def code(self) -> int:
        return {"drawn": self.k, "retrieved": -self.k, "rag": -(RAG_CODE + self.k)}[self.kind]

    @classmethod
    def of(cls, code: int) -> Technique:
        if code <= -RAG_CODE:
            return cls("rag", -code - RAG_CODE)
        return cls("retrieved", -code) if code < 0 else cls("drawn", code)

    @property
    def shots(self) -> int:
        """Examples each prompt shows (RAG shows passages, not examples: 0)."""
        return 0 if self.kind == "rag" else self.k

    @property
    def id(self) -> str:
        """The pinned JSON's `technique`."""
        if self.kind == "drawn":
            return "zero-shot" if self.k == 0 else "k-shot"
        return "retrieved-k-shot" if self.kind == "retrieved" else "rag"

    @property
    def token(self) -> str:
        """How `--shots` spells it: "0", "3", "r3", "rag4"."""
        return {"drawn": f"{self.k}", "retrieved": f"r{self.k}", "rag": f"rag{self.k}"}[self.kind]

    @property
    def order(self) -> tuple[int, int]:
        """Drawn, then retrieved, then RAG; fewer first."""
        return ({"drawn": 0, "retrieved": 1, "rag": 2}[self.kind], self.k)


class Reason(TypedDict):
    """Why the recommendation is what it is, as a message id and its values (the agent phrases it)."""

    id: str
    values: dict



# ---------------------------------------------------------------- data


class FileRef(TypedDict):
    path: str
    name: str


class DocumentsInfo(TypedDict):
    """The documents a conversation attached for RAG (`tools.data.documents`): what was read and what was not."""

    paths: list[str]  # as kept in the workspace (files, or zips of files)
    names: list[str]  # as attached
    read: list[str]  # the documents that could be read (a zip's members as zip/member)
    documents: int  # readable documents
    passages: int
    chunk_tokens: int
    problems: list[Reason]  # one per document that cannot be used, as message ids


class RagPlan(TypedDict):
    """What the plan's RAG technique adds: passages per prompt and the tokens they cost per item."""

    documents: int
    passages: int
    k: int
    chunk_tokens: int
    extra_tokens_per_item: float


class Spread(TypedDict):
    mean: float
    p50: float
    p95: float
    max: float


class SilverSummary(TypedDict):
    by: str
    rows: int
    asked: int
    unusable: int
    spent_usd: float
    notes: list[str]


class DatasetProfile(TypedDict, total=False):
    file: str
    path: str
    format: str
    encoding: str | None
    sheet: str | None
    rows: int
    columns: list[str]
    text_column: str
    label_column: str | None
    label_counts: dict[str, int]
    classes: int
    majority_share: float | None
    imbalance_ratio: float | None
    missing_labels: int
    empty_texts: int
    duplicate_texts: int
    text_chars: Spread
    text_tokens: Spread
    tokens_encoding: str
    language: Language
    zh_share: float
    formula_like_cells: int
    warnings: list[Reason]  # findings about the data, phrased by the agent
    silver: SilverSummary
    # Extraction data (`tools.tasks.extraction`): the fields to extract (columns, or the keys of a JSON column).
    fields: list[str]
    task: TaskType
    # Open-answer data (`tools.tasks.generation`): the reference answers, and a person's marks on answers in the data.
    reference_column: str
    human_column: str | None
    human_marks: int


# ---------------------------------------------------------------- plan


@dataclass(frozen=True)
class TokenEstimate:
    """Tokens per item of one technique, counted from the prompts that will be sent (`tools/planning/forecast.py`)."""

    input_tokens: float
    output_tokens: float
    shots: int = 0
    item_tokens: float = 0.0  # the item's own text, per item (the rest is instruction, labels and examples)


class SplitSummary(TypedDict):
    size: int
    few_shot_pool: int
    train_pool: int
    dropped_duplicates: int
    dropped_empty: int
    conflicting_duplicates: int
    rare_classes: dict[str, int]
    seed: int
    eval_label_counts: dict[str, int]


class ForecastRow(TypedDict):
    model_id: str
    shots: int
    cost_per_1k_usd: float | None
    eval_cost_usd: float | None
    monthly_usd: float | None
    price_source: str | None
    as_of: str | None


class ShortlistEntry(TypedDict):
    id: str
    reason: Reason  # a message id and its values (see words/catalog.py)
    runnable: bool


class Exclusion(TypedDict):
    id: str
    reason: Reason


class ExpectedTime(TypedDict, total=False):
    seconds: float | None
    unmeasured: list[str]
    probed: list[str]  # measured just now by a short timing probe (local candidates only)


class Plan(TypedDict, total=False):
    candidates: list[str]
    shots: list[int]
    eval_size: int
    seed: int
    split: SplitSummary
    labels: list[str]
    power_sentence: Reason  # the power analysis, phrased by the agent
    shortlist: list[ShortlistEntry]
    excluded: list[Exclusion]
    forecasts: list[ForecastRow]
    calls: int
    eval_config: dict
    expected_time: ExpectedTime
    silver_by: str | None
    revised: bool
    notes: list[dict]
    adaptive: bool  # run in rounds, stopping decided rows (`tools.run.adaptive`); eval_size is then the cap
    looks: list[int] | None  # the item counts where an adaptive run decides (None: a fixed run)
    pilot: dict | None  # the strongest model alone on the first items, offered before the run: model, items, cost
    distil: list[str]  # teachers whose labels of train-pool rows train a local classifier (`tools.training.distil`)
    distil_cost_usd: float | None  # what the teachers' labelling will cost (None: a price is unknown)
    # The forecast against the evaluation budget the user stated: budget_usd, forecast_usd, over, fits_items,
    # dearest, without_dearest_usd (None when no budget was stated).
    budget: dict | None
    # Targets neither stated nor waived when the plan was made: said under the brief line, so a partial answer
    # ("maybe 90? not sure about cost yet") never becomes a plan that is silent about the cost.
    open_targets: list[str]
    rag: RagPlan | None  # the RAG technique over the attached documents (None: no documents)
    judge_model: str  # open answers: the judge the user chose ("judge with X")
    judge: dict | None  # open answers: {"model", "calls", "marked", "cost_usd", "self"} (`tools.tasks.generation`)


# ---------------------------------------------------------------- results


class Verdicts(TypedDict):
    accuracy: Verdict
    cost: Verdict
    latency: Verdict


AdaptiveStop = Literal["settled", "hopeless"]


class ResultRow(TypedDict, total=False):
    """One candidate × technique of a run: the pinned `results[]` row."""

    candidate: str
    technique: str
    shots: int
    status: RowStatus
    failure: str | None
    items: int
    correct: int
    errors: int
    unparseable: int
    accuracy: float | None
    accuracy_ci: list[float] | None
    macro_f1: float | None
    latency_p50_s: float | None
    latency_p95_s: float | None
    input_tokens_per_item: float
    output_tokens_per_item: float
    cost_per_1k_usd: float | None
    per_class: dict[str, dict[str, float]]
    confusion: dict[str, dict[str, int]]
    error_messages: list[str]
    verdicts: Verdicts
    mcnemar_p_vs_best: float | None
    stopped: AdaptiveStop | None  # an adaptive run ended this row early (`tools.run.adaptive`)
    # With error costs (`tools.scoring.error_costs`): expected cost of the row's errors, API + errors, and per error type.
    error_cost_per_1k_usd: float | None
    total_cost_per_1k_usd: float | None
    total_cost_per_1k_ci: list[float] | None
    error_types: dict[str, dict[str, float]] | None
    # A cascade row (`tools.scoring.cascade`): the first model, the one asked when the signal fires, the share escalated.
    cascade: dict | None
    # An extraction row (`tools.tasks.extraction`): accuracy means all fields right; per field precision/recall/F1.
    metric: str
    fields: dict[str, dict[str, float]]
    micro_f1: float | None
    invalid_json: float | None
    # An open-answer row (`tools.tasks.generation`): the judge and how far it agrees with people; overlap metrics.
    judge: str
    self_judged: bool
    judged_accuracy: float | None  # the judge's raw share of RIGHT (accuracy is PPI-corrected with human marks)
    accuracy_method: str  # "ppi" when corrected
    judge_agreement: dict | None  # {"n", "accuracy", "kappa", "kappa_ci"}
    exact_match: float
    token_f1: float
    chrf: float


class Recommendation(TypedDict):
    candidate: str | None
    technique: str | None
    shots: int | None
    status: RecommendationStatus
    reasons: list[Reason]
    next_steps: list[Reason]


class AdaptiveSummary(TypedDict):
    rounds: int
    calls: int
    calls_if_fixed: int


class RunInfo(TypedDict, total=False):
    run_id: str
    status: str
    notes: list[str]
    eval_set: dict
    silver_by: str | None
    adaptive: AdaptiveSummary | None


class Pending(TypedDict, total=False):
    """A question the assistant asked and waits on."""

    kind: str  # "field" | "plan" | "sheet" | "text_column" | "label_column" | "finetune"
    field: str
    options: list[str]
    file: FileRef
    choice: dict
    estimate: dict  # a fine-tune's estimate (`tools.training.finetune.Estimate`), waiting on the user's yes


class TurnUpdate(TypedDict, total=False):
    """What intake read from this turn: the brief update's fields plus what changed, the command, a notice."""

    intent: str
    unclear: dict[str, str]
    waived: list[str]
    sheet: str | None
    text_column: str | None
    label_column: str | None
    labels: list[str] | None
    changes: dict
    command: dict | None
    notice: str | None
    error_kinds: list[dict] | None
    # The user's words for each value read, facts beside the brief, and what could not be placed
    # (`agent.state.BriefUpdate`): shown back in the reply.
    said: dict[str, str]
    cost_in: dict | None
    spend: dict | None
    eval_budget: dict | None
    unplaced: list[dict]
    rate_noted: dict | None
