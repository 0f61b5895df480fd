"""The settings panel's endpoint fields: a model endpoint configured right where a suggestion says "add X".

The panel sends base URL, model, key and prices; this checks the endpoint (it answers and serves the model),
keeps it (`tools.candidates.endpoints`: the key in its own 0600 file, never shown again) and says, in the user's language,
what happened and what to say next. A bad URL, a refused key or an unknown model is one sentence, and nothing
is kept.
"""

from __future__ import annotations

from tools.candidates.base import CandidateError
from tools.candidates.chat import ChatCandidate
from tools.candidates.endpoints import endpoint_id, save_endpoint
from words.catalog import render, say

FIELDS = ("endpoint_url", "endpoint_model", "endpoint_key", "endpoint_input_usd_per_1m", "endpoint_output_usd_per_1m")


def _price(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


async def configure_endpoint(values: dict, lang: str) -> str | None:
    """The reply to the panel's endpoint fields, or None when they are empty (the panel changed something else)."""
    url = (values.get("endpoint_url") or "").strip()
    model = (values.get("endpoint_model") or "").strip()
    if not url and not model:
        return None
    if not url or not model:
        return say("endpoint.incomplete", lang)
    key = (values.get("endpoint_key") or "").strip() or None
    endpoint = endpoint_id(model)
    entry = {"id": endpoint, "base_url": url, "model": model,
             "input_usd_per_1m": _price(values.get("endpoint_input_usd_per_1m")),
             "output_usd_per_1m": _price(values.get("endpoint_output_usd_per_1m"))}
    try:
        await ChatCandidate(endpoint, model=model, base_url=url, api_key=key, timeout_s=15).check()
    except CandidateError as error:
        return say("endpoint.refused", lang, cause=render(error, lang))
    stored = save_endpoint(entry, key)
    priced = stored.get("input_usd_per_1m") is not None
    return say("endpoint.added" if priced else "endpoint.added_unpriced", lang, id=stored["id"], url=url)
