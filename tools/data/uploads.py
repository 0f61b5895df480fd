"""Uploads: checked before they are kept, counted against a per-user quota, deleted after the retention period.

An upload reaches the workspace only when it can be a table (or is named as a document for RAG: those are read
one by one, `tools.data.documents`): a file over the size limit, a binary file (its
first 64 KB say so) or one that would take its user over the quota is answered from where it arrived and never
copied, so a rejected 300 MB file leaves nothing behind. A kept file that then fails to parse is removed again
(`discard`). Files older than `MODELPICK_RETENTION_DAYS` (default 30; 0 keeps them forever) are deleted — with
the parsed copies of any table — when the app starts and at most once an hour after that.
"""

from __future__ import annotations

import time
from pathlib import Path

from core import workspace
from core.problems import encode
from core.settings import current
from tools.data.documents import DOCUMENT_SUFFIXES
from tools.data.read import DataError, sniff_content

SNIFF_BYTES = 65536
PURGE_EVERY_S = 3600.0
_last_purge = {"at": 0.0}


def accept(thread_id: str, source: str | Path, name: str, user: str | None = None) -> dict:
    """The `{"path", "name"}` record the graph reads; a rejected file gets `"problem"` (an encoded reason, the
    sentence the user sees) and stays where it arrived."""
    purge_expired(force=False)
    source = Path(source)
    problem = check(source, name, user)
    if problem is not None:
        return {"path": str(source), "name": name, "problem": problem}
    return workspace.keep_upload(thread_id, source, name, user)


def check(source: Path, name: str, user: str | None = None) -> str | None:
    """Why this file cannot be kept, as an encoded reason — or None. Reads at most the first 64 KB."""
    settings = current()
    if source.is_symlink():
        return encode("candidate.symlink", path=name)
    size = source.stat().st_size
    if size > settings.max_upload_bytes:
        return encode("data.too_large", name=name, mb=size / 1048576, limit_mb=settings.max_upload_bytes / 1048576)
    used = usage(user)
    if used + size > settings.upload_quota_bytes and not workspace.blob_path(workspace.file_digest(source), user).exists():
        # bytes this user already keeps cost no quota again: the same content is stored once
        return encode("data.quota", name=name, used_mb=used / 1048576, mb=size / 1048576,
                      quota_mb=settings.upload_quota_bytes / 1048576, days=settings.retention_days)
    if size and Path(name).suffix.lower() not in DOCUMENT_SUFFIXES:  # documents are checked one by one when read
        with source.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
        try:
            sniff_content(head, name)
        except DataError as error:
            return encode(error.id, **error.values)
    return None


def usage(user: str | None = None) -> int:
    """Bytes a user's kept uploads take on disk: each stored content once, however many conversations link it."""
    folder = workspace.user_uploads_dir(user)
    if not folder.is_dir():
        return 0
    sizes = {}
    for path in folder.rglob("*"):
        if path.is_file():
            stat = path.stat()
            sizes[(stat.st_dev, stat.st_ino)] = stat.st_size
    return sum(sizes.values())


def discard(record: dict) -> None:
    """Remove a kept upload that turned out unreadable (only ever a file inside the workspace's uploads)."""
    path = Path(record.get("path") or "")
    uploads = (workspace.home() / "uploads").resolve()
    if path.is_file() and uploads in path.resolve().parents:
        inode = path.stat().st_ino
        path.unlink()
        for blob in path.parent.parent.glob(".blobs/*"):  # its content, if nothing else refers to it
            if blob.stat().st_ino == inode and blob.stat().st_nlink == 1:
                blob.unlink(missing_ok=True)


def purge_expired(*, force: bool = True, now: float | None = None) -> int:
    """Delete uploads and parsed tables older than the retention period; how many files went."""
    days = current().retention_days
    now = time.time() if now is None else now
    if days <= 0 or (not force and now - _last_purge["at"] < PURGE_EVERY_S):
        return 0
    _last_purge["at"] = now
    cutoff = now - days * 86400
    removed = 0
    for folder in (workspace.home() / "uploads", workspace.home() / "parsed"):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*"), reverse=True):  # files before their folders
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    for blob in (workspace.home() / "uploads").glob("*/.blobs/*"):  # content no conversation refers to any more
        if blob.is_file() and blob.stat().st_nlink == 1 and not blob.name.endswith(".partial"):
            blob.unlink(missing_ok=True)
            removed += 1
    return removed
