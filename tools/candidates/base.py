"""What every candidate is: the protocol the runner calls (`request`, `send`, `aclose`), the `Reply` it gets
back (latency, tokens, raw output, error), the failure kinds its circuit breaker counts, and the built-in ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core import shapes
from core.problems import Problem
from core.settings import current
from tools.data.evalset import EvalSplit

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
