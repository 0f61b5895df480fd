"""When a model stops answering, and whether a fine-tune of it can still be started — with source and date.

A pick that shuts down in a few weeks is not a pick: the plan, the recommendation and the fine-tune estimate say
so (issue 33). The dates are the provider's: the price table's `deprecation_date` (the day the model stops
answering), or a curated card's `lifecycle` where the table is silent; the successor is the one the provider
names (`lifecycle.successor`). A fine-tune (`ft:<base>:…`) shuts down with its base and inherits its successor.
Whether a fine-tuning job can start today is the card's `fine_tuning.new_jobs_until`, when the provider set one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from knowledge.catalog import ModelCard, UnknownModel, get_card

SOON_DAYS = 183  # "within 6 months": the window in which a pick's retirement is said with it


@dataclass(frozen=True)
class Retirement:
    """One model's announced shutdown: the day, how far away it is, the provider's successor, the source."""

    model: str
    shutdown: str  # ISO date
    days: int  # from today; negative when it has passed
    successor: str | None
    source: str | None
    as_of: str | None


def _card(model: str) -> ModelCard | None:
    try:
        return get_card(model)
    except UnknownModel:
        return None


def _base_card(model: str) -> ModelCard | None:
    """The base of a fine-tune (`ft:gpt-4o-mini-2024-07-18:org::id` → GPT-4o mini), else None."""
    if not model.startswith("ft:"):
        return None
    name = model[3:].split(":", 1)[0]
    undated = re.sub(r"-\d{4}-\d{2}-\d{2}$", "", name)  # a dated snapshot: its curated card names it undated
    return next((c for c in (_card(undated), _card(name)) if c is not None and c.curated), None) or _card(name)


def retirement(model: str, today: date | None = None) -> Retirement | None:
    """The model's announced shutdown, or None when its provider announced none (or the catalog lacks it)."""
    card = _card(model)
    base = _base_card(model)
    cards = [c for c in (card, base) if c is not None]
    life = next((c.lifecycle for c in cards if c.lifecycle), None) or {}
    shutdown = next((c.deprecation_date for c in cards if c.deprecation_date), None) or life.get("shutdown")
    if not shutdown:
        return None
    try:
        when = date.fromisoformat(str(shutdown))
    except ValueError:
        return None
    source = life.get("source") or next((c.price_source or c.source for c in cards), None)
    return Retirement(model=model, shutdown=when.isoformat(), days=(when - (today or date.today())).days,
                      successor=life.get("successor"), source=source,
                      as_of=life.get("as_of") or next((c.as_of for c in cards if c.as_of), None))


def retiring_soon(model: str, today: date | None = None, within_days: int = SOON_DAYS) -> Retirement | None:
    """The retirement when it falls within `within_days` (6 months) — what a plan or a pick must say."""
    found = retirement(model, today)
    return found if found is not None and found.days <= within_days else None


def fine_tune_closes(card: ModelCard) -> str | None:
    """The last day the provider accepts new fine-tuning jobs for this model, when it announced one."""
    until = (card.fine_tuning or {}).get("new_jobs_until")
    return str(until) if until else None


def fine_tune_can_start(card: ModelCard, today: date | None = None) -> bool:
    """Can a fine-tuning job of this model start today: tunable, not shut down, its provider still takes jobs."""
    tuning = card.fine_tuning or {}
    if not tuning.get("available") or card.is_deprecated(today):
        return False
    closes = fine_tune_closes(card)
    return closes is None or (today or date.today()) <= date.fromisoformat(closes)
