"""Shared fixtures: an isolated workspace per test, the shared datasets, and sample files of every bad kind."""

from __future__ import annotations

import ast
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The shared data folder sits next to the project's root (CI lays a copy there); MODELPICK_SHARED overrides.
def _shared() -> Path:
    """`../shared`; in a clone made elsewhere (e.g. under /tmp), the one next to the checkout it was cloned from."""
    if os.environ.get("MODELPICK_SHARED"):
        return Path(os.environ["MODELPICK_SHARED"])
    if (ROOT.parent / "shared").is_dir():
        return ROOT.parent / "shared"
    origin = subprocess.run(["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"], capture_output=True,
                            text=True).stdout.strip()
    beside = Path(origin).parent / "shared" if origin and Path(origin).is_dir() else None
    return beside if beside is not None and beside.is_dir() else ROOT.parent / "shared"


SHARED_DATA = _shared() / "data"
DATASETS = SHARED_DATA / "datasets"


def packages_imported_by(code: str, watched: set[str], home: Path) -> list[str]:
    """Which of the `watched` top-level packages a fresh interpreter has imported after running `code` (what a
    path costs at start-up)."""
    probe = f"{code}\nimport sys\nprint(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(watched)!r})))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT,
                         env={**os.environ, "MODELPICK_HOME": str(home)})
    assert out.returncode == 0, out.stderr[-800:]
    return ast.literal_eval(out.stdout.strip().splitlines()[-1])


@pytest.fixture(autouse=True)
def workspace_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own MODELPICK_HOME, so no test sees another's uploads or checkpoints."""
    home = tmp_path / "home"
    monkeypatch.setenv("MODELPICK_HOME", str(home))
    # The plan's timing probe starts the local model (seconds per plan); the tests that are about it turn it on.
    monkeypatch.setenv("MODELPICK_TIMING_PROBE", "0")
    return home


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One small file per case the upload path must handle, good and bad."""
    from openpyxl import Workbook

    folder = tmp_path_factory.mktemp("samples")
    files: dict[str, Path] = {}

    def write(name: str, data: bytes | str) -> None:
        path = folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        files[name] = path

    write("empty.csv", b"")
    write("header_only.csv", "text,label\n")
    write("binary.csv", bytes(range(256)) * 40)
    write("image.csv", b"\x89PNG\r\n\x1a\n" + bytes(200))
    rng = random.Random(1)
    write("undecodable.csv", b"text,label\n" + bytes(rng.randrange(128, 256) for _ in range(3000)) + b",x\n")
    write("gbk.csv", "文本,标签\n这部电影很好看,正面\n太难看了,负面\n还不错,正面\n浪费时间,负面\n".encode("gbk"))
    write("latin1.csv", "text,label\nCafé très bon,pos\nMauvais café,neg\nSuper crème brûlée,pos\nNul à chier,neg\n"
          .encode("latin-1"))
    write("one_class.csv", "text,label\nhello there,ham\nhow are you,ham\nsee you,ham\n")
    write("ragged.csv", "text,label\nhello,ham\nwin, money now,spam\nok,ham\n")
    write("formula.csv", "text,label\n=1+1,ham\n+call me,spam\n-hi,ham\n@home,ham\nnormal,spam\n")
    write("no_label.csv", "text\nhello there friend\nwin money now please\nsee you tomorrow\n")
    write("jsonl_named.csv", '{"text": "good movie", "label": "pos"}\n{"text": "bad movie", "label": "neg"}\n')
    write("data.jsonl", '{"text": "good movie", "label": "pos"}\n{"text": "bad movie", "label": "neg"}\n')
    write("data.json", '[{"text": "good movie", "label": "pos"}, {"text": "bad movie", "label": "neg"}]')
    write("data.tsv", "label\ttext\npos\tgood, really good movie\nneg\tbad movie\n")
    write("bad_line.jsonl", '{"text": "good movie", "label": "pos"}\n{"text": "bad movie", \n')
    write("two_labels.csv", "body,topic,priority\nmy card is lost please help,card,high\nwhere is my money,transfer,low\n"
          "card blocked again today,card,low\nsend money abroad,transfer,high\n")
    book = Workbook()
    sheet = book.active
    sheet.title = "Train"
    for row in (["text", "label"], ["great stuff", "pos"], ["awful", "neg"]):
        sheet.append(row)
    other = book.create_sheet("Test")
    for row in (["text", "label"], ["fine", "pos"], ["bad", "neg"]):
        other.append(row)
    book.save(folder / "sheets.xlsx")
    files["sheets.xlsx"] = folder / "sheets.xlsx"
    book = Workbook()
    for row in (["text", "label"], ["great stuff", "pos"], ["awful", "neg"], ["=HYPERLINK(\"x\")", "neg"]):
        book.active.append(row)
    book.active["A4"].data_type = "s"  # a text cell that starts with '=', as a CSV export would produce
    book.save(folder / "single.xlsx")
    files["single.xlsx"] = folder / "single.xlsx"
    with zipfile.ZipFile(folder / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    files["bomb.xlsx"] = folder / "bomb.xlsx"
    with zipfile.ZipFile(folder / "plain_zip.xlsx", "w") as archive:
        archive.writestr("notes.txt", "hello")
    files["plain_zip.xlsx"] = folder / "plain_zip.xlsx"
    return files
