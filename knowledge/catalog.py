"""The model catalog: price-table facts joined with curated cards — the only place prices live.

Prices and limits come from the shipped table (LiteLLM's JSON); a card adds what the table lacks (display
name, family, open weights, "good for", fine-tuning) and cites where it comes from. Every number a user
sees about a model is a `ModelCard` field with its `source` and `as_of`.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from core import workspace
from core.problems import Problem

DATA_DIR = Path(__file__).resolve().parent / "data"
CARDS_DIR = Path(__file__).resolve().parent / "cards"
TABLE_PATH = DATA_DIR / "model_prices_and_context_window.json"
META_PATH = DATA_DIR / "prices.meta.json"
PER_MILLION = 1_000_000


class UnknownModel(Problem, LookupError):
    """A model id the catalog does not know; `suggestions` are the closest known ids."""

    def __init__(self, name: str, suggestions: list[str]):
        message = "catalog.unknown_model_suggest" if suggestions else "catalog.unknown_model"
        super().__init__(message, name=name, suggestions=", ".join(suggestions))
        self.name = name
        self.suggestions = suggestions


class NoPrice(Problem, LookupError):
    """A model the catalog knows without a price."""


@dataclass(frozen=True)
class ModelCard:
    """What modelpick knows about one model, each fact traceable to `source` / `price_source` and `as_of`."""

    id: str
    display_name: str
    provider: str
    family: str | None
    open_weights: bool | None
    context_window: int | None = None
    max_output_tokens: int | None = None
    input_usd_per_1m: float | None = None
    output_usd_per_1m: float | None = None
    cached_input_usd_per_1m: float | None = None
    batch_input_usd_per_1m: float | None = None
    batch_output_usd_per_1m: float | None = None
    fine_tuning: dict | None = None
    modalities: tuple[str, ...] = ("text",)
    structured_output: bool | None = None
    deprecation_date: str | None = None
    lifecycle: dict | None = None  # {successor, shutdown, notice, source, as_of}: knowledge/lifecycle.py
    good_for: str | None = None
    source: str | None = None
    price_source: str | None = None
    as_of: str | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)
    table_key: str | None = None
    curated: bool = True

    def is_deprecated(self, today: date | None = None) -> bool:
        """True when the provider's deprecation date is on or before `today`."""
        if not self.deprecation_date:
            return False
        try:
            return date.fromisoformat(self.deprecation_date) <= (today or date.today())
        except ValueError:
            return False

    def cost_usd(self, input_tokens: float, output_tokens: float) -> float | None:
        """Dollars for these token counts at list price; None when the catalog has no price."""
        if self.input_usd_per_1m is None or self.output_usd_per_1m is None:
            return None
        return (input_tokens * self.input_usd_per_1m + output_tokens * self.output_usd_per_1m) / PER_MILLION

    def to_dict(self) -> dict:
        data = asdict(self)
        data["modalities"] = list(self.modalities)
        data["aliases"] = list(self.aliases)
        return data


def _per_million(value) -> float | None:
    return round(float(value) * PER_MILLION, 6) if isinstance(value, int | float) else None


def _int(value) -> int | None:
    return int(value) if isinstance(value, int | float) else None


def _from_table(key: str, entry: dict, meta: dict) -> dict:
    """Card fields that come from a price-table entry."""
    modalities = ["text"] + (["image"] if entry.get("supports_vision") else []) + (
        ["audio"] if entry.get("supports_audio_input") else [])
    return {
        "context_window": _int(entry.get("max_input_tokens")),
        "max_output_tokens": _int(entry.get("max_output_tokens")),
        "input_usd_per_1m": _per_million(entry.get("input_cost_per_token")),
        "output_usd_per_1m": _per_million(entry.get("output_cost_per_token")),
        "cached_input_usd_per_1m": _per_million(entry.get("cache_read_input_token_cost")),
        "batch_input_usd_per_1m": _per_million(entry.get("input_cost_per_token_batches")),
        "batch_output_usd_per_1m": _per_million(entry.get("output_cost_per_token_batches")),
        "modalities": tuple(modalities),
        "structured_output": entry.get("supports_response_schema"),
        "deprecation_date": entry.get("deprecation_date"),
        "price_source": entry.get("source"),
        "as_of": meta.get("as_of"),
        "table_key": key,
    }


def _normal(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower())


