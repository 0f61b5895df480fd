"""Extraction: pull named fields out of a text as one JSON object, scored field by field after normalisation.

The data holds the text and the fields' gold values (one column per field, or one column of JSON objects). A
model's answer is read as the first JSON object in its reply (code fences and chatter around it are ignored); a
reply with no such object is *invalid JSON*, a measured outcome counted wrong, never dropped. Values are compared
after normalisation — case and spacing, numbers and currency ("1,234.50", "$1234.5" → 1234.5), dates in forms
whose day and month cannot be confused ("March 5, 2024", "2024/3/5", "2024年3月5日" → 2024-03-05; "05/03/2024" is
left as written) — so a model is not marked wrong for writing "$1,200" where the data says 1200.

An item is right when every field is right ("all fields right", the accuracy with its Wilson interval, so
targets, adaptive runs and the recommendation work unchanged); per field, precision and recall count a value
given where the gold has none as a false positive, and a missing one as a false negative; micro-F1 pools them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from core.shapes import DatasetProfile
from tools.data.evalset import Item
from tools.data.read import Columns, DataError, profile_table
from tools.data.tables import read_table
from tools.prompting.prompts import with_passages
from tools.scoring.metrics import UNPARSEABLE, ItemResult

SYSTEM = ("You extract fields from a text. Reply with exactly one JSON object with the keys listed, and nothing "
          "else. Use null for a field the text does not give.")
INSTRUCTION = "Keys: {fields}\n\nExtract these fields from the text as one JSON object.\n\nText: {text}"
EMPTY = {"", "null", "none", "n/a", "na", "-", "—", "无", "空"}
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_CURRENCY = re.compile(r"^(?:usd|eur|gbp|cny|rmb|us\$|[$€£¥￥])\s*|\s*(?:usd|eur|gbp|cny|rmb|元|美元|欧元|[$€£¥￥])$",
                       re.I)


class ExtractionError(DataError):
    """Data that cannot be an extraction set (`extraction.*` message ids)."""


def profile_records(path: str | Path, *, display_name: str | None = None, sheet: str | None = None,
                    text_column: str | None = None, fields: Sequence[str] | None = None) -> DatasetProfile:
    """The upload's profile as extraction data: the text column's profile, and the fields to extract."""
    name = display_name or Path(path).name
    _items, text, found = load_records(path, text_column=text_column, fields=fields, sheet=sheet)
    profile = profile_table(read_table(path, sheet=sheet, display_name=name), Columns(text, None), name=name,
                            path=str(path))
    profile.update({"fields": found, "task": "extraction", "label_counts": {}, "classes": 0})
    return profile


# ---------------------------------------------------------------- reading the data


def load_records(path: str | Path, *, text_column: str | None = None, fields: Sequence[str] | None = None,
                 sheet: str | None = None) -> tuple[list[Item], str, list[str]]:
    """Items whose label is the canonical JSON of their normalised gold fields, the text column and the fields."""
    frame = read_table(path, sheet=sheet).frame
    columns = list(frame.columns)
    name = Path(path).name
    if text_column is not None and text_column not in columns:
        raise ExtractionError("extraction.no_column", name=name, column=text_column, columns=", ".join(columns))
    if text_column is None:
        lengths = {c: frame[c].fillna("").str.len().mean() for c in columns if not _is_json_column(frame[c])}
        if not lengths:
            raise ExtractionError("extraction.no_text", name=name)
        text_column = max(lengths, key=lambda c: lengths[c])
    json_column = next((c for c in columns if c != text_column and _is_json_column(frame[c])), None)
    rows: list[dict[str, str]]
    if json_column is not None and not fields:
        rows = [_json_object(value) for value in frame[json_column].fillna("")]
        fields = sorted({key for row in rows for key in row})
    else:
        fields = list(fields or [c for c in columns if c != text_column])
        missing = [f for f in fields if f not in columns]
        if missing:
            raise ExtractionError("extraction.no_column", name=name, column=", ".join(missing),
                                  columns=", ".join(columns))
        rows = frame[fields].fillna("").to_dict("records")
    if not fields:
        raise ExtractionError("extraction.no_fields", name=name)
    texts = frame[text_column].fillna("").tolist()
    items = [Item(i, text, canonical({f: normalise(row.get(f)) for f in fields}))
             for i, (text, row) in enumerate(zip(texts, rows, strict=True))]
    return items, text_column, list(fields)


def _is_json_column(values) -> bool:
    sample = [str(v).strip() for v in values.dropna().head(20) if str(v).strip()]
    return bool(sample) and all(v.startswith("{") and v.endswith("}") for v in sample)


def _json_object(value: object) -> dict:
    try:
        parsed = json.loads(str(value))
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def canonical(fields: dict[str, str]) -> str:
    return json.dumps(dict(sorted(fields.items())), ensure_ascii=False)


def gold_fields(label: str) -> dict[str, str]:
    try:
        parsed = json.loads(label)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


# ---------------------------------------------------------------- normalising values


def normalise(value: object) -> str:
    """One value as compared: "" for absent; numbers, dates and currency in one form; text case- and space-folded."""
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value).lower()
    if isinstance(value, (int, float)):
        return _number(float(value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True).casefold()
    text = " ".join(unicodedata.normalize("NFKC", str(value)).split()).strip()
    if text.casefold() in EMPTY:
        return ""
    as_number = _parse_number(text)
    if as_number is not None:
        return as_number
    as_date = _parse_date(text)
    if as_date is not None:
        return as_date
    return text.casefold().strip(" .,;:'\"")


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else f"{value:.10g}"


def _parse_number(text: str) -> str | None:
    stripped = _CURRENCY.sub("", text.strip()).strip()
    if re.fullmatch(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[-+]?\d+(?:\.\d+)?", stripped):
        return _number(float(stripped.replace(",", "")))
    return None


def _parse_date(text: str) -> str | None:
    found = re.fullmatch(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?", text)
    if found:
        return _iso(*map(int, found.groups()))
    found = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
    if found:
        return _iso(*map(int, found.groups()))
    if re.search(rf"\b(?:{_MONTHS}|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b", text, re.I):
        for form in ("%B %d, %Y", "%B %d %Y", "%d %B %Y", "%b %d, %Y", "%b %d %Y", "%d %b %Y"):
            try:
                return datetime.strptime(text.replace(".", ""), form).date().isoformat()
            except ValueError:
                continue
    return None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


# ---------------------------------------------------------------- prompts and answers


def build_messages(text: str, fields: Sequence[str], shots: Sequence[Item] = (),
                   passages: Sequence[str] = ()) -> list[dict]:
    """A system line, each example as a user turn and its JSON answer, then the item (passages before it)."""
    keys = ", ".join(fields)
    messages = [{"role": "system", "content": SYSTEM}]
    for shot in shots:
        messages.append({"role": "user", "content": INSTRUCTION.format(fields=keys, text=shot.text)})
        messages.append({"role": "assistant", "content": json.dumps(
            {f: (gold_fields(shot.label).get(f) or None) for f in fields}, ensure_ascii=False)})
    messages.append({"role": "user", "content": with_passages(INSTRUCTION.format(fields=keys, text=text), passages)})
    return messages


def parse_answer(raw: str | None, fields: Sequence[str]) -> str:
    """The reply's first JSON object, reduced to the fields and normalised — or UNPARSEABLE (invalid JSON)."""
    if raw is None:
        return UNPARSEABLE
    found = _first_object(raw)
    if found is None:
        return UNPARSEABLE
    return canonical({f: normalise(found.get(f)) for f in fields})


