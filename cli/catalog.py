"""`modelpick catalog search|show|refresh`: the model catalog and its retrieval store from a terminal."""

from __future__ import annotations

import json
from typing import Annotated

import typer

# The catalog, the message catalog and httpx are imported by the command that needs them: `modelpick --help`
# and `modelpick eval` start without them.

catalog_app = typer.Typer(help="Model catalog: specs and prices with source and date.", no_args_is_help=True)

SHOW_KEYS = ("id", "provider", "display_name", "open_weights", "context_window", "max_output_tokens",
             "input_usd_per_1m", "output_usd_per_1m", "source", "as_of")


def _fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


@catalog_app.command("show")
def show(model: str, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """All card fields of MODEL (id, alias or display name), with prices per 1M tokens, source and as-of."""
    from knowledge.catalog import UnknownModel, get_card
    from words.catalog import render

    try:
        card = get_card(model)
    except UnknownModel as error:
        _fail(render(error, "en"))
    data = card.to_dict()
    # `source` in the pinned JSON is where the prices come from (the table's cited page), else the card's.
    pinned = {key: data[key] for key in SHOW_KEYS}
    pinned["source"] = card.price_source or card.source
    if as_json:
        typer.echo(json.dumps({**pinned, **{k: v for k, v in data.items() if k not in pinned}}, indent=2,
                              ensure_ascii=False))
        return
    for key, value in {**pinned, **data}.items():
        if value not in (None, [], ()) and key != "curated":
            typer.echo(f"{key:>24}: {value}")


@catalog_app.command("search")
def search(
    query: str,
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many hits.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    kind: Annotated[str | None, typer.Option(help="card or guide")] = None,
    provider: Annotated[str | None, typer.Option(help="e.g. openai, anthropic, meta")] = None,
    open_weights: Annotated[bool | None, typer.Option("--open-weights/--closed-weights")] = None,
    min_context: Annotated[int | None, typer.Option(help="minimum context window, tokens")] = None,
    max_input_price: Annotated[float | None, typer.Option(help="max input $ per 1M tokens")] = None,
) -> None:
    """Retrieve model cards and method-guide sections for QUERY (English or Chinese), with citations."""
    from knowledge.store import get_store
    from words.catalog import say

    if not query.strip():
        _fail(say("store.empty_query", "en"), 2)
    filters = {"kind": kind, "provider": provider, "open_weights": open_weights, "min_context": min_context,
               "max_input_usd_per_1m": max_input_price}
    filters = {key: value for key, value in filters.items() if value is not None}
    store = get_store()
    hits = store.search(query, k=k, filters=filters)
    if not hits:
        _fail(f"No document matches the filters: {emptying_filter(store, query, filters)} left nothing. "
              "Loosen that filter.")
    if as_json:
        typer.echo(json.dumps([hit.__dict__ for hit in hits], indent=2, ensure_ascii=False))
        return
    for rank, hit in enumerate(hits, start=1):
        first = hit.text.splitlines()[0]
        typer.echo(f"{rank}. [{hit.kind}] {hit.title}  (score {hit.score:.2f})\n   {first}\n   source: {hit.source}"
                   f" · as of {hit.as_of}")


def emptying_filter(store, query: str, filters: dict) -> str:
    """The first filter that, added to those before it, leaves no document."""
    applied: dict = {}
    for key, value in filters.items():
        applied[key] = value
        if not store.search(query, k=1, filters=applied):
            return f"the filter {key}={value}" if len(applied) == 1 else f"adding {key}={value}"
    return "the filters together"


@catalog_app.command("refresh")
def refresh() -> None:
    """Download the upstream price table when online; offline, keep the shipped one and say so."""
    from knowledge.refresh import refresh_table
    from words.catalog import render

    typer.echo(render(refresh_table(), "en"))
