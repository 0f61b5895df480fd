"""From a brief to 3–6 candidates: hard constraints first, then rank — each with the reason it is in or out.

Also the cost forecast: tokens per item estimated from the user's data (tiktoken, offline) × catalog prices,
for the eval run and for production at the brief's volume — before any call is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.tokens import count_tokens
from knowledge.catalog import ModelCard, load_catalog

LOCAL_CANDIDATES = ("tfidf-logreg", "smollm2-135m")
INSTRUCTION = ("Classify the text into exactly one of these labels: {labels}. "
               "Answer with the label only.\n\nText: ")
EXAMPLE = "Text: {text}\nLabel: {label}\n\n"
DAYS_PER_MONTH = 30


@dataclass
class TokenEstimate:
    """Tokens per item for one technique, estimated before any call from the data profile."""

    input_tokens: float
    output_tokens: float
    shots: int = 0


def estimate_tokens(profile: dict | None, labels: list[str], shots: int = 0) -> TokenEstimate:
    """Instruction + label list + the item (+ k examples of average length) in; the longest label out."""
    mean_item = float((profile or {}).get("text_tokens", {}).get("mean") or 50)
    instruction = count_tokens(INSTRUCTION.format(labels=", ".join(labels) or "label"))
    label_tokens = max((count_tokens(label) for label in labels), default=2)
    example = count_tokens(EXAMPLE.format(text="", label="")) + mean_item + label_tokens
    return TokenEstimate(input_tokens=instruction + mean_item + shots * example + 8,  # chat formatting
                         output_tokens=label_tokens + 1, shots=shots)


def cost_per_1k(card: ModelCard, tokens: TokenEstimate) -> float | None:
    per_item = card.cost_usd(tokens.input_tokens, tokens.output_tokens)
    return None if per_item is None else per_item * 1000


@dataclass
class Forecast:
    model_id: str
    shots: int
    cost_per_1k_usd: float | None
    eval_cost_usd: float | None
    monthly_usd: float | None
    price_source: str | None
    as_of: str | None


def forecast(card: ModelCard, profile: dict | None, labels: list[str], *, shots: int, eval_items: int,
             volume_per_day: float | None) -> Forecast:
    """The eval's cost and production $ per month for one candidate and technique, from list prices."""
    per_1k = cost_per_1k(card, estimate_tokens(profile, labels, shots))
    return Forecast(
        model_id=card.id, shots=shots, cost_per_1k_usd=per_1k,
        eval_cost_usd=None if per_1k is None else per_1k * eval_items / 1000,
        monthly_usd=None if per_1k is None or volume_per_day is None else per_1k * volume_per_day / 1000 * DAYS_PER_MONTH,
        price_source=card.price_source or card.source, as_of=card.as_of,
    )


# ---------------------------------------------------------------- shortlist


@dataclass
class Pick:
    card: ModelCard
    reason: str
    cost_per_1k_usd: float | None = None


@dataclass
class Shortlist:
    candidates: list[Pick] = field(default_factory=list)
    excluded: list[tuple[str, str]] = field(default_factory=list)  # (model id, reason) for notable models
    remaining_after: list[tuple[str, int]] = field(default_factory=list)  # (constraint, models left)
    emptied_by: str | None = None

    def ids(self) -> list[str]:
        return [p.card.id for p in self.candidates]


def _needs_self_hosting(constraints: list[str]) -> str | None:
    for c in constraints:
        if c in ("on-prem", "open weights") or c.startswith("data residency") or c == "no third-party APIs":
            return c
    return None


