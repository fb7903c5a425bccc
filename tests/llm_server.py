"""A real OpenAI-compatible HTTP server on 127.0.0.1 for the LLM tests and the latency bench.

``LLMServer`` speaks ``POST /v1/chat/completions`` (plain JSON and ``stream: true`` server-sent events) and
``GET /v1/models``, on a threaded ``http.server`` bound to port 0. Each test scripts it: a queue of behaviours,
one taken per chat request, in order; when the queue is empty the ``default`` behaviour answers (by default a 500
saying the script ran out, so an unexpected extra request fails loudly). Every request is recorded (path, headers,
JSON body), so tests assert exactly how many requests were made and what they held.

Behaviours (functions below build them)::

    reply(text)                 a normal completion (streamed in pieces when the request asked for a stream)
    reply(text, delay=0.3)      ... after a delay
    reply("", refusal="…")      the ``refusal`` field OpenAI sets when a model declines
    status(429, headers={"Retry-After": "1"})    an error status with an OpenAI-style error body
    hang(5)                     say nothing for 5 s, then close (a server past the client's timeout)
    malformed()                 200 with a body that is not JSON
    truncated(text, 40)         stream the first 40 characters, then drop the connection (no finish, no [DONE])

Standard library only (``python tests/llm_server.py`` serves the correct-SVG reply forever, for trying the CLI).
"""

from __future__ import annotations

import http.server
import json
import re
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field


@dataclass
class Behaviour:
    kind: str  # reply, status, hang, malformed, truncated
    text: str = ""
    delay: float = 0.0
    code: int = 200
    headers: dict = field(default_factory=dict)
    body: object = None
    refusal: str | None = None
    finish_reason: str = "stop"
    cut: int = 0
    pace: float = 0.0  # seconds before each streamed piece (a model generating slowly)


def reply(text: str, *, delay: float = 0.0, refusal: str | None = None, finish_reason: str = "stop",
          pace: float = 0.0) -> Behaviour:
    return Behaviour("reply", text=text, delay=delay, refusal=refusal, finish_reason=finish_reason, pace=pace)


def status(code: int, message: str = "", *, headers: dict | None = None, delay: float = 0.0) -> Behaviour:
    body = {"error": {"message": message or f"scripted status {code}", "type": "scripted", "code": code}}
    return Behaviour("status", code=code, headers=dict(headers or {}), body=body, delay=delay)


def hang(seconds: float) -> Behaviour:
    return Behaviour("hang", delay=seconds)


def malformed(text: str = '{"id": "chatcmpl-1", "choices": [{"message": {"content": "<svg') -> Behaviour:
    return Behaviour("malformed", text=text)


def truncated(text: str, cut: int) -> Behaviour:
    return Behaviour("truncated", text=text, cut=cut)


def count_tokens(text: str) -> int:
    """A tokenizer stand-in: words, numbers and single punctuation marks (GPT tokenizers give about this many for
    English prose; SVG markup, dense in punctuation, comes out a little high)."""
    return len(re.findall(r"[A-Za-z]+|\d+|[^\sA-Za-z\d]", text))


@dataclass
class Request:
    path: str
    headers: dict
    body: dict | None
    at: float


