"""Which labelled examples a prompt shows: the same drawn k for every item, or the k most similar ones (retrieved).

Retrieved few-shot ("dynamic examples", `--shots r3`): for each eval item, the k labelled examples closest to it
in meaning, from the items kept apart from the eval set (the few-shot and train pools, never an eval item). They
are embedded once per dataset with the project's offline multilingual sentence encoder into a Chroma collection
of their own (embedded, or the configured Chroma server), and looked up for all eval items in one query. A run,
its forecast and its report all read the examples through `shot_source`, so the tokens forecast are the tokens
sent, and a resumed run shows every item the same examples again.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from functools import lru_cache

from core import workspace
from tools.data.evalset import EvalSplit, Item
from tools.prompting.prompts import draw_shots, is_retrieved, shot_count

POOL_CAP = 3000  # examples a retrieval pool holds at most (a deterministic sample of the larger pools)
ExampleSource = Callable[[Item], Sequence[Item]]


def shot_source(split: EvalSplit, shots: int, seed: int = 0) -> ExampleSource:
    """The examples each item's prompt shows for a technique (`shots` < 0: |shots| retrieved examples)."""
    if not is_retrieved(shots):
        fixed = draw_shots(split.few_shot_pool, shots, seed=seed)
        return lambda item: fixed
    k = shot_count(shots)
    pool = retrieval_pool(split, seed)
    nearest = _nearest(_collection_name(pool), tuple(pool), tuple(split.eval), k)
    by_id = {item.id: item for item in pool}

    def examples(item: Item) -> Sequence[Item]:
        found = nearest.get(item.id)
        if found is None:  # an item outside the eval set (a timing probe): look it up alone
            found = _nearest(_collection_name(pool), tuple(pool), (item,), k)[item.id]
        return [by_id[i] for i in found]

    return examples


def retrieval_pool(split: EvalSplit, seed: int = 0) -> list[Item]:
    """Every labelled item that is not an eval item (few-shot and train pools), sampled down to POOL_CAP."""
    eval_ids = {item.id for item in split.eval}
    pool = sorted((i for i in [*split.few_shot_pool, *split.train_pool] if i.id not in eval_ids), key=lambda i: i.id)
    if len(pool) > POOL_CAP:
        pool = sorted(random.Random(seed).sample(pool, POOL_CAP), key=lambda i: i.id)
    return pool


def _collection_name(pool: Sequence[Item]) -> str:
    digest = hashlib.sha256()
    for item in pool:
        digest.update(f"{item.id}\x1f{item.label}\x1f{item.text}\x1e".encode())
    return f"examples-{digest.hexdigest()[:32]}"


def _collection(name: str, pool: tuple[Item, ...]):
    """The pool's collection, built on first use (its name is the pool's content hash: no stale index)."""
    from knowledge.store import USEMultilingual, chroma_client, chroma_url

    client = chroma_client(workspace.home() / "examples", chroma_url())
    collection = client.get_or_create_collection(name, embedding_function=USEMultilingual(),
                                                 metadata={"hnsw:space": "cosine"})
    if collection.count() < len(pool):
        batch = 500
        for start in range(0, len(pool), batch):
            part = pool[start:start + batch]
            collection.upsert(ids=[str(item.id) for item in part], documents=[item.text for item in part],
                              metadatas=[{"label": item.label} for item in part])
    return collection


@lru_cache(maxsize=16)
def _nearest(name: str, pool: tuple[Item, ...], items: tuple[Item, ...], k: int) -> dict[int, list[int]]:
    """For each item, the ids of its k nearest pool items (most similar first; never the item itself)."""
    from knowledge.store import USEMultilingual

    if not items or not pool or k <= 0:
        return {item.id: [] for item in items}
    collection = _collection(name, pool)
    vectors = USEMultilingual()([item.text for item in items])
    found = collection.query(query_embeddings=vectors, n_results=min(len(pool), k + 1), include=[])
    return {item.id: [int(i) for i in ids if int(i) != item.id][:k] for item, ids in zip(items, found["ids"], strict=True)}
