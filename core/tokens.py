"""Token counting that never downloads: tiktoken reads the BPE files shipped in `knowledge/data/tiktoken/`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

TIKTOKEN_DIR = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "tiktoken"
# tiktoken reads this variable when an encoding is first loaded; set it before that can happen.
os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(TIKTOKEN_DIR))

DEFAULT_ENCODING = "o200k_base"


@lru_cache(maxsize=4)
def _encoding(name: str):
    import tiktoken

    return tiktoken.get_encoding(name)


def count_tokens(text: str, encoding: str = DEFAULT_ENCODING) -> int:
    """Tokens of `text` in an OpenAI encoding (o200k_base by default: GPT-4o and later)."""
    return len(_encoding(encoding).encode(text or "", disallowed_special=()))


# Chat framing: each message costs its content plus about 4 tokens, and the reply is primed with 3 (OpenAI's
# published counting recipe). The one place this overhead is written: budgets, forecasts and exports use it.
PER_MESSAGE_TOKENS = 4
REPLY_PRIMING_TOKENS = 3


def chat_tokens(messages: list[dict], encoding: str = DEFAULT_ENCODING) -> int:
    """Input tokens of a chat request: every message's content plus the framing."""
    return sum(count_tokens(m["content"], encoding) + PER_MESSAGE_TOKENS for m in messages) + REPLY_PRIMING_TOKENS