def _first_object(raw: str) -> dict | None:
    decoder = json.JSONDecoder()
    for start in (m.start() for m in re.finditer(r"\{", raw)):
        try:
            value, _end = decoder.raw_decode(raw, start)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def max_tokens(fields: Sequence[str]) -> int:
    """Room for the JSON answer: its keys and a value of a few words each."""
    return min(1024, 40 + 32 * len(fields))


# ---------------------------------------------------------------- scores


def field_scores(results: Sequence[ItemResult], fields: Sequence[str]) -> dict[str, dict[str, float]]:
    """Per field: precision, recall, F1 and support over the answered items (invalid JSON gives no values)."""
    counts = {f: [0, 0, 0] for f in fields}  # tp, fp, fn
    for result in results:
        if result.error is not None:
            continue
        gold = gold_fields(result.gold)
        predicted = gold_fields(result.prediction) if result.prediction not in (None, UNPARSEABLE) else {}
        for f in fields:
            g, p = gold.get(f, ""), predicted.get(f, "")
            if p and p == g:
                counts[f][0] += 1
            else:
                counts[f][1] += bool(p)
                counts[f][2] += bool(g)
    return {f: _prf(*c) for f, c in counts.items()}


def micro_f1(results: Sequence[ItemResult], fields: Sequence[str]) -> float:
    scores = field_scores(results, fields)
    tp = sum(s["tp"] for s in scores.values())
    fp = sum(s["fp"] for s in scores.values())
    fn = sum(s["fn"] for s in scores.values())
    return _prf(int(tp), int(fp), int(fn))["f1"]


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def invalid_json_share(results: Sequence[ItemResult]) -> float:
    answered = [r for r in results if r.error is None]
    return sum(r.prediction == UNPARSEABLE for r in answered) / len(answered) if answered else 0.0
