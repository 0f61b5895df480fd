"""A chat candidate: any OpenAI-compatible endpoint through the openai SDK — one request per item, the
answer's logprob where the endpoint returns one, and every way a call can fail named, never guessed.
"""

from __future__ import annotations

import asyncio
import functools
import json
import ssl
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.problems import encode
from core.settings import OPENAI_URL, current
from tools.candidates.base import CandidateError, Reply
from tools.data.evalset import EvalSplit

if TYPE_CHECKING:
    import openai


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
