"""An evaluation's configuration and its eval set: everything needed to (re)build a run, stored as JSON
with it, so `resume` rebuilds exactly the same eval set and candidates and finishes only what is missing.
"""

from __future__ import annotations

import atexit
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from core import collector
from tools.candidates.base import BUILT_IN, CandidateError
from tools.candidates.pricing import entry_price
from tools.data.documents import DEFAULT_CHUNK_TOKENS, documents_digest
from tools.data.evalset import EvalSetError, EvalSplit, load_items, split
from tools.data.tables import file_digest, table_key
from tools.prompting.techniques import Documents
from tools.run.runner import RunStore
from tools.tasks.extraction import load_records
from tools.tasks.generation import load_answers
from tools.training import distil as distil_module

DEFAULT_CANDIDATES = list(BUILT_IN)  # offline: the trained baseline and the local LLM

@dataclass
class EvalConfig:
    """Everything needed to (re)build a run; stored as JSON in runs.sqlite (never an API key)."""

    data: str
    text_column: str | None = None
    label_column: str | None = None
    sheet: str | None = None
    candidates: list[str] = field(default_factory=lambda: list(DEFAULT_CANDIDATES))
    candidate_entries: list[dict] = field(default_factory=list)
    shots: list[int] = field(default_factory=lambda: [0])
    eval_size: int = 100
    seed: int = 0
    targets: dict = field(default_factory=dict)
    budget_usd: float | None = None
    hardware_cost_per_hour: float | None = None
    # The data file's SHA-256 when the run was made: a resume refuses a file that has changed since.
    data_sha256: str | None = None
    # Rounds that stop settled and hopeless rows early (`tools.run.adaptive`); eval_size is then the most items a row uses.
    adaptive: bool = False
    # What each kind of wrong answer costs (`tools.scoring.error_costs.ErrorCosts.to_dict`): ranks by total cost.
    error_costs: dict | None = None
    volume_per_day: float | None = None
    # Teachers whose labels of train-pool rows train a local classifier, measured as `distilled-<teacher>`.
    distil: list[str] = field(default_factory=list)
    distil_rows: int = distil_module.DEFAULT_ROWS
    # The user's documents for RAG techniques (files, folders, zips), how they are cut, and their digest when the
    # run was made (a resume refuses changed documents).
    docs: list[str] = field(default_factory=list)
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS
    docs_sha256: str | None = None
    # "classification" (a label column) or "extraction" (fields: columns or a JSON column; `tools.tasks.extraction`).
    task: str = "classification"
    fields: list[str] = field(default_factory=list)
    # Open answers (`tools.tasks.generation`): the judge (None: the dearest candidate), its rubric, and the columns of a
    # person's marks on answers in the data (the judge is measured against them).
    judge: str | None = None
    rubric: str | None = None
    human_column: str | None = None
    response_column: str | None = None

    def __post_init__(self) -> None:
        if self.data_sha256 is None and Path(self.data).is_file():
            self.data_sha256 = file_digest(self.data)
        if self.task == "generation":  # answers are judged after they are all in: rounds cannot stop on verdicts
            self.adaptive = False
        if self.docs and self.docs_sha256 is None:
            self.docs_sha256 = documents_digest(self.docs)

    @property
    def documents(self) -> Documents | None:
        return Documents(tuple(self.docs), self.chunk_tokens) if self.docs else None

    def to_dict(self) -> dict:
        return dict(self.__dict__)

Prepared = tuple[EvalSplit, list[str], str, str, int]

_prepared: OrderedDict[tuple, Prepared] = OrderedDict()

# Emptied at exit, before the interpreter's last garbage collections: they would otherwise traverse every cached
# row several times (100k rows: 0.12 s of a process's exit; emptying costs 0.03 s).
atexit.register(_prepared.clear)

# The most tokens the label block of a prompt may take: half the local model's 4,096-token context, so every
# candidate keeps room for the instruction, the examples and the item (MODELPICK_MAX_LABELS bounds the count).
MAX_LABEL_BLOCK_TOKENS = 2048

