"""Every environment variable modelpick reads, read in this one place into one `Settings` value.

The graph receives it as its run-time context (the LangGraph react-agent template's `Context`); the CLI and the
app build it once per command or turn with `Settings.from_env()`. Reading is cheap and side-effect free, so a test
that changes the environment gets the new values on its next call.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# chainlit's CI mode puts this placeholder into OPENAI_API_KEY; it is not a key.
CHAINLIT_CI_PLACEHOLDER = "sk-FAKE-OPENAI-API-KEY"
DEFAULT_MAX_UPLOAD_MB = 50
DEFAULT_MAX_ROWS = 200_000
DEFAULT_UPLOAD_QUOTA_MB = 500
DEFAULT_RETENTION_DAYS = 30
DEFAULT_MAX_LABELS = 200
DEFAULT_MAX_LABEL_CHARS = 200
DEFAULT_AGENT_TIMEOUT_S = 20.0
DEFAULT_FINETUNE_POLL_S = 30.0
OPENAI_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class Settings:
    """The configuration of one process or turn (README, "Configuration")."""

    home: Path
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    agent_model: str | None = None
    agent_timeout_s: float = DEFAULT_AGENT_TIMEOUT_S
    candidates_file: Path | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 1024 * 1024
    max_rows: int = DEFAULT_MAX_ROWS
    upload_quota_bytes: int = DEFAULT_UPLOAD_QUOTA_MB * 1024 * 1024
    retention_days: float = DEFAULT_RETENTION_DAYS
    timing_probe: bool = True
    # The largest label set and the longest label a classification task may have: beyond them an upload is
    # refused in one sentence (a 10,000-label file once took 20 GB to train a baseline on).
    max_labels: int = DEFAULT_MAX_LABELS
    max_label_chars: int = DEFAULT_MAX_LABEL_CHARS
    finetune_poll_s: float = DEFAULT_FINETUNE_POLL_S  # how often the app reads a running fine-tune's status

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        key = env.get("OPENAI_API_KEY") or None
        candidates = env.get("MODELPICK_CANDIDATES_FILE")
        return cls(
            home=Path(env.get("MODELPICK_HOME", ".modelpick")).expanduser().resolve(),
            openai_api_key=None if key == CHAINLIT_CI_PLACEHOLDER else key,
            openai_base_url=env.get("OPENAI_BASE_URL") or None,
            agent_model=env.get("MODELPICK_AGENT_MODEL") or None,
            agent_timeout_s=float(env.get("MODELPICK_AGENT_TIMEOUT_S", DEFAULT_AGENT_TIMEOUT_S)),
            candidates_file=Path(candidates) if candidates else None,
            max_upload_bytes=int(float(env.get("MODELPICK_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)) * 1024 * 1024),
            max_rows=int(env.get("MODELPICK_MAX_ROWS", DEFAULT_MAX_ROWS)),
            upload_quota_bytes=int(float(env.get("MODELPICK_UPLOAD_QUOTA_MB", DEFAULT_UPLOAD_QUOTA_MB)) * 1024 * 1024),
            retention_days=float(env.get("MODELPICK_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)),
            max_labels=int(env.get("MODELPICK_MAX_LABELS", DEFAULT_MAX_LABELS)),
            max_label_chars=int(env.get("MODELPICK_MAX_LABEL_CHARS", DEFAULT_MAX_LABEL_CHARS)),
            timing_probe=env.get("MODELPICK_TIMING_PROBE", "1").strip().lower() not in ("0", "false", "no", "off"),
            finetune_poll_s=max(0.2, float(env.get("MODELPICK_FINETUNE_POLL_S", DEFAULT_FINETUNE_POLL_S))),
        )

    def api_key_from(self, variable: str) -> str | None:
        """The key a candidates-file entry names by its environment variable (`api_key_env`)."""
        return os.environ.get(variable) or None


def current() -> Settings:
    """The settings as the environment says now."""
    return Settings.from_env()
