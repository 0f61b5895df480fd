"""Each upload is parsed once: the parsed table is kept, keyed by the file's content, and reused by the profile,
the plan, the run, the follow-ups and the exports.

The key is the SHA-256 of the file's bytes, the sheet, and the limits the parse enforced, so an edited file or a
changed limit is parsed again and nothing else is. A few tables stay in memory; every table is also written to
`MODELPICK_HOME/parsed/<key>.pkl`, so a later process (an app restart, `modelpick eval --resume`) skips the parse.
"""

from __future__ import annotations

import copy
import hashlib
import os
import pickle
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from core import collector, workspace
from core.settings import current
from core.shapes import DatasetProfile
from tools.data.read import DataError, Table, detect_columns, load_table, profile_table

IN_MEMORY = 3  # tables kept in this process (a 100k-row table is tens of MB)
_memory: OrderedDict[str, Table] = OrderedDict()
_digests: dict[tuple[str, int, int], str] = {}
_profiles: OrderedDict[tuple[str, str, str, str | None, str | None], DatasetProfile] = OrderedDict()
_one_parse_at_a_time = threading.Lock()
_profiles_lock = threading.Lock()
_writing: dict[Path, threading.Thread] = {}  # tables being written to the workspace


def file_digest(path: str | Path) -> str:
    """SHA-256 of the file's bytes (remembered per path, size and modification time)."""
    stat = Path(path).stat()
    marker = (str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)
    if marker not in _digests:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _digests[marker] = digest.hexdigest()
    return _digests[marker]


def table_key(path: str | Path, sheet: str | None) -> str:
    limits = f"{workspace.max_upload_bytes()}:{workspace.max_rows()}"
    return hashlib.sha256(f"{file_digest(path)}|{sheet or ''}|{limits}".encode()).hexdigest()[:32]


def read_table(path: str | Path, *, sheet: str | None = None, display_name: str | None = None) -> Table:
    """The parsed table of a file: from memory, from the workspace, or parsed now (and kept)."""
    key = table_key(_existing(path, display_name), sheet)
    if key in _memory:
        _memory.move_to_end(key)
        return _memory[key]
    stored = workspace.home() / "parsed" / f"{key}.pkl"
    writing = _writing.get(stored)
    if writing is not None:
        writing.join()
    table = _load(stored)
    if table is None:
        with _one_parse_at_a_time:  # several big uploads at once must not multiply the server's memory
            table = load_table(path, sheet=sheet, display_name=display_name)
        # Written beside the profile and the split, not before them (a 100k-row table is ~40 MB: ~0.1 s); a
        # non-daemon thread, so a process that ends right away still leaves the whole file.
        writer = threading.Thread(target=_store, args=(stored, table), name="modelpick-store-table")
        _writing[stored] = writer
        writer.start()
    _memory[key] = table
    while len(_memory) > IN_MEMORY:
        _memory.popitem(last=False)
    return table


def _existing(path: str | Path, display_name: str | None) -> str | Path:
    """The path, or `DataError` when the file is gone (deleted after the retention period, or moved)."""
    if not Path(path).is_file():
        raise DataError("data.gone", name=display_name or Path(path).name, days=current().retention_days)
    return path


def _load(stored: Path) -> Table | None:
    try:
        with stored.open("rb") as handle:
            table = pickle.load(handle)  # our own file, written below from a parse of the user's upload
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return None
    return table if isinstance(table, Table) else None


def _store(stored: Path, table: Table) -> None:
    """Keep a parsed table for later processes. A failure (a full disk) costs a later process a parse, nothing
    else: the half-written file is removed and the error goes to the log (stderr) from the writer thread."""
    try:
        stored.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=stored.parent, delete=False, suffix=".tmp") as handle:
            try:
                pickle.dump(table, handle, protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                handle.close()
                os.unlink(handle.name)
                raise
        os.replace(handle.name, stored)
    finally:
        _writing.pop(stored, None)


def read_dataset(path: str | Path, *, display_name: str | None = None, sheet: str | None = None,
                 text_column: str | None = None, label_column: str | None = None) -> DatasetProfile:
    """Load (once), choose columns and profile in one call: the profile, or `DataError` / `NeedsChoice`.

    The profile of a table is computed once per choice of columns (a copy each time: callers may add to it)."""
    name = display_name or Path(path).name
    key = (table_key(_existing(path, name), sheet), name, str(path), text_column, label_column)
    with _profiles_lock:
        profile = _profiles.get(key)
    if profile is None:
        with collector.paused():  # a big upload makes many objects and no cycles (see core.collector)
            table = read_table(path, sheet=sheet, display_name=name)
            columns = detect_columns(table.frame, text_column=text_column, label_column=label_column,
                                     name=f"'{name}'")
            profile = profile_table(table, columns, name=name, path=str(path))
    with _profiles_lock:
        _profiles[key] = profile
        _profiles.move_to_end(key)
        while len(_profiles) > 4 * IN_MEMORY:
            _profiles.popitem(last=False)
    return copy.deepcopy(profile)
