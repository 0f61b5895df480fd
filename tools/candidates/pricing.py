"""What a candidate pays per token, and where that price comes from: the one home of prices for the plan,
the run, the silver labels and the results (the catalog's card, or the user's own endpoint price).
"""

from __future__ import annotations

from typing import NamedTuple

from core.shapes import ENDPOINT_PRICE
from knowledge.catalog import NoPrice, UnknownModel, load_catalog
from tools.candidates.base import BASELINE_ID
from tools.candidates.registry import entry_price_model
from tools.training import distil as distil_module


def token_price(price_model: str | None, override: tuple[float | None, float | None] | None,
                ) -> tuple[float, float] | None:
    """USD per (input, output) token: an override in USD per 1M (the candidates file), else the catalog's."""
    if override and override[0] is not None:
        return override[0] / 1e6, (override[1] or 0.0) / 1e6
    try:
        return load_catalog().price_per_token(price_model) if price_model else None
    except (UnknownModel, NoPrice):
        return None

def candidate_price(candidate) -> tuple[float, float] | None:
    """The price of a built candidate (the runner's budget and cost)."""
    return token_price(candidate.price_model, getattr(candidate, "price_override", None))

class PriceQuote(NamedTuple):
    """What a candidate named in a run's config pays per (input, output) token, and where that price comes from:
    the plan's forecast cites the same price the run's cost is computed with."""

    per_token: tuple[float, float] | None
    source: str | None  # a catalog card's source, or ENDPOINT_PRICE + id for a price in the endpoint's settings
    as_of: str | None  # the catalog card's date; None for the user's own price

def price_quote(candidate_id: str, entries: list[dict]) -> PriceQuote:
    """The price of a candidate named in a run's config, without building it: an endpoint's own price (its
    settings or the candidates file), else its model's catalog card (a fine-tune: its base's fine-tuned price)."""
    if distil_module.teacher_of(candidate_id):  # a local classifier: the trained baseline's price ($0)
        return _catalog_quote(BASELINE_ID)
    entry = next((e for e in entries if e["id"] == candidate_id), None)
    if entry is None:
        return _catalog_quote(candidate_id)
    if entry.get("input_usd_per_1m") is not None:
        own = token_price(None, (entry["input_usd_per_1m"], entry.get("output_usd_per_1m")))
        return PriceQuote(own, ENDPOINT_PRICE + candidate_id, None)
    return _catalog_quote(entry_price_model(entry))

def _catalog_quote(name: str) -> PriceQuote:
    per_token = token_price(name, None)
    if per_token is None:
        return PriceQuote(None, None, None)
    card = load_catalog().resolve(name)
    return PriceQuote(per_token, card.price_source or card.source, card.as_of)

def entry_price(candidate_id: str, entries: list[dict]) -> tuple[float, float] | None:
    """USD per (input, output) token of a candidate named in a run's config (see `price_quote`)."""
    return price_quote(candidate_id, entries).per_token
