"""Problems a user can fix, as a message id and its values — never as a sentence.

tools/ and knowledge/ raise these; the agent (or the CLI) phrases them in the user's language from the message
catalog (`words/catalog.py`), so a Chinese conversation gets a Chinese explanation of an English tool's finding.
"""

from __future__ import annotations

import json
import re
from typing import Any

from core.shapes import Reason

_ID = re.compile(r"[a-z_]+(?:\.[a-z_ ]+)+")


class Problem(Exception):
    """`id` names the message in the catalog; `values` fill it (file names, counts, limits…)."""

    def __init__(self, message_id: str, /, **values: Any):
        super().__init__(message_id)
        self.id = message_id
        self.values = values

    @property
    def code(self) -> str:
        """The last part of the id ("data.empty" → "empty"): a stable code for tests and branches."""
        return self.id.rsplit(".", 1)[-1]

    def __str__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{self.id}({shown})"


def reason(message_id: str, /, **values: Any) -> Reason:
    """A finding or reason as data (`{"id", "values"}`), phrased later by the agent."""
    return {"id": message_id, "values": values}


def encode(message_id: str, /, **values: Any) -> str:
    """A reason as one string, for places that store text (a per-item error in runs.sqlite): 'id {json}'."""
    return f"{message_id} {json.dumps(values, ensure_ascii=False, default=str)}"


def decode(text: str) -> dict[str, Any] | None:
    """The reason an `encode`d string holds, or None for plain text (a server's own error message)."""
    head, _, rest = text.partition(" ")
    if not _ID.fullmatch(head) or not rest.startswith("{"):
        return None
    try:
        values = json.loads(rest)
    except ValueError:
        return None
    return {"id": head, "values": values} if isinstance(values, dict) else None
