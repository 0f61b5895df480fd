"""A local OpenAI-compatible server for tests and benches: real HTTP/1.1 on loopback, faults on demand.

It answers `/v1/chat/completions` deterministically from the item text (so a run with faults must end with the
same predictions as one without), lists its model at `/v1/models`, and on a chosen share of calls answers 429
with Retry-After, 500, sleeps past the client's timeout, drops the connection, or sends a garbage body. It
counts what it served, per item text, so tests can prove that no finished call was repeated.

A minimal asyncio HTTP server rather than a framework, because dropping a connection mid-request is one of the
faults, and frameworks do not let an app do that.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from core.tokens import chat_tokens

FAULTS = ("429", "500", "timeout", "drop", "garbage")


@dataclass
class StubConfig:
    model: str = "stub-model"
    labels: tuple[str, ...] = ("positive", "negative")
    latency_s: float = 0.0
    fault_rate: float = 0.0
    faults: tuple[str, ...] = FAULTS
    retry_after_s: float = 0.05
    timeout_sleep_s: float = 3.0
    seed: int = 0
    api_key: str | None = None  # when set, other keys get 401
    reply_model: str | None = None  # answer as another model (to test the name check)
    reply_model_rate: float = 1.0  # the share of answers that name `reply_model`
    list_models: bool = True
    die_after: int | None = None  # the whole process exits after this many answers (a server that crashes)
    # Models of known accuracy: model m answers an item "… [label]" right iff `unit_hash(m, text) < accuracy`, so
    # a test can compute every model's true accuracy over the whole data set.
    accuracies: dict[str, float] | None = None
    unsure: tuple[str, ...] = ()  # of those models, the ones whose wrong answers are unparseable text
    # A model that leans on its examples: it answers with the label of the prompt's example sharing the most words
    # with the item (ties and no overlap: by hash) — so it is exactly as good as the examples it is shown.
    copy_nearest_example: bool = False
    # A model that knows nothing but what its prompt's passages say: it answers the label that a passage naming the
    # item's product (a capitalised word of the item) mentions, else "I cannot tell" — exactly as good as retrieval.
    answer_from_passages: bool = False
    # Fine-tuning (`/files`, `/fine_tuning/jobs`): a job succeeds after this many status reads, or fails with an
    # error when `finetune_fails` (a training file under 10 examples always fails, as OpenAI's does).
    finetune_polls: int = 2
    # Extraction: an item "… {json}" is answered with that object, each field wrong with its rate here (by hash,
    # so the expected per-field scores are computable), and `invalid_json_rate` of replies are prose, not JSON.
    field_error_rates: dict[str, float] | None = None
    # Open answers: a question "… [reference]" is answered with the reference iff unit_hash(model, question) is under
    # the model's `accuracies` entry (else "I am not sure."); a judge (a grader prompt) says RIGHT iff the answer
    # matches the reference, flipped on `judge_error_rate` of cases (by hash of the graded answer and question).
    judge_error_rate: float = 0.0
    # Models that answer 400 to `logprobs` (as OpenAI's reasoning models do); the others return the answer's
    # log-probability when asked (`answer_logprob`).
    refuse_logprobs: tuple[str, ...] = ()
    refuse_logprobs_status: int = 400  # 422: the way a strict server rejects a field it does not know
    invalid_json_rate: float = 0.0
    finetune_fails: bool = False


@dataclass
class StubStats:
    files: dict = field(default_factory=dict)  # file id → {"name", "bytes", "lines"}
    jobs: dict = field(default_factory=dict)  # job id → the job as served, plus "reads"
    requests: int = 0
    completions: int = 0
    faults: Counter = field(default_factory=Counter)
    served_per_text: Counter = field(default_factory=Counter)


def answer_for(text: str, labels: tuple[str, ...]) -> str:
    """The stub's (deterministic) answer: the label named at the end of the text when there is one, else by hash.

    Test data written as "… [label]" gets that label 80 % of the time; the other 20 % get another label, so
    accuracy is a real measurement, not 100 %.
    """
    digest = int(hashlib.sha256(text.encode()).hexdigest(), 16)
    for label in labels:
        if text.rstrip().endswith(f"[{label}]"):
            return label if digest % 10 < 8 else labels[(labels.index(label) + 1) % len(labels)]
    return labels[digest % len(labels)]


def nearest_example_label(messages: list[dict], text: str, labels: tuple[str, ...]) -> str:
    """The label of the example (a user turn followed by its assistant answer) with most words in common."""
    words = set(re.findall(r"\w+", text.lower()))
    best, best_overlap = None, 0
    for asked, answered in zip(messages, messages[1:], strict=False):
        if asked["role"] == "user" and answered["role"] == "assistant" and answered["content"] in labels:
            overlap = len(words & set(re.findall(r"\w+", asked["content"].lower().rsplit("Text:", 1)[-1])))
            if overlap > best_overlap:
                best, best_overlap = answered["content"], overlap
    return best or labels[int(hashlib.sha256(text.encode()).hexdigest(), 16) % len(labels)]


def passage_label(messages: list[dict], text: str, labels: tuple[str, ...]) -> str:
    """The label named by a numbered passage ("[1] …") that names one of the item's capitalised words."""
    names = {w for w in re.findall(r"\b[A-Z][a-z]{3,}\b", text)} - {"Text", "Can", "Where", "The", "What"}
    asked = messages[-1]["content"].rsplit("Text: ", 1)[0]
    for passage in re.findall(r"^\[\d+\] (.*)$", asked, flags=re.MULTILINE):
        for sentence in re.split(r"(?<=\.) ", passage):
            if names & set(re.findall(r"\w+", sentence)):
                named = [label for label in labels if re.search(rf"\b{re.escape(label)}\b", sentence)]
                if len(named) == 1:
                    return named[0]
    return "I cannot tell."


