"""A scripted OpenAI-compatible agent model for tests (real HTTP): recorded structured outputs, tool calls and
streamed text, failures on demand, and a log of every request body it received.

Rules are (substring, reply) pairs matched against the request's user text, first match wins:
- `structured`: replies to `response_format` requests (a dict sent as the JSON content);
- `tool_calls`: replies to requests that offer tools (a list of (name, arguments) → `tool_calls`);
- `texts`: replies to streamed requests (else the stub echoes the FACTS it was given, which always passes the
  numbers guard).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

from tests.stub_server import StubServer


@dataclass
class Script:
    structured: list[tuple[str, dict]] = field(default_factory=list)
    tool_calls: list[tuple[str, list[tuple[str, dict]]]] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)
    fail: str | None = None  # None | "500" | "timeout" | "invalid" — applied to every chat request
    model: str = "agent-model"


def _user_text(request: dict) -> str:
    return "\n".join(m.get("content") or "" for m in request.get("messages", []) if m.get("role") == "user")


def _match(rules, text: str):
    return next((reply for key, reply in rules if key in text), None)


class LLMStub(StubServer):
    def __init__(self, script: Script | None = None):
        super().__init__()
        self.script = script or Script()
        self.bodies: list[str] = []
        self.headers: list[dict] = []
        self.config.model = self.script.model

    async def _respond(self, method: str, path: str, headers: dict, body: bytes, writer) -> bool:
        if method != "POST" or not path.endswith("/chat/completions"):
            return await super()._respond(method, path, headers, body, writer)
        self.stats.requests += 1
        self.bodies.append(body.decode("utf-8", "replace"))
        self.headers.append(headers)
        request = json.loads(body or b"{}")
        script = self.script
        if script.fail == "500":
            return await self._send(writer, 500, {"error": {"message": "agent down", "type": "server_error"}})
        if script.fail == "timeout":
            await asyncio.sleep(5)
            return False
        text = _user_text(request)
        if request.get("stream"):
            reply = _match(script.texts, text)
            if reply is None:
                reply = text.split("FACTS:\n", 1)[-1] if "FACTS:" in text else "I can only help with choosing models."
            return await self._stream(writer, reply, request)
        if "response_format" in request:
            content = "not json at all" if script.fail == "invalid" else json.dumps(_match(script.structured, text) or {})
            return await self._complete(writer, request, {"role": "assistant", "content": content})
        if request.get("tools"):
            already = any(m.get("role") == "tool" for m in request["messages"])
            calls = None if already else _match(script.tool_calls, text)
            if calls:
                message = {"role": "assistant", "content": None, "tool_calls": [
                    {"id": f"call_{i}", "type": "function", "function": {"name": n, "arguments": json.dumps(a)}}
                    for i, (n, a) in enumerate(calls)]}
                return await self._complete(writer, request, message, "tool_calls")
            return await self._complete(writer, request, {"role": "assistant", "content": ""})
        return await self._complete(writer, request, {"role": "assistant", "content": _match(script.texts, text) or ""})

    async def _complete(self, writer, request: dict, message: dict, finish: str = "stop") -> bool:
        self.stats.completions += 1
        return await self._send(writer, 200, {
            "id": f"chatcmpl-{self.stats.requests}", "object": "chat.completion", "created": int(time.time()),
            "model": request.get("model"), "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})

    async def _stream(self, writer, text: str, request: dict) -> bool:
        """Server-sent events in HTTP/1.1 chunks, one small piece of text per event."""
        self.stats.completions += 1
        head = ["HTTP/1.1 200 OK", "Content-Type: text/event-stream", "Transfer-Encoding: chunked",
                "Connection: keep-alive"]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        pieces = [text[i:i + 12] for i in range(0, len(text), 12)] or [""]
        for piece in pieces:
            event = {"id": "chatcmpl-s", "object": "chat.completion.chunk", "created": int(time.time()),
                     "model": request.get("model"),
                     "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            self._chunk(writer, f"data: {json.dumps(event)}\n\n")
            await writer.drain()
        self._chunk(writer, "data: [DONE]\n\n")
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True

    @staticmethod
    def _chunk(writer, data: str) -> None:
        raw = data.encode()
        writer.write(f"{len(raw):x}\r\n".encode() + raw + b"\r\n")
