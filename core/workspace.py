"""Where modelpick keeps what it makes: one folder, `MODELPICK_HOME` (default `./.modelpick/`).

Everything a conversation produces (uploads, checkpoints, runs, the Chroma store, reports) lives under it, so
deleting the folder is a full reset and pointing it elsewhere moves all state at once.
"""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

from core.settings import current


def home() -> Path:
    """The workspace root, created on first use."""
    root = current().home
    root.mkdir(parents=True, exist_ok=True)
    return root


def checkpoints_path() -> Path:
    return home() / "checkpoints.sqlite"


def safe_name(name: str, fallback: str = "file") -> str:
    """A file or folder name that cannot climb out of its parent (no separators, no dot-dot)."""
    cleaned = re.sub(r"[^\w.\-]+", "_", Path(name).name, flags=re.UNICODE).strip("._")
    return cleaned[:120] or fallback


def uploads_dir(thread_id: str) -> Path:
    """Uploads of one conversation; kept for the life of the workspace so later turns can re-read them."""
    folder = home() / "uploads" / safe_name(thread_id, "thread")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def max_upload_bytes() -> int:
    return current().max_upload_bytes


def max_rows() -> int:
    return current().max_rows


def keep_upload(thread_id: str, source: str | Path, name: str) -> dict:
    """Copy an uploaded file into the thread's folder (never overwriting an earlier upload).

    Returns the `{"path", "name"}` record the graph keeps: the original name for messages, the kept path for
    reading, so a later turn can re-read the file after the UI has dropped its temporary copy.
    """
    folder = uploads_dir(thread_id)
    target = folder / safe_name(name)
    if target.exists():
        target = folder / f"{target.stem}-{uuid.uuid4().hex[:8]}{target.suffix}"
    shutil.copyfile(source, target)
    return {"path": str(target), "name": name}