def extraction_answer(text: str, error_rates: dict[str, float], invalid_rate: float) -> str:
    """The JSON object at the end of the item's text, with each field corrupted iff its hash is under its rate."""
    if unit_hash("invalid-json", text) < invalid_rate:
        return "Sorry, I could not find those details."
    start = text.rfind("{")
    gold = json.loads(text[start:]) if start >= 0 else {}
    answer = {key: (f"wrong-{value}" if unit_hash(f"field:{key}", text) < error_rates.get(key, 0.0) else value)
              for key, value in gold.items()}
    return "```json\n" + json.dumps(answer) + "\n```"


def judge_answer(asked: str, error_rate: float) -> str:
    """A grader: RIGHT iff the graded answer equals the reference, flipped on `error_rate` of cases by hash."""
    reference = asked.split("Reference answer: ", 1)[1].split("\n\nAnswer to grade: ", 1)[0].strip()
    answer = asked.rsplit("Answer to grade: ", 1)[1].strip()
    right = answer.casefold() == reference.casefold()
    if unit_hash("judge", asked) < error_rate:
        right = not right
    return ("RIGHT\nIt states the reference's fact." if right else
            "WRONG\nIt does not give the reference's fact.")


def unit_hash(model: str, text: str) -> float:
    """A uniform number in [0, 1) from (model, text): whether a model of known accuracy gets the item right."""
    return int(hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()[:15], 16) / 16**15


def known_accuracy_answer(model: str, accuracy: float, text: str, labels: tuple[str, ...]) -> str:
    gold = next((label for label in labels if text.rstrip().endswith(f"[{label}]")), labels[0])
    return gold if unit_hash(model, text) < accuracy else labels[(labels.index(gold) + 1) % len(labels)]


def answer_logprob(model: str, text: str, label: str) -> float:
    """How sure the stub says it is: a right answer's log-probability lies in [-0.5, 0], a wrong one's in [-2, 0] —
    informative, not perfect, and computable by a test from the same hash."""
    spread = 0.5 if text.rstrip().endswith(f"[{label}]") else 2.0
    return -spread * unit_hash("logprob\n" + model, text)


