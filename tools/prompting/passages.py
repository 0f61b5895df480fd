"""RAG's retrieval: the user's documents as passages in a Chroma collection, and the k closest to each item.

The collection is named after what it holds (`tools.data.documents.digest`: the documents and the passage size), so
the same documents are embedded once and a changed document gets a new index, never a stale one. Passages are
embedded with the project's offline multilingual sentence encoder (the one retrieved examples use), into the
embedded store under the workspace or the configured Chroma server. All eval items are looked up in one query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from core import workspace
from tools.data.documents import DEFAULT_CHUNK_TOKENS, DocumentSet, Passage, digest, passages, read_documents
from tools.data.evalset import Item

PassageSource = Callable[[Item], Sequence[str]]
BATCH = 500


@lru_cache(maxsize=8)
def library(paths: tuple[str, ...], chunk_tokens: int = DEFAULT_CHUNK_TOKENS) -> tuple[DocumentSet, list[Passage]]:
    """The documents at these paths and their passages (read once per process and paths)."""
    found = read_documents(paths)
    return found, passages(found.documents, chunk_tokens)


def passage_source(paths: Sequence[str], chunk_tokens: int, k: int, items: Sequence[Item]) -> PassageSource:
    """The k passages closest to each item, as prompts show them; `items` (the eval set) are looked up at once."""
    found, cut = library(tuple(paths), chunk_tokens)
    if not cut or k <= 0:
        return lambda item: []
    name = f"docs-{digest(found, chunk_tokens)}"
    nearest = _nearest(name, tuple(cut), tuple(items), k)

    def closest(item: Item) -> Sequence[str]:
        found_ids = nearest.get(item.id)
        if found_ids is None:  # an item outside the eval set (a timing probe): look it up alone
            found_ids = _nearest(name, tuple(cut), (item,), k)[item.id]
        return [cut[i].shown() for i in found_ids]

    return closest


def _collection(name: str, cut: tuple[Passage, ...]):
    from knowledge.store import USEMultilingual, chroma_client, chroma_url

    client = chroma_client(workspace.home() / "documents", chroma_url())
    collection = client.get_or_create_collection(name, embedding_function=USEMultilingual(),
                                                 metadata={"hnsw:space": "cosine"})
    if collection.count() < len(cut):
        for start in range(0, len(cut), BATCH):
            part = cut[start:start + BATCH]
            collection.upsert(ids=[str(start + n) for n in range(len(part))], documents=[p.text for p in part],
                              metadatas=[{"document": p.document} for p in part])
    return collection


@lru_cache(maxsize=16)
def _nearest(name: str, cut: tuple[Passage, ...], items: tuple[Item, ...], k: int) -> dict[int, list[int]]:
    """For each item, the indexes of its k closest passages (closest first)."""
    from knowledge.store import USEMultilingual

    if not items:
        return {}
    collection = _collection(name, cut)
    vectors = USEMultilingual()([item.text for item in items])
    found = collection.query(query_embeddings=vectors, n_results=min(len(cut), k), include=[])
    return {item.id: [int(i) for i in ids] for item, ids in zip(items, found["ids"], strict=True)}
