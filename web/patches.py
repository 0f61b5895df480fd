"""Every patch modelpick applies to Chainlit's behaviour, in one module (its upstream repository is archived:
a move to a fork or another UI starts here). Each function names the Chainlit behaviour it corrects; `apply`
applies them all, once, before the handlers are registered.
"""

from __future__ import annotations

import asyncio
import uuid

import chainlit as cl
import chainlit.config
import chainlit.server
from chainlit.session import BaseSession
from fastapi import Request, Response

from core import workspace
from service import history, login
from words.catalog import say

_applied = False


def apply() -> None:
    """Apply every patch below (idempotent: a second import of the handlers changes nothing)."""
    global _applied
    if _applied:
        return
    accept_empty_uploads()
    private_files_folder()
    stop_in_the_users_language()
    login_rules_for_chainlit()
    _applied = True


def accept_empty_uploads() -> None:
    """Chainlit refuses to store a zero-byte upload (ValueError, a bare "Upload failed" pop-up, and the bot
    carries on). Store it as an empty file instead, so it reaches `tools.data.read` and gets modelpick's own
    sentence in the chat like every other bad file."""
    original = BaseSession.persist_file
    if getattr(original, "accepts_empty", False):
        return

    async def persist_file(self, name, mime, path=None, content=None):
        if not path and content is not None and len(content) == 0:
            self.files_dir.mkdir(exist_ok=True)
            empty = self.files_dir / f"empty-{uuid.uuid4().hex}"
            empty.touch()
            return await original(self, name, mime, path=str(empty))
        return await original(self, name, mime, path=path, content=content)

    persist_file.accepts_empty = True  # type: ignore[attr-defined]
    BaseSession.persist_file = persist_file  # type: ignore[method-assign]


def private_files_folder() -> None:
    """Chainlit keeps the browser's uploads in one `./.files` and deletes it on shutdown; give this process its
    own folder in the workspace, so stopping one app process never deletes another's uploads."""
    folder = workspace.incoming_dir()
    chainlit.config.FILES_DIRECTORY = folder
    chainlit.server.FILES_DIRECTORY = folder


def stop_in_the_users_language() -> None:
    """Chainlit answers the stop button with a fixed English "Task manually stopped."; say it in the user's
    language, then do what Chainlit does (cancel the turn, call `on_stop`)."""
    from chainlit.config import config
    from chainlit.context import init_ws_context
    from chainlit.session import WebsocketSession
    from chainlit.socket import sio

    async def stop_button(sid):
        session = WebsocketSession.get(sid)
        if session is None:
            return
        init_ws_context(session)
        await cl.Message(content=say("app.stopping", cl.user_session.get("language") or "en")).send()
        if session.current_task and not session.current_task.done():
            session.current_task.cancel()
        if config.code.on_stop:
            await config.code.on_stop()

    sio.on("stop", stop_button)


def login_rules_for_chainlit() -> None:
    """Chainlit offers its header login whenever a header callback exists (a failed try shows "Unauthorized"
    above the form) and honours a signed token until it expires. Offer the header login only when it can succeed,
    and refuse a token whose user may no longer log in that way (the local user once users exist, a removed user)."""
    import chainlit.auth
    from fastapi import HTTPException
    from fastapi.routing import APIRoute
    from jwt import InvalidTokenError

    async def auth_config():
        return {**chainlit.auth.get_configuration(), "headerAuth": await asyncio.to_thread(login.form_free_login)}

    original_decode = chainlit.auth.decode_jwt
    if getattr(original_decode, "checks_users", False):
        return

    def decode_jwt(token: str):
        user = original_decode(token)
        if not login.token_still_valid(user.identifier, (user.metadata or {}).get("provider")):
            raise InvalidTokenError("this login is no longer valid")
        return user

    decode_jwt.checks_users = True  # type: ignore[attr-defined]
    chainlit.auth.decode_jwt = decode_jwt
    chainlit.server.decode_jwt = decode_jwt

    async def element(object_key: str, request: Request):
        """A chart or file a conversation showed, to the user whose conversation it is (404 to anyone else)."""
        from chainlit.data import get_data_layer

        token = chainlit.auth.get_token_from_cookies(request.cookies)
        try:
            user = await chainlit.auth.authenticate_user(token) if token else None
        except HTTPException:
            user = None
        layer = get_data_layer()
        found = await layer.storage_provider.read(object_key) if user is not None and layer else None
        if found is None or getattr(user, "id", None) != history.element_owner(object_key):
            raise HTTPException(status_code=404, detail="Not found")
        return Response(content=found[0], media_type=found[1])

    router = chainlit.server.app.router
    router.routes[0:0] = [APIRoute("/auth/config", auth_config, methods=["GET"]),
                          APIRoute(history.ELEMENT_ROUTE + "{object_key:path}", element, methods=["GET"])]
