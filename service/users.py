"""The people who may use one modelpick service: names with bcrypt-hashed passwords, and the login secret.

With no user configured the app serves one local user (no login page, history kept); once `modelpick users add`
has created one, everyone logs in and sees only their own conversations, uploads, runs and exports. Users live in
the history database (`service.database`), so every app process behind one PostgreSQL knows the same people; their
password hashes live in a table of our own, never in Chainlit's user metadata (that goes to the browser).
Passwords are SHA-256'd before bcrypt (bcrypt reads only 72 bytes; a longer passphrase must not be cut short).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import bcrypt
from sqlalchemy import text

from core import workspace
from core.problems import Problem
from service import database

MIN_PASSWORD = 8
NAME_PATTERN = re.compile(r"^[\w.@-]{1,64}$", re.UNICODE)
SECRET_VARIABLE = "CHAINLIT_AUTH_SECRET"


class UserError(Problem):
    """A request about users that cannot be done: a `users.*` message id saying what to do instead."""


@dataclass(frozen=True)
class User:
    name: str
    created_at: str


def _prepared(password: str) -> bytes:
    return base64.b64encode(hashlib.sha256(password.encode("utf-8")).digest())


def add(name: str, password: str) -> User:
    """Create a user (a name of letters, digits, `.@_-`; a password of at least 8 characters)."""
    if not NAME_PATTERN.match(name) or name == workspace.LOCAL_USER:
        raise UserError("users.bad_name", name=name, local=workspace.LOCAL_USER)
    if len(password) < MIN_PASSWORD:
        raise UserError("users.short_password", chars=MIN_PASSWORD)
    if any(user.name == name for user in listed()):
        raise UserError("users.exists", name=name)
    user = User(name, datetime.now(UTC).isoformat(timespec="seconds"))
    hashed = bcrypt.hashpw(_prepared(password), bcrypt.gensalt()).decode("ascii")
    with database.engine().begin() as connection:
        connection.execute(text("INSERT INTO modelpick_users (name, password_hash, created_at) VALUES (:n, :h, :c)"),
                           {"n": user.name, "h": hashed, "c": user.created_at})
    return user


def listed() -> list[User]:
    with database.engine().connect() as connection:
        rows = connection.execute(text("SELECT name, created_at FROM modelpick_users ORDER BY name")).all()
    return [User(row[0], row[1]) for row in rows]


def remove(name: str) -> None:
    with database.engine().begin() as connection:
        removed = connection.execute(text("DELETE FROM modelpick_users WHERE name = :n"), {"n": name}).rowcount
    if not removed:
        raise UserError("users.unknown", name=name)


def exists(name: str) -> bool:
    """Whether this user may log in (one indexed lookup: asked on every authenticated request)."""
    with database.engine().connect() as connection:
        return connection.execute(text("SELECT 1 FROM modelpick_users WHERE name = :n"), {"n": name}).first() is not None


def any_configured() -> bool:
    """Whether login is required (at least one user exists)."""
    with database.engine().connect() as connection:
        return connection.execute(text("SELECT 1 FROM modelpick_users LIMIT 1")).first() is not None


def verify(name: str, password: str) -> bool:
    """Whether this name and password belong together (constant work for unknown names too)."""
    with database.engine().connect() as connection:
        row = connection.execute(text("SELECT password_hash FROM modelpick_users WHERE name = :n"),
                                 {"n": name}).first()
    hashed = row[0].encode("ascii") if row else bcrypt.hashpw(b"-", bcrypt.gensalt())
    return bcrypt.checkpw(_prepared(password), hashed) and row is not None


def auth_secret() -> str:
    """The secret that signs login tokens: `CHAINLIT_AUTH_SECRET` when set, else one generated once into the
    workspace (0600), so tokens survive a restart. Processes on several machines need the variable set to one value."""
    if os.environ.get(SECRET_VARIABLE):
        return os.environ[SECRET_VARIABLE]
    path = workspace.home() / "auth-secret"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process may be writing it this instant
            if secret := path.read_text(encoding="ascii").strip():
                return secret
            time.sleep(0.02)
        raise
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()
