"""`modelpick catalog refresh`: fetch the upstream price table into the workspace, when online.

The shipped table stays the fallback; a downloaded copy is only used once it parses and looks like the table.
"""

from __future__ import annotations

import json
from datetime import date

import httpx

from core import workspace
from core.problems import reason
from core.shapes import Reason
from knowledge.catalog import META_PATH, TABLE_PATH


def refreshed_paths():
    folder = workspace.home() / "prices"
    return folder / TABLE_PATH.name, folder / META_PATH.name


def refresh_table(timeout_s: float = 10.0) -> Reason:
    """What happened, as a message (downloaded N models, or offline and kept the shipped table)."""
    meta = json.loads(META_PATH.read_text(encoding="utf-8"))
    try:
        response = httpx.get(meta["upstream_url"], timeout=timeout_s, follow_redirects=True)
        response.raise_for_status()
        table = response.json()
    except (httpx.HTTPError, ValueError) as error:
        return reason("refresh.offline", error=type(error).__name__, as_of=meta["as_of"])
    if not isinstance(table, dict) or len(table) < 100 or "gpt-4o" not in table:
        return reason("refresh.not_a_table", as_of=meta["as_of"])
    table_path, meta_path = refreshed_paths()
    table_path.parent.mkdir(parents=True, exist_ok=True)
    table_path.write_text(json.dumps(table), encoding="utf-8")
    meta_path.write_text(json.dumps({**meta, "as_of": date.today().isoformat()}), encoding="utf-8")
    return reason("refresh.done", models=len(table), path=str(table_path), as_of=date.today().isoformat())
