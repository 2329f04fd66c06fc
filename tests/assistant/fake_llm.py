"""A scriptable fake OpenAI-compatible chat server on 127.0.0.1 (port 0), run in a thread."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Messages = list[dict[str, str]]


class FakeLLM:
    """Answers POST /v1/chat/completions as scripted by the attributes below.

    reply: the reply text, or a function of the request's messages returning it;
    status: HTTP status to send (non-2xx sends an error body); delay: seconds to wait before
    answering (bounded; cut short on stop); chunk: characters per SSE chunk when streaming;
    failures: how many of the next requests get a 503 first (a retry test); body: raw bytes
    sent instead of a well-formed non-streaming reply (a malformed-reply test).
    """

    def __init__(self) -> None:
        self.reply: str | Callable[[Messages], str] = ""
        self.status = 200
        self.delay = 0.0
        self.chunk = 7
        self.failures = 0
        self.body: bytes | None = None
        self.requests: list[dict[str, Any]] = []
        self.auth: list[str | None] = []
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> FakeLLM:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def text_for(self, messages: Messages) -> str:
        return self.reply(messages) if callable(self.reply) else self.reply

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                fake.auth.append(self.headers.get("Authorization"))
                if fake.delay and fake._stop.wait(min(fake.delay, 10.0)):
                    return
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._answer(body)  # the client may have given up (timeout test)

            def _answer(self, body: dict[str, Any]) -> None:
                if fake.failures > 0:
                    fake.failures -= 1
                    self._send(503, "application/json", b'{"error": {"message": "busy"}}')
                    return
                if self.path != "/v1/chat/completions" or fake.status >= 300:
                    status = 404 if fake.status < 300 else fake.status
                    self._send(status, "application/json", b'{"error": {"message": "boom"}}')
                    return
                text = fake.text_for(body["messages"])
                if fake.body is not None and not body.get("stream"):
                    self._send(200, "application/json", fake.body)
                    return
                if not body.get("stream"):
                    reply = {"choices": [{"index": 0, "message": {"content": text}}]}
                    self._send(200, "application/json", json.dumps(reply).encode())
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for start in range(0, len(text), fake.chunk):
                    delta = {"choices": [{"delta": {"content": text[start : start + fake.chunk]}}]}
                    self.wfile.write(f"data: {json.dumps(delta)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")

            def _send(self, status: int, kind: str, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