class StubServer:
    """Start with `start()` (a background thread with its own event loop); `url` is the base URL (…/v1)."""

    def __init__(self, config: StubConfig | None = None, port: int = 0):
        self.config = config or StubConfig()
        self.stats = StubStats()
        self.port = port
        self._rng = random.Random(self.config.seed)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def reset_stats(self) -> None:
        self.stats = StubStats()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> StubServer:
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("stub server did not start")
        return self

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", self.port))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        if self._loop is None:
            return

        async def shutdown() -> None:
            self._server.close()
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in pending:  # handlers still sleeping (timeouts, latency): end them cleanly
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------ HTTP

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in lines[1:] if ":" in h)}
                body = await reader.readexactly(int(headers.get("content-length", 0) or 0))
                keep = await self._respond(method, path, headers, body, writer)
                if not keep:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, ValueError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _send(self, writer, status: int, payload, extra: dict | None = None) -> bool:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        reason = {200: "OK", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests", 500: "Server Error"}
        head = [f"HTTP/1.1 {status} {reason.get(status, 'OK')}", "Content-Type: application/json",
                f"Content-Length: {len(body)}", "Connection: keep-alive", *(f"{k}: {v}" for k, v in (extra or {}).items())]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await writer.drain()
        return True

    async def _respond(self, method: str, path: str, headers: dict, body: bytes, writer) -> bool:
        cfg = self.config
        self.stats.requests += 1
        if cfg.api_key and headers.get("authorization") != f"Bearer {cfg.api_key}":
            return await self._send(writer, 401, {"error": {"message": "Incorrect API key provided",
                                                            "type": "invalid_request_error"}})
        if method == "GET" and path.endswith("/models"):
            if not cfg.list_models:
                return await self._send(writer, 404, {"error": {"message": "not found"}})
            served = [cfg.model, *(cfg.accuracies or {}),  # and the models its fine-tuning jobs made
                      *(job["fine_tuned_model"] for job in self.stats.jobs.values() if job["fine_tuned_model"])]
            return await self._send(writer, 200, {"object": "list", "data": [
                {"id": name, "object": "model", "created": 0, "owned_by": "stub"} for name in served]})
        if "/files" in path or "/fine_tuning/" in path:
            return await self._fine_tuning(method, path, headers, body, writer)
        if method != "POST" or not path.endswith("/chat/completions"):
            return await self._send(writer, 404, {"error": {"message": f"no route {path}"}})
        request = json.loads(body or b"{}")
        text = request["messages"][-1]["content"].rsplit("Text: ", 1)[-1]
        if request.get("logprobs") and request.get("model") in cfg.refuse_logprobs:
            if cfg.refuse_logprobs_status == 422:
                return await self._send(writer, 422, {"detail": [{"type": "extra_forbidden", "loc": ["body", "logprobs"],
                                                                  "msg": "Extra inputs are not permitted"}]})
            return await self._send(writer, 400, {"error": {"message": "logprobs is not supported with this model",
                                                            "type": "invalid_request_error", "param": "logprobs"}})
        if cfg.latency_s:
            await asyncio.sleep(cfg.latency_s)
        if cfg.fault_rate and self._rng.random() < cfg.fault_rate:
            fault = self._rng.choice(cfg.faults)
            self.stats.faults[fault] += 1
            if fault == "429":
                return await self._send(writer, 429, {"error": {"message": "Rate limit reached", "type": "rate_limit"}},
                                        {"Retry-After": f"{cfg.retry_after_s:g}"})
            if fault == "500":
                return await self._send(writer, 500, {"error": {"message": "internal error", "type": "server_error"}})
            if fault == "timeout":
                await asyncio.sleep(cfg.timeout_sleep_s)
                return False
            if fault == "drop":
                return False  # close the connection without a word
            return await self._send(writer, 200, b'{"id": "x", "choices": [garbage')
        model = request.get("model", cfg.model)
        asked = request["messages"][-1]["content"]
        if request["messages"][0]["content"].startswith("You are a strict grader."):
            label = judge_answer(asked, cfg.judge_error_rate)
        elif asked.startswith("Question: ") or "\n\nQuestion: " in asked:
            question = asked.rsplit("Question: ", 1)[-1]
            reference = question[question.rfind("[") + 1:question.rfind("]")] if "[" in question else ""
            accuracy = (cfg.accuracies or {}).get(model, 0.8)
            label = reference if reference and unit_hash(model, question) < accuracy else "I am not sure."
        elif request["messages"][-1]["content"].startswith("Keys: "):
            label = extraction_answer(text, cfg.field_error_rates or {}, cfg.invalid_json_rate)
        elif cfg.copy_nearest_example:
            label = nearest_example_label(request["messages"], text, cfg.labels)
        elif cfg.answer_from_passages:
            label = passage_label(request["messages"], text, cfg.labels)
        elif cfg.accuracies and model in cfg.accuracies:
            label = known_accuracy_answer(model, cfg.accuracies[model], text, cfg.labels)
            if model in cfg.unsure and not text.rstrip().endswith(f"[{label}]"):
                label = "I cannot tell from this text."
        else:
            label = answer_for(text, cfg.labels)
        # Usage like OpenAI's: o200k tokens of every message plus the chat framing (the published counting recipe).
        prompt_tokens = chat_tokens(request["messages"])
        self.stats.completions += 1
        self.stats.served_per_text[text] += 1
        if cfg.die_after is not None and self.stats.completions > cfg.die_after:
            os._exit(70)  # like a crash: no reply, every connection reset, nothing listening any more
        return await self._send(writer, 200, {
            "id": f"chatcmpl-{self.stats.requests}", "object": "chat.completion", "created": int(time.time()),
            "model": (cfg.reply_model if cfg.reply_model and self._rng.random() < cfg.reply_model_rate
                      else request.get("model", cfg.model)),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": label}, "finish_reason": "stop",
                         "logprobs": {"content": [{"token": label, "bytes": list(label.encode()), "top_logprobs": [],
                                                   "logprob": answer_logprob(request.get("model", cfg.model), text,
                                                                             label)}]}
                         if request.get("logprobs") else None}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 1, "total_tokens": prompt_tokens + 1}})


    async def _fine_tuning(self, method: str, path: str, headers: dict, body: bytes, writer) -> bool:
        """OpenAI's files and fine-tuning jobs API, enough of it for the whole job flow: upload, create, status
        reads that move the job along (validating → queued → running → succeeded/failed), events."""
        cfg, stats = self.config, self.stats
        now = int(time.time())
        if method == "POST" and path.endswith("/files"):
            boundary = headers.get("content-type", "").split("boundary=")[-1].encode()
            parts = body.split(b"--" + boundary)
            content, name = b"", "upload"
            for part in parts:
                if b'name="file"' in part:
                    meta, _, content = part.partition(b"\r\n\r\n")
                    content = content.rsplit(b"\r\n", 1)[0]
                    found = re.search(rb'filename="([^"]*)"', meta)
                    name = found.group(1).decode() if found else name
            file_id = f"file-{len(stats.files) + 1}"
            stats.files[file_id] = {"name": name, "bytes": len(content),
                                    "lines": [json.loads(line) for line in content.decode().splitlines() if line]}
            return await self._send(writer, 200, {"id": file_id, "object": "file", "bytes": len(content),
                                                  "created_at": now, "filename": name, "purpose": "fine-tune",
                                                  "status": "processed"})
        if method == "POST" and path.endswith("/fine_tuning/jobs"):
            request = json.loads(body or b"{}")
            if request.get("training_file") not in stats.files:
                return await self._send(writer, 400, {"error": {"message": "invalid training_file",
                                                                "type": "invalid_request_error"}})
            job_id = f"ftjob-stub{len(stats.jobs) + 1}"
            stats.jobs[job_id] = {"id": job_id, "object": "fine_tuning.job", "model": request["model"],
                                  "created_at": now, "finished_at": None, "fine_tuned_model": None,
                                  "organization_id": "org-stub", "result_files": [], "status": "validating_files",
                                  "validation_file": None, "training_file": request["training_file"],
                                  "hyperparameters": request.get("hyperparameters") or {"n_epochs": "auto"},
                                  "trained_tokens": None, "error": None, "seed": 0, "reads": 0}
            return await self._send(writer, 200, self._job_view(job_id))
        found = re.search(r"/fine_tuning/jobs/([\w-]+)(/events|/cancel)?$", path.split("?", 1)[0])
        if not found or found.group(1) not in stats.jobs:
            return await self._send(writer, 404, {"error": {"message": "No such job", "type": "invalid_request_error"}})
        job = stats.jobs[found.group(1)]
        if found.group(2) == "/events":
            return await self._send(writer, 200, {"object": "list", "has_more": False, "data": [
                {"id": f"ftevent-{job['id']}-{n}", "object": "fine_tuning.job.event", "created_at": now,
                 "level": "error" if job["status"] == "failed" else "info", "message": message, "type": "message"}
                for n, message in enumerate(job.get("events") or [])][::-1]})
        if method == "GET":
            job["reads"] += 1
            lines = len(stats.files[job["training_file"]]["lines"])
            steps = ["validating_files", "queued", "running"]
            if job["status"] not in ("succeeded", "failed", "cancelled"):
                if cfg.finetune_fails or lines < 10:
                    job.update(status="failed", finished_at=now,
                               error={"code": "invalid_training_file", "param": "training_file",
                                      "message": f"The training file has {lines} example(s); at least 10 are needed."
                                      if lines < 10 else "Training diverged: the loss became NaN."})
                elif job["reads"] >= cfg.finetune_polls:
                    job.update(status="succeeded", finished_at=now, trained_tokens=1000,
                               fine_tuned_model=f"ft:{job['model']}:stub-org::{job['id'][-5:]}")
                else:
                    job["status"] = steps[min(job["reads"], len(steps) - 1)]
            job["events"] = [*dict.fromkeys([*(job.get("events") or []), f"Job {job['status']}"])]
            return await self._send(writer, 200, self._job_view(job["id"]))
        return await self._send(writer, 404, {"error": {"message": f"no route {path}"}})

    def _job_view(self, job_id: str) -> dict:
        return {k: v for k, v in self.stats.jobs[job_id].items() if k not in ("reads", "events")}


def main() -> None:
    parser = argparse.ArgumentParser(description="OpenAI-compatible stub server with fault injection")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--die-after", type=int, default=None, help="exit the process after N answers")
    parser.add_argument("--labels", default="positive,negative")
    args = parser.parse_args()
    config = StubConfig(latency_s=args.latency, fault_rate=args.fault_rate, die_after=args.die_after,
                        labels=tuple(args.labels.split(",")))
    server = StubServer(config, port=args.port).start()
    print(server.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
