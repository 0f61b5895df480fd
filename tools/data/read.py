"""Read a user's sample data safely, find its text and label columns, and profile it.

Uploads come from strangers: every way a file can be wrong ends in a `DataError` whose message is one
sentence saying what is wrong and what to do, and nothing here evaluates a cell (formulas stay text).
A file is read by what its bytes are, not by what its name claims.
"""

from __future__ import annotations

import csv
import heapq
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

import pandas as pd

from core import workspace
from core.language import detect_language
from core.problems import Problem, reason
from core.settings import current
from core.shapes import DatasetProfile, Reason, Spread
from core.tokens import count_tokens

FORMULA_PREFIXES = ("=", "+", "-", "@")
# A workbook is read whole: its expanded size bounds the memory a single upload can take (~3× this in RSS).
XLSX_MAX_UNCOMPRESSED = 120 * 1024 * 1024
# The longest cell read (characters): longer is not a text to classify but a pasted file or a broken quote.
MAX_CELL_CHARS = 100_000
XLSX_MAX_RATIO = 200
TEXT_HINTS = ("text", "message", "sentence", "content", "body", "review", "comment", "utterance", "query",
              "question", "input", "title", "description", "sms", "email", "ticket", "文本", "内容", "句子")
# A column with one of these names is the label even when every row has its own class (200 classes × 1 row).
STRONG_LABEL_NAMES = ("label", "labels", "class", "category", "target", "gold", "标签", "类别")
LABEL_HINTS = ("label", "class", "category", "target", "intent", "sentiment", "tag", "y", "gold",
               "answer", "output", "标签", "类别", "分类")


class DataError(Problem):
    """A file modelpick cannot use as it is: a `data.*` message id saying what is wrong and what to do."""


class NeedsChoice(Problem):
    """The file is fine but ambiguous (several sheets, several possible label columns): ask the user."""

    def __init__(self, kind: str, options: list[str], **values: Any):
        super().__init__(f"data.choose_{kind}", options=listed(options), **values)
        self.kind = kind
        self.options = options


@dataclass
class Table:
    """A file read into rows of text, with how it was read."""

    frame: pd.DataFrame
    format: str
    encoding: str | None = None
    sheet: str | None = None
    warnings: list[Reason] = field(default_factory=list)


# ---------------------------------------------------------------- reading


def load_table(path: str | Path, *, sheet: str | None = None, display_name: str | None = None) -> Table:
    """Read CSV / TSV / JSONL / JSON / XLSX by content; every cell comes back as text, never evaluated."""
    path = Path(path)
    name = display_name or path.name
    if not path.is_file():
        raise DataError("data.gone", name=name, days=current().retention_days)
    size = path.stat().st_size
    limit = workspace.max_upload_bytes()
    if size == 0:
        raise DataError("data.empty", name=name)
    if size > limit:
        raise DataError("data.too_large", name=name, mb=size / 1048576, limit_mb=limit / 1048576)
    data = path.read_bytes()
    kind = sniff_content(data, name)
    stray_nuls = data.count(b"\x00") if kind == "text" else 0
    if kind == "xlsx":
        table = _read_xlsx(path, name, sheet)
    else:
        text, encoding, foreign = _decode(data.replace(b"\x00", b"") if stray_nuls else data, name, kind)
        # The file itself is what pandas may read when its bytes are the text's UTF-8 as they are (pandas reads a
        # path faster than a buffer handed to it).
        plain = path if encoding == "utf-8" and not foreign and not stray_nuls else None
        table = _read_text(text, name, encoding, plain)
        if foreign:
            table.warnings.append(reason("data.mixed_encoding", name=name, count=len(foreign),
                                         lines=", ".join(map(str, foreign[:10])) + (" …" if len(foreign) > 10 else "")))
    if stray_nuls:
        table.warnings.append(reason("data.nul_removed", name=name, count=stray_nuls))
    claimed = path.suffix.lower().lstrip(".") or "none"
    if claimed != table.format and not (claimed == "txt" and table.format in ("csv", "tsv")):
        table.warnings.append(reason("data.read_as", name=name, claimed=claimed, actual=table.format.upper()))
    _check_rows(table.frame, name)
    return table


