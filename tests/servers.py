"""Real servers for the scale-out tests: a throwaway PostgreSQL cluster (Debian's `postgresql` package) and a
Chroma server (`chroma run` from the chromadb package), each on a free loopback port, always stopped."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core import children
from tests.browser import free_port, stop


def postgres_bin() -> Path | None:
    """The folder of PostgreSQL's server programs (Debian keeps them out of PATH), or None if not installed."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(folder, "initdb").exists():
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@contextmanager
def postgres_server() -> Iterator[str]:
    """A new cluster in a temporary folder (trust authentication, loopback only); yields a postgresql:// URL of
    an empty database. PostgreSQL refuses to run as root, so under root it runs as the `postgres` user."""
    binaries = postgres_bin()
    if binaries is None:
        raise RuntimeError("PostgreSQL is not installed: `make test` installs Debian's postgresql package")
    folder = Path(tempfile.mkdtemp(prefix="modelpick-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", free_port()

    def run(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, capture_output=True, text=True)

    run(str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
    run(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-t", "60", "-o",
        f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c full_page_writes=off", "start")
    try:
        run(str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "modelpick")
        yield f"postgresql://postgres@127.0.0.1:{port}/modelpick"
    finally:
        subprocess.run([*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def chroma_server() -> Iterator[str]:
    """`chroma run` on a temporary folder; yields its http:// URL once its heartbeat answers."""
    folder, port = Path(tempfile.mkdtemp(prefix="modelpick-chroma-")), free_port()
    chroma = Path(sys.executable).parent / "chroma"
    log = (folder / "log").open("w")
    process = children.spawn([str(chroma), "run", "--path", str(folder / "data"), "--host", "127.0.0.1", "--port",
                              str(port)], registry=folder / "children", stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/api/v2/heartbeat", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"chroma run did not start:\n{(folder / 'log').read_text()[-2000:]}") from None
                time.sleep(0.3)
        yield url
    finally:
        stop(process)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)
