"""knowledge/shortlist.py: each hard constraint excludes what it should, with reasons; the cost forecast."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.catalog import get_card, load_catalog
from knowledge.shortlist import forecast, shortlist
from tests.conftest import DATASETS
from tools.data.evalset import load_items, split
from tools.data.tables import read_dataset
from tools.planning.forecast import prompt_tokens
from words.catalog import render

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def sms() -> dict:
    return read_dataset(DATASETS / "sms_spam.csv")


@pytest.fixture(scope="module")
def sms_split():
    items, *_ = load_items(str(DATASETS / "sms_spam.csv"))
    return split(items, eval_size=100, seed=0)


def _tokens(sms_split, shots: int = 0):
    return prompt_tokens(sms_split, ["ham", "spam"], shots)


def _brief(**extra) -> dict:
    return {"labels": ["ham", "spam"], "task_type": "classification", "constraints": [], **extra}


def test_offline_candidates_are_always_in(sms, sms_split) -> None:
    result = shortlist(_brief(), sms, _tokens(sms_split), today=TODAY)
    assert result.ids()[:2] == ["tfidf-logreg", "smollm2-135m"]
    assert 3 <= len(result.candidates) <= 6
    assert all(p.reason for p in result.candidates)


def test_open_weights_constraint_excludes_closed_models(sms, sms_split) -> None:
    result = shortlist(_brief(constraints=["on-prem"]), sms, _tokens(sms_split), today=TODAY)
    assert all(get_card(i).open_weights for i in result.ids())
    reasons = dict(result.excluded)
    assert any("not open weights" in render(r, "en") for r in reasons.values())


def test_deprecated_models_are_out_with_their_date(sms, sms_split) -> None:
    result = shortlist(_brief(), sms, _tokens(sms_split), today=TODAY)
    assert "deepseek-chat" not in result.ids()
    assert render(dict(result.excluded)["deepseek-chat"], "en").startswith("deprecated on 2026-07-24")


def test_cost_ceiling_excludes_models_whose_forecast_exceeds_it(sms, sms_split) -> None:
    ceiling = 0.05
    result = shortlist(_brief(max_cost_per_1k_usd=ceiling), sms, _tokens(sms_split), today=TODAY)
    tokens = _tokens(sms_split)
    for pick in result.candidates:
        assert (pick.card.cost_usd(tokens.input_tokens, tokens.output_tokens) or 0) * 1000 <= ceiling
    assert "exceeds your $0.05 ceiling" in render(dict(result.excluded)["gpt-4o"], "en")


def test_context_needed_by_the_longest_item_excludes_short_context_models(sms_split) -> None:
    profile = {"text_tokens": {"mean": 1000, "max": 100_000}}
    result = shortlist(_brief(), profile, _tokens(sms_split), today=TODAY)
    for pick in result.candidates:
        assert pick.card.context_window is None or pick.card.context_window >= 100_000
    assert "smollm2-135m" in dict(result.excluded)
    short = [c.id for c in load_catalog().all() if c.context_window and c.context_window < 100_000]
    assert short and not set(short) & set(result.ids())


def test_structured_output_needed_for_extraction(sms, sms_split) -> None:
    result = shortlist(_brief(task_type="extraction"), sms, _tokens(sms_split), today=TODAY)
    assert all(p.card.structured_output for p in result.candidates[2:])


def test_an_impossible_ceiling_says_which_constraint_emptied_the_list(sms, sms_split) -> None:
    result = shortlist(_brief(constraints=["on-prem"], max_cost_per_1k_usd=1e-7), sms, _tokens(sms_split), today=TODAY)
    assert result.emptied_by == "≤ $1e-07 per 1k items"
    assert result.ids() == ["tfidf-logreg", "smollm2-135m"]


def test_forecast_is_tokens_times_catalog_price(sms, sms_split) -> None:
    card = get_card("gpt-4o")
    tokens = _tokens(sms_split, 3)
    result = forecast(card, tokens, eval_items=300, volume_per_day=10_000)
    per_item = (tokens.input_tokens * card.input_usd_per_1m + tokens.output_tokens * card.output_usd_per_1m) / 1e6
    assert result["cost_per_1k_usd"] == pytest.approx(per_item * 1000)
    assert result["eval_cost_usd"] == pytest.approx(per_item * 300)
    assert result["monthly_usd"] == pytest.approx(per_item * 10_000 * 30)
    assert result["price_source"] and result["as_of"]


def test_few_shot_costs_more_than_zero_shot(sms, sms_split) -> None:
    zero, three = _tokens(sms_split), _tokens(sms_split, 3)
    assert three.input_tokens > 2 * zero.input_tokens and three.output_tokens == zero.output_tokens
