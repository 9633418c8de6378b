"""A small OpenAI-compatible server for tests: real HTTP on 127.0.0.1, scripted replies.

It speaks `GET /v1/models` and `POST /v1/chat/completions`, plain and streamed (SSE), and can
answer with any status, hang, cut a reply short, refuse, or imitate llama.cpp's server, which
rejects `json_schema` response formats with HTTP 500 but accepts `json_object` with a schema.
The grader under test talks to it through the real openai client, so retries, timeouts,
streaming and error mapping are exercised as in production.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GATE_SECONDS = 10.0


@dataclass
class Reply:
    """One scripted answer to a chat completion request."""

    content: str | None = None
    status: int = 200
    error: str = "error"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a hang when long)
    chunk_delay: float = 0.0  # seconds between streamed chunks
    finish_reason: str = "stop"
    refusal: str | None = None
    usage: bool = True
    chunk_size: int = 7
    plain_body: bool = False  # answer a streamed request with one plain JSON body
    events: list[str] | None = None  # a streamed reply's "data:" payloads, sent as they are
    # (fraction of the content, event): the stream stops there until the test sets the event
    # (at most GATE_SECONDS), so a test sees a reply half-streamed without guessing how long
    gates: list[tuple[float, threading.Event]] = field(default_factory=list)


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def mode(self) -> str:
        fmt = self.body.get("response_format")
        if not fmt:
            return "text"
        if fmt.get("type") == "json_object" and "schema" in fmt:
            return "json_object+schema"
        return fmt.get("type", "?")

    @property
    def user_text(self) -> str:
        return "\n".join(m["content"] for m in self.body["messages"] if m["role"] == "user")


Responder = Callable[[Request], Reply]

# What real endpoints answer when a model does not take a parameter.
_REFUSALS = {
    "stream": "Unsupported value: 'stream' does not support true with this model. "
    "Supported values are: false.",
    "stream_options": "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
    "max_tokens": "Unsupported parameter: 'max_tokens' is not supported with this model. "
    "Use 'max_completion_tokens' instead.",
    "temperature": "Unsupported value: 'temperature' does not support 0 with this model. "
    "Only the default (1) value is supported.",
}


class FakeLLM:
    """The server's state: what to answer, and every request it received."""

    def __init__(self) -> None:
        self.models = ["fake-model"]
        self.api_key: str | None = None  # when set, other keys get 401 (echoing them back)
        self.accepts = {"json_schema", "json_object+schema", "json_object", "text"}
        self.llama_cpp_style = False  # reject json_schema with a 500 like llama.cpp's server
        self.format_500 = False  # answer any response_format with a bare HTTP 500
        # request parameters answered with HTTP 400, as some endpoints and models do:
        # "stream", "stream_options", "max_tokens", "temperature"
        self.refuse: set[str] = set()
        self.script: list[Reply | Responder] = []
        self.default: Reply | Responder = Reply(status=500, error="nothing scripted")
        self.requests: list[Request] = []
        self.stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._server.fake = self  # type: ignore[attr-defined]
        # close() waits for the serving loop to look at its stop flag: every 10 ms, not 50
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/v1"

    @property
    def chat_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def queue(self, *replies: Reply | Responder) -> None:
        self.script.extend(replies)

    def start(self) -> FakeLLM:
        self._thread.start()
        return self

    def close(self) -> None:
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()

    def next_reply(self, request: Request) -> Reply:
        item = self.script.pop(0) if self.script else self.default
        return item(request) if callable(item) else item


def completion(content: str, finish: str = "stop", refusal: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "fake-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": finish,
            }
        ],
        "usage": {"prompt_tokens": 321, "completion_tokens": 123, "total_tokens": 444},
    }


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "fake-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    @property
    def fake(self) -> FakeLLM:
        return self.server.fake  # type: ignore[attr-defined]

    def _send_json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        body = {"error": {"message": message, "type": "error", "param": None, "code": None}}
        self._send_json(status, body, headers)

    def _record(self, body: dict[str, Any]) -> Request:
        request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        self.fake.requests.append(request)
        return request

    def _authorised(self) -> bool:
        expected = self.fake.api_key
        given = self.headers.get("Authorization", "")
        if expected is None or given == f"Bearer {expected}":
            return True
        # Like some real servers, echo the key back: the client must not repeat it.
        self._error(401, f"Incorrect API key provided: {given.removeprefix('Bearer ')}")
        return False

    def do_GET(self) -> None:
        self._record({})
        if not self._authorised():
            return
        if self.path.rstrip("/").endswith("/models"):
            data = [{"id": m, "object": "model", "owned_by": "tests"} for m in self.fake.models]
            self._send_json(200, {"object": "list", "data": data})
        else:
            self._error(404, f"no route {self.path}")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        request = self._record(body)
        if not self._authorised():
            return
        if not self.path.endswith("/chat/completions"):
            self._error(404, f"no route {self.path}")
            return
        if body.get("model") not in self.fake.models:
            self._error(404, f"The model `{body.get('model')}` does not exist")
            return
        mode = request.mode
        if mode == "json_schema" and self.fake.llama_cpp_style:
            self._error(
                500,
                "1 validation error for CreateChatCompletionRequest\nresponse_format.type\n"
                "  Input should be 'text' or 'json_object' [type=literal_error]",
            )
            return
        for param in sorted(self.fake.refuse):
            if param in body and not (param == "stream" and not body[param]):
                self._error(400, _REFUSALS[param])
                return
        if mode != "text" and self.fake.format_500:
            self._error(500, "Internal Server Error")
            return
        if mode not in self.fake.accepts:
            self._error(400, f"response_format {mode} is not supported by this server")
            return
        reply = self.fake.next_reply(request)
        if reply.delay and self.fake.stop.wait(reply.delay):
            return
        if reply.status != 200:
            self._error(reply.status, reply.error, reply.headers)
            return
        try:
            if body.get("stream") and not reply.plain_body:
                self._stream(reply, body)
            else:
                data = completion(reply.content or "", reply.finish_reason, reply.refusal)
                if not reply.usage:
                    data.pop("usage")
                self._send_json(200, data, reply.headers)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def _stream(self, reply: Reply, body: dict[str, Any]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

        def send(data: dict[str, Any] | str) -> None:
            text = data if isinstance(data, str) else json.dumps(data)
            self.wfile.write(f"data: {text}\n\n".encode())
            self.wfile.flush()

        if reply.events is not None:
            for event in reply.events:
                send(event)
            return
        send(_chunk({"role": "assistant", "content": ""}))
        if reply.refusal:
            send(_chunk({"refusal": reply.refusal}))
        content = reply.content or ""
        gates = sorted(reply.gates, key=lambda gate: gate[0])
        for start in range(0, len(content), reply.chunk_size):
            while gates and start >= gates[0][0] * len(content):
                _, gate = gates.pop(0)
                gate.wait(GATE_SECONDS)
            if reply.chunk_delay and self.fake.stop.wait(reply.chunk_delay):
                return
            send(_chunk({"content": content[start : start + reply.chunk_size]}))
        send(_chunk({}, reply.finish_reason))
        wants_usage = (body.get("stream_options") or {}).get("include_usage")
        if reply.usage and wants_usage:
            usage = completion("")["usage"]
            send({**_chunk({}), "choices": [], "usage": usage})
        send("[DONE]")
