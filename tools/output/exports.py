"""Files a user takes away: per-item results CSV (formula-safe), a fine-tuning JSONL, the full report."""

from __future__ import annotations

import csv
import io
import json

from core import workspace
from core.tokens import chat_tokens
from knowledge.catalog import load_catalog
from tools.data.evalset import EvalSplit
from tools.data.read import neutralise_cell
from tools.prompting.prompts import shot_count, technique_id
from tools.tasks.kinds import CLASSIFICATION, Task

FINE_TUNE_EPOCHS = 3  # OpenAI's default for small datasets; shown with the estimate


def items_csv(grouped: dict, texts: dict[int, str]) -> str:
    """One row per candidate × technique × item; every cell neutralised so a spreadsheet never runs it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["candidate", "technique", "shots", "item_id", "text", "gold", "prediction", "correct", "raw",
                     "latency_s", "input_tokens", "output_tokens", "error"])
    for (candidate, shots), results in grouped.items():
        for r in results:
            row = [candidate, technique_id(shots), shot_count(shots), r.item_id, texts.get(r.item_id, ""),
                   r.gold, r.prediction or "", r.correct, r.raw or "", r.latency_s if r.latency_s is not None else "",
                   r.input_tokens, r.output_tokens, r.error or ""]
            writer.writerow([neutralise_cell(v) if isinstance(v, str) else v for v in row])
    return out.getvalue()


def finetune_jsonl(split: EvalSplit, labels: list[str], task: Task = CLASSIFICATION) -> tuple[str, int]:
    """The labelled train pool in OpenAI's chat fine-tuning format (the eval's own prompt, the gold answer as the
    reply: a label, or an extraction's JSON object), and its token count (o200k_base)."""
    lines, tokens = [], 0
    for item in split.train_pool:
        messages = [*task.messages(item.text, labels), {"role": "assistant", "content": task.answer(item.label,
                                                                                                    labels)}]
        tokens += chat_tokens(messages)
        lines.append(json.dumps({"messages": messages}, ensure_ascii=False))
    return "\n".join(lines) + ("\n" if lines else ""), tokens


def training_costs(tokens: int, epochs: int = FINE_TUNE_EPOCHS) -> list[dict]:
    """Estimated one-off training cost for each fine-tunable catalog model, with the price's source and date."""
    costs = []
    for card in load_catalog().all():
        tuning = card.fine_tuning or {}
        price = tuning.get("training_usd_per_1m")
        if tuning.get("available") and price is not None and not card.is_deprecated():
            costs.append({"model": card.id, "training_usd": round(tokens * epochs * price / 1e6, 4),
                          "training_usd_per_1m": price, "epochs": epochs, "source": tuning.get("source"),
                          "as_of": tuning.get("as_of")})
    return sorted(costs, key=lambda c: c["training_usd"])


def write_exports(run_id: str, files: dict[str, str]) -> dict[str, str]:
    """Write a run's export files under `MODELPICK_HOME/reports/<run>/`; returns name → path."""
    folder = workspace.home() / "reports" / workspace.safe_name(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, content in files.items():
        path = folder / name
        path.write_text(content, encoding="utf-8")
        paths[name] = str(path)
    return paths
