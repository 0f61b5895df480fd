"""Silver labels for unlabelled uploads: the strongest configured model labels the texts, marked as such.

Silver labels are a stand-in for real ones — good enough to compare cheaper models against a strong one (the
method's "prompt baking"), never proof of accuracy — so every later view of this data says where they came from.
"""

from __future__ import annotations

import asyncio
import csv

from core import workspace
from core.shapes import DatasetProfile, SilverSummary
from knowledge.catalog import load_catalog
from tools.candidates.base import BUILT_IN, openai_api_key
from tools.candidates.pricing import candidate_price
from tools.candidates.registry import build_candidates, can_run, configured_entries
from tools.data.evalset import EvalSplit, Item
from tools.data.tables import read_table
from tools.run.runner import Runner, RunStore

MAX_SILVER_ROWS = 500


def strongest_configured() -> str | None:
    """The configured endpoint with the highest list price (the accuracy-first choice), or None offline."""
    entries = configured_entries()
    options = [e["id"] for e in entries]
    if openai_api_key():
        options += [c.id for c in load_catalog().all() if c.provider == "openai" and not c.is_deprecated()]
    options = [o for o in options if o not in BUILT_IN and can_run(o, entries)]
    if not options:
        return None

    def price(model_id: str) -> float:
        candidate = build_candidates([model_id], entries)[0]
        per_token = candidate_price(candidate)
        return per_token[0] + per_token[1] if per_token else 0.0

    return max(options, key=price)


def silver_label(dataset: DatasetProfile, labels: list[str], thread_id: str, model_id: str,
                 ) -> tuple[str, SilverSummary]:
    """Label up to MAX_SILVER_ROWS texts with `model_id`; write them as a labelled CSV; return (path, summary)."""
    items = _texts(dataset)[:MAX_SILVER_ROWS]
    candidate = build_candidates([model_id], configured_entries())[0]
    store = RunStore()
    run_id = store.create_run({"silver_labels": model_id, "data": dataset["path"]})
    split = EvalSplit(eval=items, few_shot_pool=[], train_pool=[], dropped_duplicates=0, dropped_empty=0,
                      conflicting_duplicates=0)
    runner = Runner(store, price=candidate_price)
    outcome = asyncio.run(runner.run(run_id, split, labels, [candidate], [0]))
    results = store.results(run_id).get((candidate.id, 0), [])
    store.close()
    texts = {i.id: i.text for i in items}
    labelled = [(texts[r.item_id], r.prediction) for r in results if r.prediction in labels]
    path = workspace.uploads_dir(thread_id) / f"silver-{workspace.safe_name(dataset['file'])}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(labelled)
    summary: SilverSummary = {"by": model_id, "rows": len(labelled), "asked": len(items),
               "unusable": len(items) - len(labelled), "spent_usd": round(outcome.spent_usd, 6),
               "notes": outcome.notes}
    return str(path), summary


def _texts(dataset: DatasetProfile) -> list[Item]:
    """The unlabelled texts as items with an empty gold label (nothing is scored here)."""
    table = read_table(dataset["path"], sheet=dataset.get("sheet"))
    texts = table.frame[dataset["text_column"]].fillna("").tolist()
    return [Item(i, t, "") for i, t in enumerate(texts) if t.strip()]