def sniff_content(data: bytes, name: str) -> str:
    """What the bytes are, from their start: "xlsx", "text", a UTF-16 flavour — or `DataError` for anything that
    is not a table (a PDF, an image, an old .xls, binary noise). Needs only the first 64 KB."""
    head = data[:8]
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise DataError("data.xls", name=name)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf16"
    magic = {b"%PDF": "pdf", b"\x89PNG": "png", b"\xff\xd8\xff": "jpeg", b"GIF8": "gif", b"\x1f\x8b": "gzip",
             b"7z\xbc\xaf": "7z", b"Rar!": "rar"}
    for prefix, what in magic.items():
        if head.startswith(prefix):
            raise DataError("data.binary_kind", name=name, what=reason(f"data.what_{what}"))
    sample = data[:65536]
    utf16 = _utf16_without_bom(sample)
    if utf16:
        return utf16
    nuls = sample.count(b"\x00")
    controls = sum(1 for b in sample if b < 32 and b not in (0, 9, 10, 13))
    if nuls > max(2, len(sample) // 1000) or controls > len(sample) * 0.05:
        raise DataError("data.binary", name=name)
    return "text"  # a stray NUL byte or two (a broken export) is removed, with a warning


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 text with no byte-order mark: ASCII-range characters put a zero in every other byte."""
    pairs = len(sample) // 2
    if pairs < 8:
        return None
    even = sum(1 for i in range(0, 2 * pairs, 2) if sample[i] == 0)
    odd = sum(1 for i in range(1, 2 * pairs, 2) if sample[i] == 0)
    if odd > 0.4 * pairs and even < 0.05 * pairs:
        return "utf-16-le"
    if even > 0.4 * pairs and odd < 0.05 * pairs:
        return "utf-16-be"
    return None


def decode_text(data: bytes, name: str, kind: str = "text") -> str:
    """Text bytes (a kind from `sniff_content`) as a string, whatever their encoding; `DataError` for noise."""
    return _decode(data, name, kind)[0]


def _decode(data: bytes, name: str, kind: str = "text") -> tuple[str, str, list[int]]:
    """The text, its encoding, and the lines read in another encoding than the rest (a mixed file)."""
    if kind in ("utf-16-le", "utf-16-be"):
        return data.decode(kind, errors="replace"), kind, []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16", []
    try:
        return data.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError:
        pass
    mixed = _mostly_utf8(data)
    if mixed is not None:
        return mixed[0], "utf-8", mixed[1]
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    # A guess with much "chaos" means the bytes are noise in every encoding tried.
    if best is None or best.percent_chaos > 20:
        raise DataError("data.undecodable", name=name)
    return str(best), best.encoding, []


def _mostly_utf8(data: bytes) -> tuple[str, list[int]] | None:
    """A UTF-8 file with a few lines from another encoding (pasted from an old export): those lines are read as
    Windows-1252 and the encoding is reported as mixed, so the user is told which lines — instead of guessing one
    legacy encoding for the whole file and garbling every non-ASCII character in it."""
    lines = data.splitlines(keepends=True)
    foreign: list[int] = []
    decoded: list[str] = []
    non_ascii = 0
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            decoded.append(line.decode("ascii"))
            continue
        non_ascii += 1
        try:
            decoded.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            foreign.append(number)
            decoded.append(line.decode("cp1252", errors="replace"))
    valid = non_ascii - len(foreign)
    if not foreign or valid < max(1, 4 * len(foreign)):  # mostly UTF-8 only: a legacy file is left to the guesser
        return None
    return "".join(decoded).lstrip("\ufeff"), foreign


def _read_text(text: str, name: str, encoding: str, plain: Path | None = None) -> Table:
    stripped = text.lstrip()
    if not stripped:
        raise DataError("data.blank", name=name)
    if stripped[0] in "[{":
        records, fmt = _parse_json(stripped, name)
        if not records:
            raise DataError("data.no_rows", name=name)
        frame = pd.DataFrame([{k: _cell(v) for k, v in r.items()} for r in records]).fillna("")
        frame.columns = _unique_columns(list(frame.columns))
        return Table(frame=frame.astype(str), format=fmt, encoding=encoding)
    return _read_delimited(text, name, encoding, plain)


def _parse_json(text: str, name: str) -> tuple[list[dict], str]:
    try:
        doc = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError:
        doc = None
    except RecursionError:
        raise DataError("data.json_depth", name=name) from None
    if doc is not None:
        if isinstance(doc, dict):
            lists = [v for v in doc.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
            if len(lists) != 1:
                raise DataError("data.json_object", name=name)
            doc = lists[0]
        if not all(isinstance(r, dict) for r in doc):
            raise DataError("data.json_not_objects", name=name)
        return doc, "json"
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line, parse_constant=_no_constant)
        except RecursionError:
            raise DataError("data.json_line_depth", name=name, line=number) from None
        except json.JSONDecodeError:
            raise DataError("data.bad_json_line", name=name, line=number) from None
        if not isinstance(record, dict):
            raise DataError("data.json_line_not_object", name=name, line=number)
        records.append(record)
    return records, "jsonl"


def _no_constant(_name: str) -> None:
    """JSON's NaN / Infinity are no label or text: read as empty cells (dropped as empty), never as "nan"."""
    return None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _read_delimited(text: str, name: str, encoding: str, plain: Path | None = None) -> Table:
    first_lines = "\n".join(text[:65536].splitlines()[:20])
    delimiter = _guess_delimiter(first_lines, name)
    fast = _read_delimited_fast(text, delimiter, plain)
    if fast is not None:
        return Table(frame=fast, format="tsv" if delimiter == "\t" else "csv", encoding=encoding)
    csv.field_size_limit(MAX_CELL_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    limit = workspace.max_rows()
    rows: list[list[str]] = []
    try:
        for row in reader:
            if "".join(row).strip():
                rows.append(row)
                if len(rows) > limit + 1:  # the header and the limit: stop reading, do not parse the rest
                    raise DataError("data.too_many_rows_at_least", name=name, limit=limit)
    except csv.Error:
        raise DataError("data.cell_too_long", name=name, line=reader.line_num, limit=MAX_CELL_CHARS) from None
    if not rows:
        raise DataError("data.delimiters_only", name=name)
    header, body = rows[0], rows[1:]
    if not body:
        raise DataError("data.header_only", name=name, header=listed(header, 5))
    ragged = [i for i, r in enumerate(body, start=2) if len(r) != len(header)]
    if ragged:
        first = ragged[0]
        got = len(body[first - 2])
        raise DataError("data.ragged", name=name, count=len(ragged), width=len(header), line=first, got=got,
                        delimiter=_delimiter_name(delimiter))
    fmt = "tsv" if delimiter == "\t" else "csv"
    frame = pd.DataFrame(body, columns=_unique_columns(header), dtype=str)
    return Table(frame=frame, format=fmt, encoding=encoding)


def _read_delimited_fast(text: str, delimiter: str, plain: Path | None = None) -> pd.DataFrame | None:
    """The well-formed case with pandas' C parser (several times faster than the csv module on 100k rows); None
    for anything unusual — quotes, ragged rows, a cell over the limit, a header with blank or repeated names, more
    rows than the limit, blank-only rows to drop — which the careful reader below then handles and explains.

    `plain`: the file, when its bytes are exactly `text` in UTF-8 (pandas reads a path in C: 100k rows 0.22 s from
    a buffer, 0.15 s from the path)."""
    if '"' in text:  # quoted cells may hold delimiters and line breaks: the careful reader counts fields
        return None
    width = text[: text.find("\n") if "\n" in text else len(text)].count(delimiter)
    limit = workspace.max_rows()
    # `nrows` makes pandas read in chunks and join them (0.06 s more on 100k rows): asked only of a file with more
    # lines than the limit allows, where it stops the parse early.
    rows_asked = {"nrows": limit + 1} if text.count("\n") > limit + 1 else {}
    # UTF-8 bytes, not the string: pandas re-encodes a StringIO chunk by chunk (100k rows: 0.26 s → 0.22 s).
    source = plain if plain is not None else io.BytesIO(text.encode("utf-8"))
    try:
        frame = pd.read_csv(source, encoding="utf-8-sig" if plain is not None else "utf-8", sep=delimiter,
                            dtype=str, keep_default_na=False, na_filter=False, engine="c", skip_blank_lines=True,
                            quoting=csv.QUOTE_MINIMAL, **rows_asked)
    except (ValueError, pd.errors.ParserError, csv.Error, MemoryError, OverflowError):
        return None  # e.g. a row with more cells than the header: the careful reader names the line
    # A row with fewer cells is padded silently by pandas. Without quotes every delimiter separates cells, and
    # the lines pandas skipped (blank) hold none: the count is exactly width × lines read only when no row is short.
    if text.count(delimiter) != width * (len(frame) + 1):
        return None
    header = [str(c) for c in frame.columns]
    if (len(frame) > limit or not len(frame) or any(not h.strip() or h.startswith("Unnamed: ") for h in header)
            or len(set(header)) != len(header) or any(re.fullmatch(r".+\.\d+", h) and h.rsplit(".", 1)[0] in header
                                                     for h in header)):
        return None
    cells = [frame[c].tolist() for c in frame.columns]
    if len(text) > MAX_CELL_CHARS and max(max(map(len, column)) for column in cells) > MAX_CELL_CHARS:
        return None
    # A row to drop has no filled cell, so its first cell is blank: only those rows need a look at the others.
    blank_first = [i for i, cell in enumerate(cells[0]) if not cell or cell.isspace()]
    if any(not any(column[i] and not column[i].isspace() for column in cells[1:]) for i in blank_first):
        return None
    return frame


def _guess_delimiter(sample: str, name: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return "\t" if name.lower().endswith(".tsv") else ","


def _delimiter_name(delimiter: str) -> str:
    return {"\t": "tab", ",": ",", ";": ";", "|": "|"}.get(delimiter, delimiter)


def _unique_columns(names: list) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, raw in enumerate(names, start=1):
        base = str(raw).strip() or f"column_{i}"
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}_{seen[base]}")
    return out


def _read_xlsx(path: Path, name: str, sheet: str | None) -> Table:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise DataError("data.bad_xlsx", name=name) from None
    with archive:
        infos = archive.infolist()
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        if total > XLSX_MAX_UNCOMPRESSED or total / packed > XLSX_MAX_RATIO:
            raise DataError("data.zip_bomb", name=name, mb=total / 1048576, ratio=total / packed)
        if "xl/workbook.xml" not in archive.namelist():
            raise DataError("data.not_xlsx", name=name)
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        filled = [n for n in workbook.sheet_names if _sheet_has_cells(workbook, n)]
        if not filled:
            raise DataError("data.empty_sheets", name=name)
        if sheet is None:
            if len(filled) > 1:
                raise NeedsChoice("sheet", filled, name=name, count=len(filled))
            sheet = filled[0]
        if sheet not in workbook.sheet_names:
            raise DataError("data.no_sheet", name=name, sheet=sheet, sheets=listed(filled))
        rows = _sheet_rows(workbook, sheet, name)
    except Problem:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged workbooks
        raise DataError("data.unreadable_xlsx", name=name, error=type(exc).__name__) from None
    if not rows:
        raise DataError("data.empty_sheets", name=name)
    uncached = _formulas_without_values(path)
    header, body = rows[0], rows[1:]
    if not body:
        raise DataError("data.sheet_header_only", name=name, sheet=sheet)
    width = len(header)
    body = [(r + [""] * width)[:width] for r in body]
    frame = pd.DataFrame(body, columns=_unique_columns(header), dtype=str)
    warnings = [reason("data.formulas_no_values", count=uncached)] if uncached else []
    return Table(frame=frame, format="xlsx", sheet=sheet, warnings=warnings)


_SAVED_VALUE = re.compile(rb"<v>[^<]+</v>")
_FORMULA_CELL = re.compile(rb"<c\b[^>]*>(?:(?!</c>).)*?<f[\s>/](?:(?!</c>).)*?</c>", re.S)


def _formulas_without_values(path: Path) -> int:
    """Formula cells saved with no value (a workbook written by a program, never recalculated by a spreadsheet):
    they read as empty, so a label column of them looks like 'one class only (\'\')'. Sheets without any `<f`
    are skipped, and the rest are streamed in 1 MB blocks (a 110 MB sheet is never held whole)."""
    count = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            with archive.open(info) as sheet:
                rest = b""
                for block in iter(lambda: sheet.read(1 << 20), b""):  # noqa: B023
                    data = rest + block
                    cut = data.rfind(b"</c>") + 4  # whole cells only; the tail waits for the next block
                    whole, rest = (data[:cut], data[cut:]) if cut >= 4 else (b"", data)
                    if b"<f" in whole:
                        count += sum(1 for m in _FORMULA_CELL.finditer(whole) if not _SAVED_VALUE.search(m.group(0)))
    return count


def _conflicts(texts: list[str], labels: list[str], name: str) -> Problem | None:
    """The split's own check of texts with conflicting labels (`tools.data.evalset.check_conflicts`), so the upload
    and `modelpick eval` say the same of the same file. Deferred: evalset reads files through this module."""
    from tools.data.evalset import Item, check_conflicts

    return check_conflicts([Item(i, t, lab) for i, (t, lab) in enumerate(zip(texts, labels, strict=True))], name=name)


def formula_labels_problem(table: Table, labels: list[str], *, name: str, column: str) -> None:
    """Labels that are formulas with no saved value: named as such, with what to do — never 'one class ('')'."""
    uncached = next((w for w in table.warnings if w["id"] == "data.formulas_no_values"), None)
    if uncached is not None and sum(1 for label in labels if not label) >= max(1, len(labels) // 10):
        raise DataError("data.formula_labels", name=name, column=column, count=uncached["values"]["count"])


def _filled(row: list) -> bool:
    return any(str(c).strip() for c in row)


def _sheet_has_cells(workbook, sheet: str) -> bool:
    """Whether a sheet has one non-blank cell — read row by row, stopping at the first."""
    return any(_filled(r) for r in workbook.get_sheet_by_name(sheet).iter_rows())


def _sheet_rows(workbook, sheet: str, name: str) -> list[list[str]]:
    """The sheet's non-blank rows as text, streamed: the row limit stops the read, not the end of the sheet."""
    limit = workspace.max_rows()
    rows: list[list[str]] = []
    for raw in workbook.get_sheet_by_name(sheet).iter_rows():
        if _filled(raw):
            rows.append([_cell(c) for c in raw])
            if len(rows) > limit + 1:
                raise DataError("data.too_many_rows_at_least", name=name, limit=limit)
    return rows


def _check_rows(frame: pd.DataFrame, name: str) -> None:
    limit = workspace.max_rows()
    if len(frame) > limit:
        raise DataError("data.too_many_rows", name=name, rows=len(frame), limit=limit)


# ---------------------------------------------------------------- columns


@dataclass
class Columns:
    text: str
    label: str | None


def stripped_cells(values: pd.Series) -> list[str]:
    """Each cell without surrounding whitespace; an empty or missing cell as ""."""
    return [v.strip() if isinstance(v, str) else "" for v in values.tolist()]


def filled_cells(values: pd.Series) -> list[bool]:
    """Which cells hold more than whitespace (a plain loop: pandas' `str.strip` copies every cell, 8× slower)."""
    return [isinstance(v, str) and v != "" and not v.isspace() for v in values.tolist()]


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9\u4e00-\u9fff]", "", name.lower())


def _hinted(name: str, hints: tuple[str, ...]) -> bool:
    n = _norm(name)
    return n in hints or any(len(h) > 2 and (n.startswith(h) or n.endswith(h)) for h in hints)


def _numeric(values: pd.Series) -> bool:
    """Every filled cell is a number (an id or a measurement column, never the text to classify)."""
    filled = values[filled_cells(values)]
    return not filled.empty and bool(filled.str.fullmatch(r"\s*[-+]?\d[\d,]*(?:\.\d+)?\s*").all())


def _looks_categorical(values: pd.Series) -> bool:
    filled = values[filled_cells(values)]
    if filled.empty:
        return False
    distinct = filled.nunique()
    return 1 <= distinct <= max(2, min(200, len(filled) // 5)) and filled.str.len().mean() <= 40


def detect_columns(frame: pd.DataFrame, *, text_column: str | None = None,
                   label_column: str | None = None, name: str = "the file") -> Columns:
    """Choose the text and label columns: the user's names first, then names, then shapes; ask when unsure.

    `label_column=""` means the user said there is none: the data is kept as unlabelled.
    """
    columns = list(frame.columns)
    no_label = label_column == ""
    label_column = label_column or None
    for wanted in (text_column, label_column):
        if wanted is not None and wanted not in columns:
            raise DataError("data.no_column", name=name, column=wanted, columns=listed(columns))
    lengths = {c: frame[c].str.len().mean() for c in columns}
    if text_column is None:
        hinted = [c for c in columns if c != label_column and _hinted(c, TEXT_HINTS)]
        pool = hinted or [c for c in columns if c != label_column]
        if not hinted and all(_numeric(frame[c]) for c in pool):
            raise DataError("data.no_text_column", name=name, columns=listed(pool))
        text_column = max(pool, key=lambda c: lengths[c])
        rivals = [c for c in pool if c != text_column and lengths[c] > 0.8 * lengths[text_column]
                  and not _looks_categorical(frame[c])]
        if not hinted and rivals:
            options = [text_column, *rivals]
            raise NeedsChoice("text_column", options, name=name)
    if label_column is None and not no_label:
        named = [c for c in columns if c != text_column and _norm(c) in STRONG_LABEL_NAMES]
        others = [c for c in columns if c != text_column and (_looks_categorical(frame[c]) or c in named)]
        hinted = [c for c in others if _hinted(c, LABEL_HINTS)]
        if len(hinted) == 1 or (hinted and _norm(hinted[0]) == "label"):
            label_column = hinted[0]
        elif len(others) == 1:
            label_column = others[0]
        elif len(others) > 1:
            options = hinted or others
            raise NeedsChoice("label_column", options, name=name)
    return Columns(text=text_column, label=label_column)


# ---------------------------------------------------------------- profile


def listed(names: list[str], limit: int = 20) -> str:
    """Names for a message, at most `limit` of them (a 10,000-column file must not become a 10,000-name message)."""
    shown = ", ".join(str(n) for n in names[:limit])
    return shown + (f", … (+{len(names) - limit:,})" if len(names) > limit else "")


def _stats(values: list[int]) -> Spread:
    if not values:
        return {"mean": 0, "p50": 0, "p95": 0, "max": 0}
    ordered = sorted(values)
    # sum / len, not statistics.mean: the same correctly rounded value for integers, without exact fractions
    # (0.06 s for a 100k-row upload).
    return {"mean": round(sum(ordered) / len(ordered), 1), "p50": median(ordered),
            "p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], "max": ordered[-1]}


TOKEN_SAMPLE = 2000


def _token_sample(texts: list[str], lengths: list[int]) -> list[int]:
    """Token counts of an evenly spread sample (mean and p95 need no more) plus the longest texts (the max);
    `lengths` are the texts' lengths."""
    step = max(1, len(texts) // TOKEN_SAMPLE)
    longest = heapq.nlargest(20, range(len(texts)), key=lengths.__getitem__) if len(texts) > TOKEN_SAMPLE else []
    picked = sorted(set(range(0, len(texts), step)) | set(longest))
    return [count_tokens(texts[i]) for i in picked]


def check_label_set(labels: Iterable[str], *, name: str, column: str) -> None:
    """A label set a task can hold: at most `max_labels` classes of at most `max_label_chars` characters each —
    what bounds the baseline's classes × features, the prompt's label block and every per-class table."""
    settings = current()
    distinct: set[str] = set()
    for label in labels:
        if not label:
            continue
        if len(label) > settings.max_label_chars:
            raise DataError("data.label_too_long", name=name, column=column, chars=len(label),
                            limit=settings.max_label_chars)
        distinct.add(label)
        if len(distinct) > settings.max_labels:
            raise DataError("data.too_many_labels", name=name, column=column, limit=settings.max_labels)


def profile_table(table: Table, columns: Columns, *, name: str, path: str | None = None) -> DatasetProfile:
    """What the user should know about their data before it becomes an eval set (JSON-serialisable)."""
    frame = table.frame
    # Plain loops over the cells: pandas' string methods cost several times more per cell on a 100k-row upload.
    stripped = stripped_cells(frame[columns.text])
    nonempty = [t for t in stripped if t]
    label_counts: dict[str, int] = {}
    missing_labels = 0
    if columns.label is not None:
        labels = stripped_cells(frame[columns.label])
        formula_labels_problem(table, labels, name=name, column=columns.label)
        check_label_set(labels, name=name, column=columns.label)
        given = pd.Series([label for label in labels if label], dtype=object)
        missing_labels = len(labels) - len(given)
        label_counts = {str(k): int(v) for k, v in given.value_counts().items()}
        conflict = _conflicts(stripped, labels, name)
        if conflict is not None:
            table.warnings.append(reason(conflict.id, **conflict.values))
        if len(label_counts) < 2:
            only = next(iter(label_counts), "")
            raise DataError("data.one_class", name=name, column=columns.label, only=only)
    lengths = list(map(len, nonempty))
    tokens = _token_sample(nonempty, lengths)
    languages = [detect_language(t) for t in nonempty[:2000]]
    zh_share = round(sum(lang == "zh" for lang in languages) / max(1, len(languages)), 3)
    formula_cells = sum(isinstance(v, str) and v.startswith(FORMULA_PREFIXES)
                        for c in frame.columns for v in frame[c].tolist())
    counts = list(label_counts.values())
    warnings = list(table.warnings)
    if formula_cells:
        warnings.append(reason("data.formula_cells", count=formula_cells))
    if columns.label is None:
        warnings.append(reason("data.no_label_column"))
    return {
        "file": name,
        "path": path or name,
        "format": table.format,
        "encoding": table.encoding,
        "sheet": table.sheet,
        "rows": len(frame),
        "columns": list(frame.columns),
        "text_column": columns.text,
        "label_column": columns.label,
        "label_counts": label_counts,
        "classes": len(label_counts),
        "majority_share": round(max(counts) / sum(counts), 3) if counts else None,
        "imbalance_ratio": round(max(counts) / min(counts), 1) if counts else None,
        "missing_labels": missing_labels,
        "empty_texts": int(len(stripped) - len(nonempty)),
        "duplicate_texts": len(nonempty) - len(set(nonempty)),
        "text_chars": _stats(lengths),
        "text_tokens": _stats(tokens),
        "tokens_encoding": "o200k_base",
        "language": "zh" if zh_share >= 0.5 else "en",
        "zh_share": zh_share,
        "formula_like_cells": formula_cells,
        "warnings": warnings,
    }


def neutralise_cell(value: str) -> str:
    """Make a cell safe for spreadsheet export: a leading = + - @ (or tab/CR) can never start a formula."""
    return "'" + value if value and value[0] in (*FORMULA_PREFIXES, "\t", "\r") else value
