"""Token counting that never downloads: tiktoken reads the BPE files shipped in `knowledge/data/tiktoken/`.

`o200k_base` (the default) is built from its shipped file in one pass — 0.1 s instead of tiktoken's 0.37 s line
loop, paid by every fresh process that profiles an upload or forecasts a cost — with tiktoken's own `Encoding`;
its pattern and special tokens are tiktoken's published ones (a test holds them equal to `tiktoken_ext`'s).
"""

from __future__ import annotations

import binascii
import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tiktoken

TIKTOKEN_DIR = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "tiktoken"
# tiktoken reads this variable when an encoding is first loaded; set it before that can happen.
os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(TIKTOKEN_DIR))

DEFAULT_ENCODING = "o200k_base"

# tiktoken_ext/openai_public.py's o200k_base(): its file (named as tiktoken caches it), the file's sha256, its
# special tokens and its split pattern.
O200K_FILE = TIKTOKEN_DIR / "fb374d419588a4632f3f557e76b4b70aebbca790"
O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
O200K_SPECIAL_TOKENS = {"<|endoftext|>": 199999, "<|endofprompt|>": 200018}
O200K_PATTERN = "|".join([
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""\p{N}{1,3}""",
    r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
    r"""\s*[\r\n]+""",
    r"""\s+(?!\S)""",
    r"""\s+""",
])


def read_bpe(path: Path, sha256: str) -> dict[bytes, int]:
    """A tiktoken BPE file ("<base64 token> <rank>" per line) as tiktoken's `load_tiktoken_bpe` reads it, checked
    against its published hash as tiktoken checks it."""
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError(f"{path} is not the published BPE file (sha256 differs): reinstall modelpick")
    fields = data.split()
    return dict(zip(map(binascii.a2b_base64, fields[0::2]), map(int, fields[1::2]), strict=True))


@lru_cache(maxsize=4)
def _encoding(name: str) -> tiktoken.Encoding:
    import tiktoken

    if name == "o200k_base":
        return tiktoken.Encoding(name, pat_str=O200K_PATTERN, mergeable_ranks=read_bpe(O200K_FILE, O200K_SHA256),
                                 special_tokens=O200K_SPECIAL_TOKENS)
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
