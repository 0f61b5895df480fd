"""knowledge/catalog.py: prices equal the table's, aliases resolve, unknown ids get suggestions."""

from __future__ import annotations

import json

import pytest

from knowledge.catalog import UnknownModel, get_card, load_catalog, price_per_token
from tests.conftest import SHARED_DATA
from words.catalog import render


@pytest.fixture(scope="module")
def table() -> dict:
    return json.loads((SHARED_DATA / "prices" / "model_prices_and_context_window.json").read_text())


@pytest.mark.parametrize(("model", "key"), [
    ("gpt-4o", "gpt-4o"), ("gpt-4o-mini", "gpt-4o-mini"), ("claude-haiku-4-5", "claude-haiku-4-5"),
    ("gemini-2.5-flash", "gemini/gemini-2.5-flash"), ("deepseek-v3.2", "deepseek/deepseek-v3.2"),
    ("mistral-small", "mistral/mistral-small-latest"),
])
def test_prices_and_limits_equal_the_tables(table, model, key) -> None:
    card, entry = get_card(model), table[key]
    assert card.input_usd_per_1m == pytest.approx(entry["input_cost_per_token"] * 1e6)
    assert card.output_usd_per_1m == pytest.approx(entry["output_cost_per_token"] * 1e6)
    assert card.context_window == entry["max_input_tokens"]
    assert price_per_token(model) == pytest.approx((entry["input_cost_per_token"], entry["output_cost_per_token"]))
    assert card.source and card.as_of


@pytest.mark.parametrize(("alias", "model"), [
    ("gpt-4o-mini", "gpt-4o-mini"), ("openai/gpt-4o-mini", "gpt-4o-mini"), ("GPT-4o mini", "gpt-4o-mini"),
    ("  Claude Haiku 4.5 ", "claude-haiku-4-5"), ("gemini/gemini-2.5-flash", "gemini-2.5-flash"),
    ("meta-llama/Llama-3.3-70B-Instruct", "llama-3.3-70b"), ("SMOLLM2", "smollm2-135m"),
])
def test_aliases_resolve(alias, model) -> None:
    assert get_card(alias).id == model


def test_any_chat_model_of_the_table_is_reachable_uncurated(table) -> None:
    card = get_card("gpt-3.5-turbo")
    assert not card.curated and card.input_usd_per_1m == pytest.approx(table["gpt-3.5-turbo"]["input_cost_per_token"] * 1e6)


def test_unknown_ids_get_the_closest_suggestions() -> None:
    with pytest.raises(UnknownModel) as caught:
        get_card("gpt-4o-mino")
    assert caught.value.suggestions[0] == "gpt-4o-mini"
    assert "Did you mean" in render(caught.value, "en")


def test_at_least_forty_curated_cards_across_providers() -> None:
    cards = load_catalog().all()
    assert len(cards) >= 40
    providers = {c.provider for c in cards}
    assert {"openai", "anthropic", "google", "meta", "mistral", "deepseek", "qwen", "local"} <= providers
    for card in cards:
        assert card.display_name and card.source and card.as_of and card.good_for
        assert card.open_weights in (True, False)


def test_local_candidates_cost_nothing_and_have_a_source() -> None:
    for model in ("smollm2-135m", "tfidf-logreg"):
        card = get_card(model)
        assert card.cost_usd(1000, 10) == 0 and card.open_weights and card.source.startswith("https://")


def test_deprecation_is_read_from_the_table() -> None:
    from datetime import date

    card = get_card("deepseek-chat")
    assert card.deprecation_date == "2026-07-24"
    assert card.is_deprecated(date(2026, 11, 25)) and not card.is_deprecated(date(2026, 1, 1))


def test_the_shipped_table_is_the_shared_one() -> None:
    import hashlib

    from knowledge.catalog import TABLE_PATH

    assert hashlib.sha256(TABLE_PATH.read_bytes()).hexdigest() == (
        "8943af58bf9f979c6a4bef815687117ffa341e462a41faed9be17b5c33d3dcc2")


def test_a_fine_tuned_model_is_priced_from_the_catalogs_fine_tuned_price_of_its_base() -> None:
    from knowledge.catalog import load_catalog
    from tools.candidates.pricing import entry_price

    catalog = load_catalog()
    card = catalog.resolve("ft:gpt-4o-mini-2024-07-18:acme::abc123")
    assert card.id == "ft:gpt-4o-mini-2024-07-18" and card.price_source and card.as_of
    base = catalog.resolve("gpt-4o-mini")
    assert card.input_usd_per_1m > base.input_usd_per_1m  # a fine-tune costs more per token than its base
    assert catalog.fine_tuned_key("gpt-4.1-mini") == "ft:gpt-4.1-mini-2025-04-14"
    assert catalog.fine_tuned_key("llama-3.1-8b") is None
    entries = [{"id": "mine", "model": "my-finetune", "base_url": "http://127.0.0.1:9/v1", "base_model": "gpt-4o-mini"},
               {"id": "plain", "model": "gpt-4o-mini", "base_url": "http://127.0.0.1:9/v1"}]
    fine, plain = entry_price("mine", entries), entry_price("plain", entries)
    assert fine == (card.input_usd_per_1m / 1e6, card.output_usd_per_1m / 1e6) and fine != plain


def test_a_price_quote_names_where_the_price_it_gives_comes_from() -> None:
    """The plan's forecast cites the price the run is costed at: one function gives both."""
    from core.shapes import ENDPOINT_PRICE
    from knowledge.catalog import load_catalog
    from tools.candidates.pricing import entry_price, price_quote

    catalog = load_catalog()
    entries = [{"id": "own", "model": "gpt-4o-mini", "base_url": "http://127.0.0.1:9/v1",
                "input_usd_per_1m": 2.0, "output_usd_per_1m": 8.0},
               {"id": "mine", "model": "my-finetune", "base_url": "http://127.0.0.1:9/v1", "base_model": "gpt-4o-mini"},
               {"id": "plain", "model": "gpt-4o-mini", "base_url": "http://127.0.0.1:9/v1"},
               {"id": "nameless", "model": "someone-elses-model", "base_url": "http://127.0.0.1:9/v1"}]
    own = price_quote("own", entries)
    assert own == (pytest.approx((2e-6, 8e-6)), ENDPOINT_PRICE + "own", None)
    fine_card = catalog.resolve("ft:gpt-4o-mini-2024-07-18")
    assert price_quote("mine", entries) == ((fine_card.input_usd_per_1m / 1e6, fine_card.output_usd_per_1m / 1e6),
                                            fine_card.price_source or fine_card.source, fine_card.as_of)
    card = catalog.resolve("gpt-4o-mini")
    for cid in ("plain", "gpt-4o-mini"):  # an endpoint of a catalog model, and the catalog model by name
        quote = price_quote(cid, entries)
        assert quote.source == (card.price_source or card.source) and quote.as_of == card.as_of
        assert quote.per_token == entry_price(cid, entries) == catalog.price_per_token("gpt-4o-mini")
    assert price_quote("nameless", entries) == (None, None, None)
