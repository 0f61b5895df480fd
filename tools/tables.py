"""Each upload is parsed once: the parsed table is kept, keyed by the file's content, and reused by the profile,
the plan, the run, the follow-ups and the exports.

The key is the SHA-256 of the file's bytes, the sheet, and the limits the parse enforced, so an edited file or a
changed limit is parsed again and nothing else is. A few tables stay in memory; every table is also written to
`MODELPICK_HOME/parsed/<key>.pkl`, so a later process (an app restart, `modelpick eval --resume`) skips the parse.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from core import workspace
from core.settings import current
from core.shapes import DatasetProfile
from tools.data import DataError, Table, detect_columns, load_table, profile_table

IN_MEMORY = 3  # tables kept in this process (a 100k-row table is tens of MB)
_memory: OrderedDict[str, Table] = OrderedDict()
_digests: dict[tuple[str, int, int], str] = {}
_one_parse_at_a_time = threading.Lock()


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
    if not Path(path).is_file():  # deleted after the retention period (or moved)
        raise DataError("data.gone", name=display_name or Path(path).name, days=current().retention_days)
    key = table_key(path, sheet)
    if key in _memory:
        _memory.move_to_end(key)
        return _memory[key]
    stored = workspace.home() / "parsed" / f"{key}.pkl"
    table = _load(stored)
    if table is None:
        with _one_parse_at_a_time:  # several big uploads at once must not multiply the server's memory
            table = load_table(path, sheet=sheet, display_name=display_name)
        _store(stored, table)
    _memory[key] = table
    while len(_memory) > IN_MEMORY:
        _memory.popitem(last=False)
    return table


def _load(stored: Path) -> Table | None:
    try:
        with stored.open("rb") as handle:
            table = pickle.load(handle)  # our own file, written below from a parse of the user's upload
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return None
    return table if isinstance(table, Table) else None


def _store(stored: Path, table: Table) -> None:
    stored.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("wb", dir=stored.parent, delete=False, suffix=".tmp") as handle:
        pickle.dump(table, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(handle.name, stored)


def read_dataset(path: str | Path, *, display_name: str | None = None, sheet: str | None = None,
                 text_column: str | None = None, label_column: str | None = None) -> DatasetProfile:
    """Load (once), choose columns and profile in one call: the profile, or `DataError` / `NeedsChoice`."""
    name = display_name or Path(path).name
    table = read_table(path, sheet=sheet, display_name=name)
    columns = detect_columns(table.frame, text_column=text_column, label_column=label_column, name=f"'{name}'")
    return profile_table(table, columns, name=name, path=str(path))
