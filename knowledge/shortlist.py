"""From a brief to 3–6 candidates: hard constraints first, then rank — each with the reason it is in or out.

Also the cost forecast: tokens per item (counted by `tools/planning/forecast.py` from the prompts the run will send) ×
catalog prices, for the eval run and for production at the brief's volume — before any call is made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from core.problems import reason
from core.shapes import ForecastRow, Reason, TokenEstimate
from knowledge.catalog import Catalog, ModelCard, load_catalog

DAYS_PER_MONTH = 30


def cost_per_1k(card: ModelCard, tokens: TokenEstimate) -> float | None:
    per_item = card.cost_usd(tokens.input_tokens, tokens.output_tokens)
    return None if per_item is None else per_item * 1000


def forecast(card: ModelCard, tokens: TokenEstimate, *, eval_items: int, volume_per_day: float | None,
             ) -> ForecastRow:
    """The eval's cost and production $ per month for one candidate and technique, from list prices."""
    per_1k = cost_per_1k(card, tokens)
    shots = tokens.shots
    return {"model_id": card.id, "shots": shots, "cost_per_1k_usd": per_1k,
            "eval_cost_usd": None if per_1k is None else per_1k * eval_items / 1000,
            "monthly_usd": None if per_1k is None or volume_per_day is None
            else per_1k * volume_per_day / 1000 * DAYS_PER_MONTH,
            "price_source": card.price_source or card.source, "as_of": card.as_of}


def forecast_at(model_id: str, usd_per_token: tuple[float, float] | None, tokens: TokenEstimate, *,
                eval_items: int, volume_per_day: float | None, source: str | None, as_of: str | None) -> ForecastRow:
    """The same forecast at a price that is not a catalog card's: an endpoint's own (the user's settings or
    candidates file), cited by `source`; None prices when it has none."""
    per_1k = None if usd_per_token is None else (
        tokens.input_tokens * usd_per_token[0] + tokens.output_tokens * usd_per_token[1]) * 1000
    return {"model_id": model_id, "shots": tokens.shots, "cost_per_1k_usd": per_1k,
            "eval_cost_usd": None if per_1k is None else per_1k * eval_items / 1000,
            "monthly_usd": None if per_1k is None or volume_per_day is None
            else per_1k * volume_per_day / 1000 * DAYS_PER_MONTH,
            "price_source": source, "as_of": as_of}


# ---------------------------------------------------------------- shortlist


@dataclass
class Pick:
    card: ModelCard
    reason: Reason
    cost_per_1k_usd: float | None = None


@dataclass
class Shortlist:
    candidates: list[Pick] = field(default_factory=list)
    excluded: list[tuple[str, Reason]] = field(default_factory=list)  # (model id, reason) for notable models
    remaining_after: list[tuple[str, int]] = field(default_factory=list)  # (constraint, models left)
    emptied_by: str | None = None

    def ids(self) -> list[str]:
        return [p.card.id for p in self.candidates]


def _needs_self_hosting(constraints: list[str]) -> str | None:
    for c in constraints:
        if c in ("on-prem", "open weights") or c.startswith("data residency") or c == "no third-party APIs":
            return c
    return None


def shortlist(brief: dict, profile: dict | None, tokens: TokenEstimate, *, today: date | None = None, k: int = 6,
              include_local: bool = True) -> Shortlist:
    """Hard constraints in order (each recorded with how many models it leaves), then a diverse ranking."""
    catalog = load_catalog()
    result = Shortlist()
    longest = int((profile or {}).get("text_tokens", {}).get("max") or 0)
    need_context = int(tokens.input_tokens - tokens.item_tokens + longest)
    pool = _constrained([c for c in catalog.all() if c.provider != "local"], brief, tokens, need_context,
                        today or date.today(), result)
    if include_local:
        _add_local(catalog, need_context, result)
    ranked = sorted(pool, key=lambda c: cost_per_1k(c, tokens) or 0)
    for card in _diverse(ranked, max(1, k - len(result.candidates))):
        per_1k = cost_per_1k(card, tokens)
        cited = {"cost": per_1k or 0.0, "source": card.price_source or card.source, "as_of": card.as_of}
        why = (reason("shortlist.strongest", **cited) if card is ranked[-1] else
               reason("shortlist.cheapest_in_family", family=card.family, **cited))
        result.candidates.append(Pick(card, why, per_1k))
    result.excluded = _notable(result.excluded)
    result.candidates.sort(key=lambda p: p.card.provider != "local")
    return result


