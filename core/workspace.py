"""Where modelpick keeps what it makes: one folder, `MODELPICK_HOME` (default `./.modelpick/`).

Everything a conversation produces (uploads, checkpoints, runs, the Chroma store, reports) lives under it, so
deleting the folder is a full reset and pointing it elsewhere moves all state at once.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from contextvars import ContextVar
from pathlib import Path

from core import children
from core.settings import current


def home() -> Path:
    """The workspace root, created on first use."""
    root = current().home
    root.mkdir(parents=True, exist_ok=True)
    return root


def children_dir() -> Path:
    """Where the child processes of this workspace are recorded (`core.children`), to reap after a crash."""
    return home() / "run" / "children"


def checkpoints_path() -> Path:
    return home() / "checkpoints.sqlite"


def safe_name(name: str, fallback: str = "file") -> str:
    """A file or folder name that cannot climb out of its parent (no separators, no dot-dot)."""
    cleaned = re.sub(r"[^\w.\-]+", "_", Path(name).name, flags=re.UNICODE).strip("._")
    return cleaned[:120] or fallback


LOCAL_USER = "local"  # the one user of an app with no login configured
_acting_user: ContextVar[str] = ContextVar("modelpick_user", default=LOCAL_USER)


def current_user() -> str:
    """Whose uploads, endpoints and keys this turn reads and writes (the app sets it from the login per turn; the
    CLI and a login-free app are the local user)."""
    return _acting_user.get()


def act_as(user: str) -> None:
    """Make `user` the current user of this task (and of the threads and tasks it starts, which copy the context)."""
    _acting_user.set(user or LOCAL_USER)


def user_uploads_dir(user: str | None = None) -> Path:
    """Everything one user uploaded (the quota counts this folder)."""
    return home() / "uploads" / safe_name(user or current_user(), "user")


def uploads_dir(thread_id: str, user: str | None = None) -> Path:
    """Uploads of one conversation, kept so later turns can re-read them (until the retention period ends)."""
    folder = user_uploads_dir(user) / safe_name(thread_id, "thread")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def max_upload_bytes() -> int:
    return current().max_upload_bytes


def max_rows() -> int:
    return current().max_rows


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def blob_path(digest: str, user: str | None = None) -> Path:
    """Where a user's upload with these bytes is kept once, whichever conversations refer to it."""
    return user_uploads_dir(user) / ".blobs" / digest


def keep_upload(thread_id: str, source: str | Path, name: str, user: str | None = None) -> dict:
    """Keep an upload by its content: the same bytes are stored once per user (`.blobs/<sha256>`) and each
    conversation's folder holds a hard link to them under the file's own name (never overwriting another).

    Returns the `{"path", "name"}` record the graph keeps: the original name for messages, the kept path for
    reading, so a later turn can re-read the file after the UI has dropped its temporary copy.
    """
    blob = blob_path(file_digest(source), user)
    if blob.exists():
        os.utime(blob)  # a new reference: the retention period starts again for every link
    else:
        blob.parent.mkdir(parents=True, exist_ok=True)
        partial = blob.with_name(f"{blob.name}.{uuid.uuid4().hex[:8]}.partial")
        shutil.copyfile(source, partial)
        partial.replace(blob)
    folder = uploads_dir(thread_id, user)
    target = folder / safe_name(name)
    if target.exists() and target.stat().st_ino == blob.stat().st_ino:
        return {"path": str(target), "name": name}  # the same file sent again in the same conversation
    if target.exists():
        target = folder / f"{target.stem}-{uuid.uuid4().hex[:8]}{target.suffix}"
    try:
        os.link(blob, target)
    except OSError:  # a filesystem without hard links: a copy (counted again, as it takes the space again)
        shutil.copyfile(blob, target)
    return {"path": str(target), "name": name}


def incoming_dir() -> Path:
    """This process's own folder for the browser's uploads before they are checked (Chainlit's `.files`).

    Chainlit deletes its whole files folder on shutdown; with one shared `./.files`, a second app process on the
    same checkout lost its users' uploads when the first one stopped. Each process gets `incoming/<pid>-<random>`
    and folders of processes that are no longer running are removed when another starts.
    """
    root = home() / "incoming"
    root.mkdir(parents=True, exist_ok=True)
    for folder in root.iterdir():
        pid = folder.name.split("-", 1)[0]
        if pid.isdigit() and not children.alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
    mine = root / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    mine.mkdir()
    return mine
