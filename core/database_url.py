"""Which database the shared stores use, read from `MODELPICK_DATABASE_URL` — without importing SQLAlchemy.

The run store (`tools.run.runner`) only needs to know whether runs go to PostgreSQL; importing the chat history's
schema for that cost every `modelpick eval` a quarter of a second at start-up. `service.database` builds on these.
"""

from __future__ import annotations

import os
import re

URL_VARIABLE = "MODELPICK_DATABASE_URL"


def configured_url() -> str | None:
    """The PostgreSQL URL as the user wrote it, or None for the embedded SQLite default."""
    return os.environ.get(URL_VARIABLE, "").strip() or None


def libpq_url() -> str | None:
    """The PostgreSQL URL for libpq (psycopg, LangGraph's Postgres checkpointer), or None for the SQLite default."""
    url = configured_url()
    return None if url is None else re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)