def _constrained(pool: list[ModelCard], brief: dict, tokens: TokenEstimate, need_context: int, today: date,
                 result: Shortlist) -> list[ModelCard]:
    """The models left after each hard constraint, in order; who each one excluded, and why, goes to `result`."""
    constraints = list(brief.get("constraints") or [])
    ceiling = brief.get("max_cost_per_1k_usd")
    hosting = _needs_self_hosting(constraints)
    steps: list[tuple[str, Callable[[ModelCard], bool], Callable[[ModelCard], Reason]]] = [
        ("deprecated", lambda c: not c.is_deprecated(today),
         lambda c: reason("shortlist.deprecated", date=str(c.deprecation_date), source=c.price_source or c.source)),
        ("price known", lambda c: c.input_usd_per_1m is not None and c.output_usd_per_1m is not None,
         lambda c: reason("shortlist.no_price"))]
    if hosting:
        steps.append((hosting, lambda c: c.open_weights is True, lambda c: reason("shortlist.not_open",
                                                                               constraint=hosting)))
    if need_context > 0:
        steps.append((f"context ≥ {need_context:,} tokens", lambda c: (c.context_window or 0) >= need_context,
                      lambda c: reason("shortlist.context", window=c.context_window or "?", needed=need_context)))
    if "structured output" in constraints or brief.get("task_type") == "extraction":
        steps.append(("structured output", lambda c: c.structured_output is True,
                      lambda c: reason("shortlist.no_structured")))
    if ceiling is not None:
        steps.append((f"≤ ${ceiling:g} per 1k items", lambda c: (cost_per_1k(c, tokens) or 0) <= ceiling,
                      lambda c: reason("shortlist.over_ceiling", cost=cost_per_1k(c, tokens) or 0.0, ceiling=ceiling)))
    for name, keep, why in steps:
        result.excluded += [(c.id, why(c)) for c in pool if not keep(c)]
        pool = [c for c in pool if keep(c)]
        result.remaining_after.append((name, len(pool)))
        if not pool and result.emptied_by is None:
            result.emptied_by = name
    return pool


def _add_local(catalog: Catalog, need_context: int, result: Shortlist) -> None:
    """The offline candidates, unless the longest item does not fit their context."""
    for card in sorted((c for c in catalog.all() if c.provider == "local"), key=lambda c: c.family != "classical"):
        if card.context_window and card.context_window < need_context:
            result.excluded.insert(0, (card.id, reason("shortlist.local_context", window=card.context_window,
                                                       needed=need_context)))
            continue
        why = reason("shortlist.baseline" if card.family == "classical" else "shortlist.local_llm")
        result.candidates.append(Pick(card, why, 0.0))


def _diverse(ranked: list[ModelCard], count: int) -> list[ModelCard]:
    """The highest-priced model (the accuracy-first reference the method starts from), then the cheapest of each
    other family."""
    chosen = ranked[-1:]
    families = {c.family for c in chosen}
    for card in ranked:
        if len(chosen) >= count:
            break
        if card not in chosen and card.family not in families:
            chosen.append(card)
            families.add(card.family)
    return chosen


def _notable(excluded: list[tuple[str, Reason]], limit: int = 8) -> list[tuple[str, Reason]]:
    """Keep exclusions users ask about: the well-known families first, one line per model."""
    famous = ("smollm2-135m", "tfidf-logreg", "gpt-4o", "gpt-4o-mini", "gpt-4.1-mini", "claude-sonnet-4-6", "claude-haiku-4-5", "gemini-2.5-flash",
              "deepseek-chat", "llama-3.3-70b", "qwen-plus", "mistral-small")
    ordered = sorted(excluded, key=lambda e: (e[0] not in famous, famous.index(e[0]) if e[0] in famous else 0))
    return ordered[:limit]
