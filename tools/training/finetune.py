"""Fine-tuning a model on the user's train pool, on the configured OpenAI-compatible endpoint, and following it.

The train pool only (never an eval or few-shot item: the split is the eval run's, same size and seed) becomes
OpenAI's chat fine-tuning JSONL (`tools.output.exports.finetune_jsonl`, the same prompt the eval sends), and its training
cost is estimated from the catalog's fine-tuning price for the base model, with source and date, before anything is
spent: `launch` is only ever called after the user's explicit yes to that estimate. The job is kept in the run
store (`RunStore.save_job`), so its status is read again after a restart; when it succeeds, the fine-tuned model is
added to the user's endpoints with its `base_model`, priced at the catalog's fine-tuned price and run like any
candidate on the same eval items.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from core.problems import Problem
from knowledge.catalog import UnknownModel, get_card, load_catalog
from knowledge.lifecycle import fine_tune_can_start, fine_tune_closes
from tools.candidates.base import openai_api_key
from tools.candidates.registry import configured_entries, from_entry
from tools.data.evalset import EvalSplit
from tools.output.exports import FINE_TUNE_EPOCHS, finetune_jsonl
from tools.run.runner import RunStore

MIN_EXAMPLES = 10  # OpenAI refuses a training file with fewer
TERMINAL = ("succeeded", "failed", "cancelled")


class FineTuneError(Problem):
    """A fine-tune that cannot be estimated or started (`finetune.*` message ids)."""


@dataclass(frozen=True)
class Estimate:
    """What a fine-tune will train on and cost, shown before the user's yes."""

    model: str  # the catalog id of the base model
    endpoint: str | None  # the configured endpoint's id (None: OpenAI with OPENAI_API_KEY)
    endpoint_model: str  # the model name the endpoint is asked to fine-tune
    rows: int
    tokens: int
    epochs: int
    usd: float
    usd_per_1m: float
    source: str | None
    as_of: str | None

    def to_dict(self) -> dict:
        return asdict(self)


def tunable_models() -> list[str]:
    """Catalog models whose cards say they can be fine-tuned today."""
    return [card.id for card in load_catalog().all() if fine_tune_can_start(card)]


def estimate(model: str, split: EvalSplit, labels: list[str], entries: list[dict] | None = None) -> Estimate:
    """The training set and cost of fine-tuning `model` on this split's train pool."""
    entries = configured_entries() if entries is None else entries
    try:
        card = get_card(model)
    except UnknownModel:
        raise FineTuneError("finetune.not_tunable", model=model, tunable=", ".join(tunable_models())) from None
    tuning = card.fine_tuning or {}
    if not tuning.get("available") or tuning.get("training_usd_per_1m") is None:
        raise FineTuneError("finetune.not_tunable", model=model, tunable=", ".join(tunable_models()))
    if card.is_deprecated():
        raise FineTuneError("finetune.deprecated", model=card.id, date=card.deprecation_date)
    if not fine_tune_can_start(card):
        raise FineTuneError("finetune.closed", model=card.id, date=fine_tune_closes(card),
                            source=tuning.get("new_jobs_source") or "—", tunable=", ".join(tunable_models()))
    entry = _endpoint_for(card.id, card.aliases, entries)
    if entry is None and not openai_api_key():
        raise FineTuneError("finetune.no_endpoint", model=card.id)
    rows = len(split.train_pool)
    if rows < MIN_EXAMPLES:
        raise FineTuneError("finetune.too_few", rows=rows, needed=MIN_EXAMPLES)
    _jsonl, tokens = finetune_jsonl(split, labels)
    price = float(tuning["training_usd_per_1m"])
    return Estimate(model=card.id, endpoint=entry["id"] if entry else None,
                    endpoint_model=entry["model"] if entry else card.id, rows=rows, tokens=tokens,
                    epochs=FINE_TUNE_EPOCHS, usd=round(tokens * FINE_TUNE_EPOCHS * price / 1e6, 4), usd_per_1m=price,
                    source=tuning.get("source"), as_of=tuning.get("as_of"))