def check_label_prompt(labels: list[str], *, name: str) -> None:
    """A label set whose prompt block would not fit a candidate's context is refused before any call."""
    from core.tokens import count_tokens
    from tools.prompting.prompts import label_block

    tokens = count_tokens(label_block(labels))
    if tokens > MAX_LABEL_BLOCK_TOKENS:
        raise EvalSetError("evalset.labels_too_long_for_prompt", name=name, tokens=tokens, limit=MAX_LABEL_BLOCK_TOKENS,
                           count=len(labels))

def prepare(config: EvalConfig) -> Prepared:
    """The eval set for a config (deterministic per seed), its labels, the columns used and the usable rows.

    The table is parsed once per file (`tools.data.tables`); the split is kept per file, columns, size and seed, so
    the plan, the run, the follow-ups and the exports share one."""
    key = (table_key(config.data, config.sheet), config.text_column, config.label_column, config.eval_size,
           config.seed, config.task, tuple(config.fields))
    if key not in _prepared:
        with collector.paused():  # one object per row, no cycles (see core.collector)
            if config.task == "generation":  # an item's label is its reference answer; there are no labels
                items, text_col, reference_col, _marks = load_answers(
                    config.data, text_column=config.text_column, reference_column=config.label_column,
                    human_column=config.human_column, response_column=config.response_column, sheet=config.sheet)
                the_split = split(items, eval_size=config.eval_size, seed=config.seed, stratify=False)
                _prepared[key] = (the_split, [], text_col, reference_col, len(items))
            elif config.task == "extraction":  # the run's "labels" are the fields, an item's label its gold
                items, text_col, fields = load_records(config.data, text_column=config.text_column,
                                                       fields=config.fields or None, sheet=config.sheet)
                the_split = split(items, eval_size=config.eval_size, seed=config.seed, stratify=False)
                _prepared[key] = (the_split, fields, text_col, ", ".join(fields), len(items))
            else:
                items, text_col, label_col = load_items(config.data, text_column=config.text_column,
                                                        label_column=config.label_column, sheet=config.sheet)
                the_split = split(items, eval_size=config.eval_size, seed=config.seed)
                check_label_prompt(the_split.labels(), name=Path(config.data).name)
                _prepared[key] = (the_split, the_split.labels(), text_col, label_col, len(items))
        while len(_prepared) > 8:
            _prepared.popitem(last=False)
    return _prepared[key]

def judge_of(config: EvalConfig) -> str:
    """The judge: the one asked for, else the candidate with the highest list price (the accuracy-first choice)."""
    if config.judge:
        return config.judge

    def price(cid: str) -> float:
        per_token = entry_price(cid, config.candidate_entries)
        return sum(per_token) if per_token else 0.0

    return max(config.candidates, key=price)

def resume_config(store: RunStore, run_id: str) -> EvalConfig:
    stored = store.config(run_id)
    if stored is None:
        raise CandidateError("candidate.no_run", run_id=run_id, path=str(store.path))
    config = EvalConfig(**stored)
    if not Path(config.data).is_file():
        raise CandidateError("candidate.no_data_file", path=config.data)
    if config.data_sha256 is not None and file_digest(config.data) != config.data_sha256:
        raise CandidateError("candidate.data_changed", run_id=run_id, path=config.data)
    if config.docs and config.docs_sha256 is not None and documents_digest(config.docs) != config.docs_sha256:
        raise CandidateError("docs.changed", run_id=run_id)
    return config

def data_path(value: str) -> str:
    """The data file's resolved path; a symlink is refused (it could point anywhere, e.g. /etc/passwd)."""
    path = Path(value).expanduser()
    if path.is_symlink():
        raise CandidateError("candidate.symlink", path=value)
    if not path.is_file():
        raise CandidateError("candidate.no_data_file", path=value)
    return str(path.resolve())

def document_path(value: str) -> str:
    """A document, folder or zip for RAG, resolved; a symlink is refused like a data file's."""
    path = Path(value).expanduser()
    if path.is_symlink():
        raise CandidateError("candidate.symlink", path=value)
    if not path.exists():
        raise CandidateError("docs.missing", name=value)
    return str(path.resolve())