class LLMServer:
    """``with LLMServer() as server:`` — ``server.url`` is the base URL to give a client (ends in ``/v1``)."""

    def __init__(self, default: Behaviour | None = None, chunk: int = 24, responder=None):
        self.default = default or status(500, "the test server's script ran out of replies")
        self.responder = responder  # body → Behaviour, asked when the queue is empty (before the default)
        self.chunk = chunk  # characters per streamed piece
        self.queue: deque[Behaviour] = deque()
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.active = 0  # requests being answered now
        self.hangups: list[float] = []  # when a client hung up on an answer being written (time.monotonic())
        self.peak_active = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # (header and body are separate writes: no 40 ms delayed-ACK stall)

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                if self.path.rstrip("/").endswith("/models"):
                    self._json(200, {"object": "list", "data": [{"id": "test-model", "object": "model"}]})
                else:
                    self._json(404, {"error": {"message": f"no route {self.path}"}})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    body = None
                with outer.lock:
                    outer.requests.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                                                time.monotonic()))
                    behaviour = outer.queue.popleft() if outer.queue else None
                if behaviour is None and outer.responder is not None and isinstance(body, dict):
                    behaviour = outer.responder(body)
                behaviour = behaviour or outer.default
                with outer.lock:
                    outer.active += 1
                    outer.peak_active = max(outer.peak_active, outer.active)
                try:
                    if not self.path.rstrip("/").endswith("/chat/completions"):
                        self._json(404, {"error": {"message": f"no route {self.path}"}})
                        return
                    outer._answer(self, behaviour, body if isinstance(body, dict) else {})
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout, a cancel)
                    with outer.lock:
                        outer.hangups.append(time.monotonic())
                finally:
                    with outer.lock:
                        outer.active -= 1

            def _json(self, code, data, headers=None):
                payload = json.dumps(data).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address):  # a client that hung up is no error here
                pass

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # -- scripting

    def script(self, *behaviours: Behaviour) -> "LLMServer":
        with self.lock:
            self.queue.extend(behaviours)
        return self

    @property
    def count(self) -> int:
        """Chat requests received so far."""
        return sum(1 for r in self.requests if r.path.rstrip("/").endswith("/chat/completions"))

    def reset(self) -> None:
        with self.lock:
            self.queue.clear()
            self.requests.clear()
            self.peak_active = 0

    def bodies(self) -> list[dict]:
        return [r.body for r in self.requests if r.path.rstrip("/").endswith("/chat/completions")]

    # -- life

    def start(self) -> "LLMServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "LLMServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- answering

    def _sleep(self, seconds: float) -> None:
        self.stopping.wait(seconds)

    def _answer(self, handler, b: Behaviour, body: dict) -> None:
        if b.delay and b.kind != "hang":
            self._sleep(b.delay)
        if b.kind == "status":
            handler._json(b.code, b.body, b.headers)
            return
        if b.kind == "hang":
            self._sleep(b.delay)
            handler.close_connection = True
            return
        if b.kind == "malformed":
            payload = b.text.encode()
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
            return
        model = body.get("model", "test-model")
        prompt_tokens = sum(count_tokens(str(m.get("content", ""))) for m in body.get("messages", []) or []
                            if isinstance(m, dict))
        if body.get("stream"):
            self._stream(handler, b, model, prompt_tokens)
            return
        message = {"role": "assistant", "content": b.text if b.refusal is None else None}
        if b.refusal is not None:
            message["refusal"] = b.refusal
        handler._json(200, {
            "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": b.finish_reason}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": count_tokens(b.text),
                      "total_tokens": prompt_tokens + count_tokens(b.text)},
        })

    def _stream(self, handler, b: Behaviour, model: str, prompt_tokens: int) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-cache")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()

        def send(data) -> None:
            event = ("data: " + (data if isinstance(data, str) else json.dumps(data)) + "\n\n").encode()
            handler.wfile.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
            handler.wfile.flush()

        def chunk(delta: dict, finish=None) -> dict:
            return {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()),
                    "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

        send(chunk({"role": "assistant", "content": ""}))
        text = b.text[:b.cut] if b.kind == "truncated" else b.text
        if b.refusal is not None:
            send(chunk({"refusal": b.refusal}))
        for i in range(0, len(text), self.chunk):
            if b.pace:
                self._sleep(b.pace)
            send(chunk({"content": text[i:i + self.chunk]}))
        if b.kind == "truncated":  # drop the connection mid-stream: no finish_reason, no [DONE], no final chunk
            handler.wfile.flush()
            handler.connection.shutdown(socket.SHUT_RDWR)
            handler.close_connection = True
            return
        send(chunk({}, b.finish_reason))
        send({"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
              "choices": [], "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": count_tokens(text),
                                       "total_tokens": prompt_tokens + count_tokens(text)}})
        send("[DONE]")
        handler.wfile.write(b"0\r\n\r\n")
        handler.wfile.flush()


CORRECT_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">'
               '<circle data-label="circle" cx="128" cy="256" r="80" fill="#1e88e5"/>'
               '<polygon data-label="triangle" points="384,176 464,336 304,336" fill="#e53935"/></svg>')


if __name__ == "__main__":
    with LLMServer(default=reply(CORRECT_SVG)) as server:
        print(f"serving at {server.url} (every chat request gets the same correct SVG); Ctrl-C stops")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
