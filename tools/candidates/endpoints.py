"""Model endpoints a user configures in the app (the settings panel), kept per user in the workspace.

A suggestion like "add llama-3.1-8b" is only useful if the user can act on it right there, so the settings panel
takes a base URL, a model name, a key and the prices. The endpoint is checked (the server answers and serves that
model) before it is kept. The key is written to its own file, readable only by this process's user (0600), and is
never shown again, logged, put in a run's configuration (which names the endpoint by id) or exported; the
endpoint file holds everything else. `tools.candidates.registry.configured_entries` lists these beside the candidates file.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import yaml

from core import workspace


def _folder(user: str | None) -> Path:
    folder = workspace.home() / "users" / workspace.safe_name(user or workspace.current_user(), "user")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def endpoint_id(model: str) -> str:
    """The id a configured endpoint is added by ("add <id>"): the model's name, made safe."""
    return re.sub(r"[^\w.:-]+", "-", model.strip()).strip("-")[:80] or "endpoint"


def user_entries(user: str | None = None) -> list[dict]:
    """The endpoints a user configured in the app (no keys: `"key_ref": true` says one is stored)."""
    path = _folder(user) / "endpoints.yaml"
    if not path.is_file():
        return []
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [e for e in entries if isinstance(e, dict) and e.get("id") and e.get("model")]


def save_endpoint(entry: dict, key: str | None, user: str | None = None) -> dict:
    """Keep an endpoint (replacing one with the same id) and its key; returns the stored entry (without a key)."""
    stored = {k: v for k, v in entry.items() if k not in ("api_key", "key") and v not in (None, "")}
    if key:
        keys = _keys(user)
        keys[stored["id"]] = key
        path = _folder(user) / "keys.json"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(keys, handle)
        os.chmod(path, 0o600)
        stored["key_ref"] = True
    entries = [e for e in user_entries(user) if e["id"] != stored["id"]] + [stored]
    (_folder(user) / "endpoints.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return stored


def stored_key(endpoint: str, user: str | None = None) -> str | None:
    return _keys(user).get(endpoint)


def _keys(user: str | None) -> dict[str, str]:
    path = _folder(user) / "keys.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
