"""Who is using the app, decided the same way for every request: the rules behind the app's login callbacks.

- No user configured: everyone is the one local user, logged in without a form (Chainlit's header login, which
  the browser performs by itself), so history works with zero set-up.
- Users configured (`modelpick users add`): the password form; the local user's old token stops working at once,
  and so does the token of a user who has been removed.
- `MODELPICK_TRUSTED_HEADER=X-Forwarded-User` (behind a reverse proxy that authenticates): the header names the
  user. Only set it when the proxy strips that header from what clients send.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from core import workspace
from service import users

TRUSTED_HEADER_VARIABLE = "MODELPICK_TRUSTED_HEADER"
PASSWORD, HEADER, LOCAL = "password", "header", "local"


def trusted_header() -> str | None:
    return os.environ.get(TRUSTED_HEADER_VARIABLE, "").strip() or None


def password_user(name: str, password: str) -> str | None:
    """The user a login form names, if the password is theirs."""
    return name if users.verify(name, password) else None


def header_user(headers: Mapping[str, str]) -> tuple[str, str] | None:
    """(user, provider) for a login without a form: the trusted proxy header, else the local user when nobody is
    configured; None means "show the password form"."""
    header = trusted_header()
    if header:
        value = (headers.get(header) or headers.get(header.lower()) or "").strip()
        if value and users.NAME_PATTERN.match(value):
            return value, HEADER
    if not users.any_configured():
        return workspace.LOCAL_USER, LOCAL
    return None


def form_free_login() -> bool:
    """Whether the browser should try the header login (else it shows the form at once, with no error)."""
    return bool(trusted_header()) or not users.any_configured()


def token_still_valid(name: str, provider: str | None) -> bool:
    """A signed token is honoured only while its user may still log in the same way."""
    if provider == LOCAL or name == workspace.LOCAL_USER:
        return not users.any_configured()
    if provider == HEADER:
        return bool(trusted_header())
    return users.exists(name)
