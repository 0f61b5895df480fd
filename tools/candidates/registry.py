"""Candidates by name: the built-ins, the endpoints a user configured (settings panel or a candidates file)
and OpenAI's models with a key — what can run, what each id resolves to, and its price's catalog name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from core.settings import current
from knowledge.catalog import UnknownModel, get_card, load_catalog
from tools.candidates.base import (
    BASELINE_ID,
    BUILT_IN,
    LOCAL_LLM_ID,
    Candidate,
    CandidateError,
    openai_api_key,
)
from tools.candidates.baseline import BaselineCandidate
from tools.candidates.chat import ChatCandidate
from tools.candidates.endpoints import stored_key, user_entries
from tools.candidates.local import LocalLLM


def load_candidates_file(path: str | Path) -> list[dict]:
    """A YAML list of {id, base_url, api_key_env, model} (+ input_usd_per_1m, output_usd_per_1m,
    max_concurrency); a dict with a `candidates` list is accepted too."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    entries = doc.get("candidates") if isinstance(doc, dict) else doc
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CandidateError("candidate.bad_file", path=str(path))
    for entry in entries:
        missing = [k for k in ("id", "model") if not entry.get(k)]
        if missing:
            raise CandidateError("candidate.entry_lacks", path=str(path), id=entry.get("id", "?"),
                                 missing=", ".join(missing))
    return entries

def from_entry(entry: dict[str, Any]) -> ChatCandidate:
    key_env = entry.get("api_key_env")
    api_key = current().api_key_from(key_env) if key_env else None
    if entry.get("key_ref"):  # configured in the app: the key is in the workspace's key file, never in the entry
        api_key = stored_key(entry["id"])
    if key_env and not api_key:
        raise CandidateError("candidate.key_env_unset", id=entry["id"], variable=key_env)
    return ChatCandidate(entry["id"], model=entry["model"], base_url=entry.get("base_url"), api_key=api_key,
                         max_concurrency=int(entry.get("max_concurrency", 8)),
                         timeout_s=float(entry.get("timeout_s", 30)),
                         input_usd_per_1m=entry.get("input_usd_per_1m"), output_usd_per_1m=entry.get("output_usd_per_1m"),
                         price_model=entry_price_model(entry))

def entry_price_model(entry: dict[str, Any]) -> str:
    """The catalog name whose price a candidates-file entry pays: a fine-tune (`base_model: gpt-4o-mini`, or an
    `ft:` model id) pays the catalog's fine-tuned price of its base, anything else its model's price."""
    base = entry.get("base_model")
    if base:
        key = load_catalog().fine_tuned_key(str(base))
        if key is not None:
            return key
    return entry["model"]

def build_candidates(ids: list[str], file_entries: list[dict] | None = None) -> list[Candidate]:
    """Candidates by id: built-ins, ids from the candidates file, and (with OPENAI_API_KEY) catalog names."""
    entries = {e["id"]: e for e in file_entries or []}
    built: list[Candidate] = []
    for cid in ids:
        if cid == BASELINE_ID:
            built.append(BaselineCandidate())
        elif cid == LOCAL_LLM_ID:
            built.append(LocalLLM())
        elif cid in entries:
            built.append(from_entry(entries[cid]))
        elif openai_api_key() and _openai_model(cid):
            built.append(ChatCandidate(cid, model=cid, api_key=openai_api_key()))
        else:
            known = ", ".join([*BUILT_IN, *entries])
            raise CandidateError("candidate.unknown" if openai_api_key() else "candidate.unknown_needs_key", id=cid,
                                 known=known)
    return built

def _openai_model(name: str) -> bool:
    try:
        return get_card(name).provider == "openai"
    except UnknownModel:
        return False

def configured_entries() -> list[dict]:
    """Endpoints from the candidates file named by MODELPICK_CANDIDATES_FILE, then those configured in the app
    (`tools.candidates.endpoints`; an id in both is the file's)."""
    path = current().candidates_file
    entries = load_candidates_file(path) if path and path.is_file() else []
    ids = {e["id"] for e in entries}
    return entries + [e for e in user_entries() if e["id"] not in ids]

def can_run(model_id: str, entries: list[dict]) -> bool:
    """Can this candidate run here: built-in, a configured endpoint, or an OpenAI model with a key."""
    if model_id in BUILT_IN or model_id in {e["id"] for e in entries}:
        return True
    return bool(openai_api_key()) and _openai_model(model_id)

def resolve_id(model: str, entries: list[dict]) -> str:
    """The id a user's name for a model stands for: a built-in, a configured endpoint, or the catalog's id."""
    if model in BUILT_IN or model in {e["id"] for e in entries}:
        return model
    try:
        return get_card(model).id
    except UnknownModel:
        return model