def shortlist(brief: dict, profile: dict | None = None, *, today: date | None = None, k: int = 6,
              shots: int = 0, include_local: bool = True) -> Shortlist:
    """Hard constraints in order (each recorded with how many models it leaves), then a diverse ranking."""
    today = today or date.today()
    catalog = load_catalog()
    labels = brief.get("labels") or []
    tokens = estimate_tokens(profile, labels, shots)
    result = Shortlist()
    pool = [c for c in catalog.all() if c.id not in LOCAL_CANDIDATES]
    longest = int((profile or {}).get("text_tokens", {}).get("max") or 0)
    need_context = int(tokens.input_tokens - (profile or {}).get("text_tokens", {}).get("mean", 0) + longest)
    constraints = list(brief.get("constraints") or [])
    structured = "structured output" in constraints or brief.get("task_type") == "extraction"
    ceiling = brief.get("max_cost_per_1k_usd")

    def apply(name: str, keep, why) -> None:
        nonlocal pool
        kept = []
        for card in pool:
            if keep(card):
                kept.append(card)
            else:
                result.excluded.append((card.id, why(card)))
        pool = kept
        result.remaining_after.append((name, len(pool)))
        if not pool and result.emptied_by is None:
            result.emptied_by = name

    apply("deprecated", lambda c: not c.is_deprecated(today),
          lambda c: f"deprecated on {c.deprecation_date} (source {c.price_source or c.source})")
    apply("price known", lambda c: c.input_usd_per_1m is not None and c.output_usd_per_1m is not None,
          lambda c: "no price in the catalog, so its cost cannot be forecast")
    hosting = _needs_self_hosting(constraints)
    if hosting:
        apply(hosting, lambda c: c.open_weights is True,
              lambda c: f"not open weights, so it cannot be self-hosted ('{hosting}')")
    if need_context > 0:
        apply(f"context ≥ {need_context:,} tokens", lambda c: (c.context_window or 0) >= need_context,
              lambda c: f"context window {c.context_window or 'unknown'} < {need_context:,} tokens needed")
    if structured:
        apply("structured output", lambda c: c.structured_output is True,
              lambda c: "no structured-output support in the catalog")
    if ceiling is not None:
        apply(f"≤ ${ceiling:g} per 1k items", lambda c: (cost_per_1k(c, tokens) or 0) <= ceiling,
              lambda c: f"forecast ${cost_per_1k(c, tokens):.3g} per 1k items exceeds your ${ceiling:g} ceiling")

    if include_local:
        for local_id in LOCAL_CANDIDATES:
            card = catalog.resolve(local_id)
            if card.context_window and card.context_window < need_context:
                result.excluded.insert(0, (card.id, f"context window {card.context_window:,} < {need_context:,} "
                                                    "tokens needed by your longest item"))
                continue
            reason = ("runs offline on this machine at $0; the classical baseline every LLM must beat"
                      if local_id == "tfidf-logreg" else
                      "runs offline on this machine at $0 via llama.cpp; weak zero-shot, a test of few-shot")
            result.candidates.append(Pick(card, reason, 0.0))
    ranked = sorted(pool, key=lambda c: cost_per_1k(c, tokens) or 0)
    chosen: list[ModelCard] = []
    if ranked:
        strongest = ranked[-1]  # highest list price: the accuracy-first reference the method starts from
        chosen.append(strongest)
    families: set[str | None] = {c.family for c in chosen}
    for card in ranked:
        if len(chosen) >= max(1, k - len(result.candidates)):
            break
        if card in chosen or card.family in families:
            continue
        chosen.append(card)
        families.add(card.family)
    for card in chosen:
        per_1k = cost_per_1k(card, tokens)
        if card is ranked[-1]:
            reason = (f"highest-priced eligible model (${per_1k:.3g} per 1k forecast): the accuracy-first "
                      "reference — can the target be reached at all?")
        else:
            reason = f"forecast ${per_1k:.3g} per 1k items, cheapest eligible in the {card.family} family"
        result.candidates.append(Pick(card, reason + f" [{card.price_source or card.source}, {card.as_of}]",
                                      per_1k))
    result.excluded = _notable(result.excluded)
    result.candidates.sort(key=lambda p: p.card.provider != "local")
    return result


def _notable(excluded: list[tuple[str, str]], limit: int = 8) -> list[tuple[str, str]]:
    """Keep exclusions users ask about: the well-known families first, one line per model."""
    famous = ("smollm2-135m", "tfidf-logreg", "gpt-4o", "gpt-4o-mini", "gpt-4.1-mini", "claude-sonnet-4-6", "claude-haiku-4-5", "gemini-2.5-flash",
              "deepseek-chat", "llama-3.3-70b", "qwen-plus", "mistral-small")
    ordered = sorted(excluded, key=lambda e: (e[0] not in famous, famous.index(e[0]) if e[0] in famous else 0))
    return ordered[:limit]
