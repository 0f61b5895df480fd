"""The method's next move, with numbers: when a row reaches the accuracy but misses on cost or latency, name the
smaller model to fine-tune (one whose provider takes jobs today), what training costs, what it would cost per
1,000 items once tuned, and the distillation alternative — the guide's point ("few-shot reaches the accuracy:
fine-tune the smaller model on the labels you already have"), said as a step the user can take by its words.

Prices are the catalog's (the fine-tuned price of the price table, the card's training price with its source
and date); token counts are the ones measured in this run (zero-shot prompts: a fine-tune needs no examples).
"""

from __future__ import annotations

from datetime import date

from core.problems import reason
from core.shapes import Reason, ResultRow
from knowledge.catalog import NoPrice, UnknownModel, load_catalog
from knowledge.lifecycle import fine_tune_can_start
from tools.candidates.registry import can_run, configured_entries
from tools.output.exports import FINE_TUNE_EPOCHS


def _verdict(row: ResultRow, what: str) -> str | None:
    verdicts: dict[str, str] = dict(row.get("verdicts") or {})  # type: ignore[arg-type]
    return verdicts.get(what)


def _short(row: ResultRow) -> list[str]:
    return [what for what in ("cost", "latency") if _verdict(row, what) == "missed"]


def _zero_shot_tokens(results: list[ResultRow], fallback: ResultRow) -> tuple[float, float]:
    """Tokens per item of a zero-shot prompt, as measured (the smallest zero-shot row; else the row itself)."""
    zero = [r for r in results if not r.get("shots") and r.get("technique") == "zero-shot"
            and r.get("input_tokens_per_item")]
    row = min(zero, key=lambda r: r["input_tokens_per_item"]) if zero else fallback
    return float(row.get("input_tokens_per_item") or 0.0), float(row.get("output_tokens_per_item") or 0.0)


def method_moves(results: list[ResultRow], *, train_rows: int, today: date | None = None) -> list[Reason]:
    """Fine-tune and distil, named and priced, when accuracy is reached but cost or latency is not."""
    accurate = [r for r in results if _verdict(r, "accuracy") in ("met", "marginal") and _short(r)
                and r.get("cost_per_1k_usd") is not None]
    if not accurate or train_rows <= 0:
        return []
    reached = min(accurate, key=lambda r: r["cost_per_1k_usd"] or 0.0)
    tokens_in, tokens_out = _zero_shot_tokens(results, reached)
    catalog = load_catalog()
    offers = []
    for card in catalog.all():
        tuning = card.fine_tuning or {}
        if not fine_tune_can_start(card, today) or tuning.get("training_usd_per_1m") is None:
            continue
        key = catalog.fine_tuned_key(card.id)
        try:
            per_in, per_out = catalog.price_per_token(key) if key else (None, None)
        except (NoPrice, UnknownModel):
            continue
        if per_in is None or per_out is None:
            continue
        tuned = (tokens_in * per_in + tokens_out * per_out) * 1000
        if tuned < (reached["cost_per_1k_usd"] or 0.0):
            offers.append((tuned, card, tuning))
    moves: list[Reason] = []
    if offers:
        entries = configured_entries()  # a model the user can already reach comes first, then the cheapest
        tuned, card, tuning = min(offers, key=lambda o: (not can_run(o[1].id, entries), o[0]))
        training = train_rows * (tokens_in + tokens_out) * FINE_TUNE_EPOCHS * float(tuning["training_usd_per_1m"]) / 1e6
        moves.append(reason("step.fine_tune_named", reached=reached["candidate"], short=reason(f"missed.{_short(reached)[0]}"),
                            model=card.id, rows=train_rows, usd=training, epochs=FINE_TUNE_EPOCHS,
                            per_1m=float(tuning["training_usd_per_1m"]), source=tuning.get("source") or "—",
                            as_of=tuning.get("as_of") or "—", cost=tuned, tokens=tokens_in))
    zero = next((r for r in results if r["candidate"] == reached["candidate"] and not r.get("shots")
                 and r.get("cost_per_1k_usd") is not None), reached)  # the teacher labels with a zero-shot prompt
    teacher_usd = train_rows * (zero["cost_per_1k_usd"] or 0.0) / 1000
    moves.append(reason("step.distil_named", teacher=reached["candidate"], rows=train_rows, usd=teacher_usd))
    return moves
