"""Token counting: the fast o200k_base is tiktoken's own encoding, read from the shipped file without a download."""

from __future__ import annotations

from pathlib import Path

import pytest
import tiktoken
from tiktoken_ext import openai_public

from core import tokens
from tests.conftest import DATASETS


def test_the_fast_o200k_is_tiktokens_own() -> None:
    published = openai_public.o200k_base()  # reads the same shipped file (TIKTOKEN_CACHE_DIR), line by line
    fast = tokens._encoding("o200k_base")
    assert fast._pat_str == published["pat_str"]
    assert fast._special_tokens == published["special_tokens"]
    assert fast._mergeable_ranks == published["mergeable_ranks"]
    reference = tiktoken.Encoding(**published)
    texts = (DATASETS / "sms_spam.csv").read_text(encoding="utf-8").splitlines()[:500] + [
        "退款什么时候到账？订单号 12345", "naïve café — “quotes” 🙂", "", "<|endoftext|> stays text", "a\r\n\tb  "]
    assert [tokens.count_tokens(t) for t in texts] == [
        len(reference.encode(t, disallowed_special=())) for t in texts]


def test_a_changed_bpe_file_is_refused(tmp_path: Path) -> None:
    changed = tmp_path / "o200k"
    changed.write_bytes(tokens.O200K_FILE.read_bytes().replace(b" 0\n", b" 1\n", 1))
    with pytest.raises(ValueError, match="sha256"):
        tokens.read_bpe(changed, tokens.O200K_SHA256)


def test_other_encodings_still_come_from_tiktoken() -> None:
    assert tokens.count_tokens("hello world", "cl100k_base") == 2
