"""Helpers for end-to-end tests in headless Debian Chromium against a real `chainlit run` server, offline."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from core import children

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def chainlit_server(home: Path, log: Path, extra_env: dict | None = None, port: int | None = None):
    """Start the app on a free (or the given) loopback port; yield its URL; always stop it."""
    port = port or free_port()
    env = {**os.environ, "MODELPICK_HOME": str(home), **(extra_env or {})}
    chainlit = Path(sys.executable).parent / "chainlit"
    with log.open("a") as out:
        proc = children.spawn([str(chainlit), "run", "app.py", "--headless", "--host", "127.0.0.1", "--port",
                               str(port)], registry=home / "run" / "test-servers", cwd=ROOT, env=env, stdout=out,
                              stderr=subprocess.STDOUT, start_new_session=True)  # dies with pytest
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"chainlit exited early:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"chainlit did not answer within 60 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        stop(proc)


def stop(process: subprocess.Popen) -> None:
    """Ask a server process to end; kill it if it has not within 10 s."""
    children.stop(process)


def guard_network(context, outside: list[str]) -> None:
    """Let loopback through, stub the KaTeX CDN stylesheet, abort and record everything else."""

    def route(route_, request) -> None:
        url = request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "http://localhost", "data:", "blob:")):
            route_.continue_()
        elif "katex" in url:
            route_.fulfill(status=200, content_type="text/css", body="")
        else:
            outside.append(url)
            route_.abort()

    context.route("**/*", route)


@contextmanager
def app_page(tmp_path: Path, *, extra_env: dict | None = None, height: int = 1600, timeout_ms: int = 20_000,
             locale: str = "en-US"):
    """The app in headless Chromium with the network guard; fails if the page asked for any outside address."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=timeout_ms)
    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    with chainlit_server(tmp_path / "home", tmp_path / "chainlit.log", extra_env) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": height}, accept_downloads=True, locale=locale)
        guard_network(context, outside)
        page = context.new_page()
        page.goto(url)
        try:
            yield page
        finally:
            browser.close()
    assert outside == [], f"the page requested outside addresses: {outside}"