class Catalog:
    """Curated cards first; any other chat model of the price table is reachable by its table key."""

    def __init__(self, table: dict, card_specs: list[dict], meta: dict):
        self.table = table
        self.meta = meta
        self.cards: dict[str, ModelCard] = {}
        self._index: dict[str, str] = {}
        for spec in card_specs:
            card = self._build_card(spec)
            self.cards[card.id] = card
            names = [card.id, card.display_name, *card.aliases, f"{card.provider}/{card.id}"]
            if card.table_key:
                names.append(card.table_key)
            for name in names:
                self._index.setdefault(_normal(name), card.id)

    def _build_card(self, spec: dict) -> ModelCard:
        spec = dict(spec)
        key = spec.pop("table_key", None)
        values: dict = {}
        if key is not None:
            if key not in self.table:
                raise ValueError(f"card {spec['id']}: table_key {key!r} is not in the price table")
            values.update(_from_table(key, self.table[key], self.meta))
        # The card's own values win only where the table is silent (prices and limits are the table's).
        for name, value in spec.items():
            if name in ("price_source", "as_of") and values.get(name):
                continue
            if values.get(name) is None or name not in values:
                values[name] = value
        values["aliases"] = tuple(values.get("aliases") or ())
        values["modalities"] = tuple(values.get("modalities") or ("text",))
        known = set(ModelCard.__dataclass_fields__)
        return ModelCard(**{k: v for k, v in values.items() if k in known})

    # ------------------------------------------------------------ lookup

    def resolve(self, name: str) -> ModelCard:
        """A card by id, alias, display name or table key (case-insensitive); UnknownModel with suggestions.

        A fine-tuned model's id (`ft:gpt-4o-mini-2024-07-18:org::abc123`) resolves to the table's fine-tuned price
        of its base (`ft:gpt-4o-mini-2024-07-18`): what OpenAI bills for using any fine-tune of that base."""
        wanted = _normal(name)
        if wanted in self._index:
            return self.cards[self._index[wanted]]
        if name.strip().startswith("ft:"):
            base = name.strip()[3:].split(":", 1)[0]
            key = self.fine_tuned_key(base)
            if key is not None:
                return self._table_card(key, self.table[key])
        for key in (name.strip(), name.strip().split("/", 1)[-1]):
            entry = self.table.get(key)
            if isinstance(entry, dict) and entry.get("mode") in ("chat", "completion", "responses"):
                return self._table_card(key, entry)
        raise UnknownModel(name, self.suggest(name))

    def fine_tuned_key(self, base: str) -> str | None:
        """The price table's fine-tuned entry for a base model: the one its card names (`fine_tuning.table_key`),
        else `ft:<base>` or its latest dated snapshot; None when the table prices no fine-tune of it."""
        names = {base.strip()}
        try:
            card = self.resolve(base)
            curated = (card.fine_tuning or {}).get("table_key")
            if curated in self.table:  # the card names the fine-tune it means
                return curated
            names |= {card.id, *([card.table_key] if card.table_key else [])}
        except UnknownModel:
            pass
        found = [key for key in self.table if key.startswith("ft:") and any(
            key[3:] == n or re.fullmatch(re.escape(n) + r"-\d{4}-\d{2}-\d{2}", key[3:]) for n in names)]
        return max(found) if found else None

    def _table_card(self, key: str, entry: dict) -> ModelCard:
        facts = _from_table(key, entry, self.meta)
        return ModelCard(id=key, display_name=key, provider=entry.get("litellm_provider", "unknown"), family=None,
                         open_weights=None, curated=False, **facts)

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        from rapidfuzz import fuzz, process

        choices = {alias: card_id for alias, card_id in self._index.items()}
        found = process.extract(_normal(name), list(choices), scorer=fuzz.WRatio, limit=limit * 3)
        ids = [choices[alias] for alias, score, _ in found if score >= 60]
        return list(dict.fromkeys(ids))[:limit]

    def all(self) -> list[ModelCard]:
        return list(self.cards.values())

    def price_per_token(self, name: str) -> tuple[float, float]:
        """(input, output) USD per token for model `name` — the one price function of the project."""
        card = self.resolve(name)
        if card.input_usd_per_1m is None or card.output_usd_per_1m is None:
            raise NoPrice("catalog.no_price", id=card.id)
        return card.input_usd_per_1m / PER_MILLION, card.output_usd_per_1m / PER_MILLION


def load_card_specs(folder: Path = CARDS_DIR) -> list[dict]:
    """Every card of `knowledge/cards/*.yaml`, with its file's defaults applied."""
    specs: list[dict] = []
    for path in sorted(folder.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        defaults = doc.get("defaults") or {}
        for card in doc.get("cards") or []:
            specs.append({**defaults, **card})
    return specs


def table_paths() -> tuple[Path, Path]:
    """The refreshed table in the workspace when `catalog refresh` fetched one, else the shipped table."""

    folder = workspace.home() / "prices"
    refreshed, meta = folder / TABLE_PATH.name, folder / META_PATH.name
    return (refreshed, meta) if refreshed.is_file() and meta.is_file() else (TABLE_PATH, META_PATH)


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    table_path, meta_path = table_paths()
    table = json.loads(table_path.read_text(encoding="utf-8"))
    table.pop("sample_spec", None)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return Catalog(table, load_card_specs(), meta)


def get_card(name: str) -> ModelCard:
    return load_catalog().resolve(name)


def price_per_token(name: str) -> tuple[float, float]:
    return load_catalog().price_per_token(name)


def sources_fingerprint() -> str:
    """A hash of everything the catalog is built from (the store rebuilds when it changes)."""
    digest = hashlib.sha256()
    for path in [*table_paths(), *sorted(CARDS_DIR.glob("*.yaml"))]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