def _endpoint_for(model: str, aliases: tuple[str, ...], entries: list[dict]) -> dict | None:
    names = {model, *aliases}
    return next((e for e in entries if e["id"] in names or e["model"] in names), None)


def _client(endpoint: str | None, entries: list[dict]):
    import openai

    if endpoint is None:
        return openai.OpenAI(api_key=openai_api_key(), max_retries=2, timeout=60)
    entry = next((e for e in entries if e["id"] == endpoint), None)
    if entry is None:
        raise FineTuneError("finetune.endpoint_gone", endpoint=endpoint)
    candidate = from_entry(entry)
    return openai.OpenAI(base_url=candidate.base_url, api_key=candidate.api_key or "not-needed", max_retries=2,
                         timeout=60)


def launch(plan: Estimate, split: EvalSplit, labels: list[str], store: RunStore, *, thread_id: str | None = None,
           user: str | None = None, entries: list[dict] | None = None) -> dict:
    """Upload the train pool and create the job (this spends: call it only after the user's yes)."""
    import openai

    entries = configured_entries() if entries is None else entries
    jsonl, _tokens = finetune_jsonl(split, labels)
    client = _client(plan.endpoint, entries)
    try:
        uploaded = client.files.create(file=("modelpick-train.jsonl", jsonl.encode()), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(training_file=uploaded.id, model=plan.endpoint_model,
                                             hyperparameters={"n_epochs": plan.epochs}, suffix="modelpick")
    except openai.APIError as error:
        raise FineTuneError("finetune.endpoint_error", cause=_cause(error)) from None
    record = {"job_id": job.id, "thread_id": thread_id, "user": user, "status": job.status,
              "estimate": plan.to_dict(), "training_file": uploaded.id, "fine_tuned_model": None, "error": None,
              "created": time.time(), "events": []}
    store.save_job(record)
    return record


def refresh(record: dict, store: RunStore, entries: list[dict] | None = None) -> dict:
    """The job's status now (read from the endpoint; a finished job is not asked again). A success adds the
    fine-tuned model to the user's endpoints, so it can be measured like any candidate."""
    import openai

    if record["status"] in TERMINAL:
        return record
    entries = configured_entries() if entries is None else entries
    plan = record["estimate"]
    client = _client(plan["endpoint"], entries)
    try:
        job = client.fine_tuning.jobs.retrieve(record["job_id"])
        events = client.fine_tuning.jobs.list_events(record["job_id"], limit=5)
    except openai.APIError as error:
        return {**record, "last_error": _cause(error)}  # unknown now; the job itself may be fine: ask again later
    error_message = getattr(job.error, "message", None) if job.error else None
    updated = {**record, "status": job.status, "fine_tuned_model": job.fine_tuned_model, "error": error_message,
               "events": [event.message for event in events.data][::-1], "last_error": None}
    if job.status == "succeeded" and job.fine_tuned_model and not record.get("fine_tuned_model"):
        updated["candidate"] = _join_candidates(job.fine_tuned_model, plan, entries, record.get("user"))
    store.save_job(updated)
    return updated


def _join_candidates(model: str, plan: dict[str, Any], entries: list[dict], user: str | None) -> str:
    """The fine-tuned model as an endpoint of the user's (same URL and key as its base; priced as a fine-tune)."""
    from tools.candidates.endpoints import save_endpoint, stored_key

    base = next((e for e in entries if e["id"] == plan["endpoint"]), None) if plan["endpoint"] else None
    entry: dict[str, Any] = {"id": model, "model": model, "base_model": plan["model"]}
    key = None
    if base is not None:
        entry.update({k: base[k] for k in ("base_url", "api_key_env", "max_concurrency", "timeout_s") if base.get(k)})
        key = stored_key(base["id"], user) if base.get("key_ref") else None
    elif openai_api_key():
        key = openai_api_key()
    save_endpoint(entry, key, user)
    return model


def open_jobs(store: RunStore, thread_id: str) -> list[dict]:
    return [job for job in store.jobs(thread_id=thread_id) if job["status"] not in TERMINAL]


def _cause(error: Exception) -> str:
    message = getattr(error, "message", None) or str(error)
    status = getattr(error, "status_code", None)
    return f"HTTP {status}: {message}" if status else message
