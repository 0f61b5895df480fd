"""tools/data/uploads.py: an upload is checked before it is kept, counted against its user's quota, deleted after the
retention period; a kept file that cannot be read is removed; each app process has its own incoming folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from langgraph.checkpoint.sqlite import SqliteSaver

from agent.graph import compile_graph, new_replies, reply_text, turn_input
from core import workspace
from tests.conftest import DATASETS
from tools.data import uploads


def _kept_files() -> list[Path]:
    """The conversations' files (each content is also kept once under `.blobs/`, which they link to)."""
    root = workspace.home() / "uploads"
    return [p for p in root.rglob("*") if p.is_file() and ".blobs" not in p.parts] if root.is_dir() else []


def _say(graph, thread: str, text: str, files: list[dict]) -> str:
    state = graph.invoke(turn_input(text, files), {"configurable": {"thread_id": thread}})
    return "\n\n".join(reply_text(m) for m in new_replies(state))


def test_a_file_over_the_limit_or_binary_is_answered_and_never_copied(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MODELPICK_MAX_UPLOAD_MB", "1")
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(3 << 20)
    image = tmp_path / "photo.csv"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(500))
    with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        reply = _say(graph, "t", "", [uploads.accept("t", big, "big.csv")])
        assert "3.0 MB, over the 1 MB upload limit" in reply
        reply = _say(graph, "t", "", [uploads.accept("t", image, "photo.csv")])
        assert "PNG image" in reply
    assert _kept_files() == []


def test_a_kept_file_that_cannot_be_parsed_is_removed_and_a_good_one_stays(tmp_path) -> None:
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("text,label\nhello,ham\nwin, money now,spam\nok,ham\n")
    with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        reply = _say(graph, "t", "", [uploads.accept("t", ragged, "ragged.csv")])
        assert "line 3 has 3" in reply
        assert _kept_files() == []
        reply = _say(graph, "t", "", [uploads.accept("t", DATASETS / "sms_spam.csv", "sms_spam.csv")])
        assert "5,574" in reply
    assert [p.name for p in _kept_files()] == ["sms_spam.csv"]


def test_the_quota_counts_a_users_kept_uploads_in_both_languages(tmp_path, monkeypatch) -> None:
    size = (DATASETS / "sms_spam.csv").stat().st_size
    monkeypatch.setenv("MODELPICK_UPLOAD_QUOTA_MB", str(1.5 * size / 1048576))
    first = uploads.accept("a", DATASETS / "sms_spam.csv", "sms_spam.csv")
    assert "problem" not in first and Path(first["path"]).is_file()
    changed = tmp_path / "again.csv"  # other bytes (the same bytes again are kept once and cost nothing)
    changed.write_bytes((DATASETS / "sms_spam.csv").read_bytes().replace(b"ham", b"HAM"))
    second = uploads.accept("b", changed, "again.csv")  # another conversation, same user
    assert second["problem"].startswith("data.quota ")
    with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        reply = _say(graph, "zh", "我们要把短信分成垃圾和正常", [])
        reply = _say(graph, "zh", "", [second])
        assert "配额" in reply and "MODELPICK_UPLOAD_QUOTA_MB" in reply
    assert len(_kept_files()) == 1
    assert uploads.accept("c", DATASETS / "sms_spam.csv", "other.csv", user="someone-else").get("problem") is None


def test_uploads_older_than_the_retention_period_are_deleted_and_the_conversation_says_so(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MODELPICK_RETENTION_DAYS", "30")
    with SqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        graph = compile_graph(saver)
        _say(graph, "t", "", [uploads.accept("t", DATASETS / "sms_spam.csv", "sms_spam.csv")])
        kept = _kept_files()
        old = time.time() - 31 * 86400
        for path in kept + list((workspace.home() / "parsed").glob("*")):
            os.utime(path, (old, old))
        assert uploads.purge_expired() >= 1
        assert _kept_files() == [] and not list((workspace.home() / "parsed").glob("*.pkl"))
        reply = _say(graph, "t", "use the label column", [])
        assert "no longer kept" in reply and "30 days" in reply
    monkeypatch.setenv("MODELPICK_RETENTION_DAYS", "0")  # 0 keeps everything
    uploads.accept("u", DATASETS / "sms_spam.csv", "sms_spam.csv")
    assert uploads.purge_expired(now=time.time() + 400 * 86400) == 0 and len(_kept_files()) == 1


def test_each_process_has_its_own_incoming_folder_and_dead_ones_are_cleared(tmp_path) -> None:
    root = workspace.home() / "incoming"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = root / f"{dead.stdout.strip()}-deadbeef"
    stale.mkdir(parents=True)
    (stale / "upload").write_text("x")
    alive = root / f"{os.getppid()}-cafecafe"
    alive.mkdir()
    mine = workspace.incoming_dir()
    other = workspace.incoming_dir()
    assert mine != other and mine.is_dir() and other.is_dir()
    assert not stale.exists() and alive.exists()


def test_the_same_bytes_are_kept_once_per_user_and_counted_once(tmp_path, workspace_home, monkeypatch) -> None:
    """Ten re-uploads of one file used to be ten full copies, each counted against the quota."""
    from core import workspace
    from tools.data import uploads

    source = tmp_path / "data.csv"
    source.write_text("text,label\n" + "".join(f"row {i},{'ab'[i % 2]}\n" for i in range(20_000)))
    size = source.stat().st_size
    monkeypatch.setenv("MODELPICK_UPLOAD_QUOTA_MB", str(1.5 * size / 1048576))  # room for one copy, not two
    kept = [uploads.accept(f"thread-{i % 3}", source, "data.csv") for i in range(10)]
    assert all("problem" not in record for record in kept)
    assert uploads.usage() == size  # the bytes kept, not the uploads
    assert len({Path(r["path"]) for r in kept}) == 3  # one reference per conversation
    assert all(Path(r["path"]).read_bytes() == source.read_bytes() for r in kept)
    other = tmp_path / "other.csv"
    other.write_bytes(source.read_bytes().replace(b"row", b"ROW"))
    assert "data.quota" in uploads.accept("thread-0", other, "other.csv")["problem"]  # new bytes do count
    for record in kept:
        uploads.discard(record)
    assert uploads.usage() == 0 and not list((workspace.user_uploads_dir() / ".blobs").iterdir())
