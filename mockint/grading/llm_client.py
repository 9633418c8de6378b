"""Talking to an OpenAI-compatible endpoint: which mode to ask in, and what to do when refused.

This is where openai's client is built and called. It knows nothing about rubrics: it sends
messages, asks for JSON in the best way the server supports, streams text to a callback, and
turns every way a call can fail into an `LLMFailure` whose message a person can act on and
which never contains the API key.

Servers differ (see llm_endpoint.py): the structured-output mode is probed best first, and a
request parameter a server refuses (`stream`, `max_tokens`, `temperature`) is changed and the
request sent again; what worked is remembered per endpoint and model. The pieces live beside
it, one job each: what a request carries and how a refusal reads (llm_request.py), reading
whatever comes back (llm_response.py), the words of a failure (llm_failure.py) and the
checks `mockint doctor` makes (llm_probe.py). Callers still import from here (`__all__`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import httpx2
import openai
from pydantic import BaseModel

from mockint.credentials import scrub_url, url_secrets
from mockint.errors import UserError
from mockint.grading.llm_endpoint import MODES, Mode, ModeCache, Quirks
from mockint.grading.llm_failure import LLMFailure, failure_from, redact
from mockint.grading.llm_probe import probe_modes, probe_stream
from mockint.grading.llm_request import (
    DEFAULT_MAX_TOKENS,
    ChatRequest,
    Message,
    TextCallback,
    rejects_format,
    request_params,
    work_around,
)
from mockint.grading.llm_response import ChatResult, from_completion, json_body, read_events

if TYPE_CHECKING:
    from mockint.config import Settings

__all__ = [  # the endpoint's memory, the reply and the failure are part of the client's interface
    "DEFAULT_MAX_TOKENS", "MODES", "OPENAI_URL", "ChatResult", "LLMClient", "LLMFailure",
    "Mode", "ModeCache", "Quirks", "endpoint_key", "redact", "safe_endpoint",
]  # fmt: skip

OPENAI_URL = "https://api.openai.com/v1"


def endpoint_key(settings: Settings, needs_model: str) -> tuple[str, str | None]:
    """The model and API key for the configured endpoint, after the checks every LLM user
    makes: a model is set, and OpenAI's own endpoint has a key. `needs_model` starts the
    error."""
    if not settings.model:
        raise UserError(f"{needs_model}: set MOCKINT_MODEL or --model")
    api_key = settings.api_key.get_secret_value() if settings.api_key else None
    if not api_key and not settings.base_url:
        raise UserError(
            f"OPENAI_API_KEY is not set, and {OPENAI_URL} needs one "
            "(a local server needs no key: set OPENAI_BASE_URL, or `base_url` in the config "
            "file, to its address)"
        )
    return settings.model, api_key


def safe_endpoint(base_url: str | None) -> str:
    """The endpoint as shown and stored: scrubbed of credentials (mockint.credentials), and
    without any query string, fragment or trailing slash, so one server has one name."""
    if not base_url:
        return OPENAI_URL
    parts = urlsplit(scrub_url(base_url.strip()) or "")
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


class _Calls(threading.local):
    count = 0


class _CountingTransport(httpx2.BaseTransport):
    """Counts requests per thread and makes a timeout final.

    openai retries a timed-out request like a 5xx; for a model that hangs that multiplies the
    wait by the retry count. An OpenAIError raised from the transport is passed through by the
    client without retrying, so a timeout here ends the call after `timeout` seconds.
    """

    def __init__(self, inner: httpx2.BaseTransport, calls: _Calls) -> None:
        self._inner = inner
        self._calls = calls

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self._calls.count += 1
        try:
            return self._inner.handle_request(request)
        except httpx2.TimeoutException as exc:
            raise openai.APITimeoutError(request=request) from exc

    def close(self) -> None:
        self._inner.close()


class _FormatRejected(Exception):
    pass


class LLMClient:
    """One endpoint and model, with the settings the grader and `mockint doctor` share."""

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None,
        api_key: str | None,
        timeout: float,
        max_retries: int = 2,
        cache: ModeCache | None = None,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        self.model = model
        self.base_url = base_url
        self.endpoint = safe_endpoint(base_url)
        self.timeout = timeout
        self.max_retries = max_retries
        self.cache = cache if cache is not None else ModeCache.default()
        self._secrets = (api_key, *url_secrets(base_url))
        self._calls = _Calls()
        http_client = openai.DefaultHttpx2Client(
            transport=_CountingTransport(transport or httpx2.HTTPTransport(), self._calls),
            timeout=timeout,
        )
        self._client = openai.OpenAI(
            # Local servers need no key, but the client insists on one: send a placeholder.
            api_key=api_key or "no-key-set",
            base_url=base_url or OPENAI_URL,
            timeout=timeout,
            max_retries=max_retries,
            http_client=http_client,
        )

    @property
    def cache_key(self) -> str:
        return f"{self.endpoint}|{self.model}"

    @property
    def calls_made(self) -> int:
        """HTTP requests this thread has sent through this client so far."""
        return self._calls.count

    @property
    def mode(self) -> Mode | None:
        """The structured-output mode remembered for this endpoint and model, if any."""
        return self.cache.get(self.cache_key)

    @property
    def quirks(self) -> Quirks:
        """Request parameters this endpoint and model refused, as remembered."""
        return self.cache.quirks(self.cache_key)

    def close(self) -> None:
        self._client.close()

    # the one call a grade needs --------------------------------------------------------------

    def chat(
        self,
        messages: list[Message],
        *,
        reply_model: type[BaseModel],
        schema: dict[str, Any],
        on_text: TextCallback | None = None,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        modes: tuple[Mode, ...] | None = None,
    ) -> ChatResult:
        """Send `messages` asking for JSON; stream text to `on_text` when given.

        Tries the remembered mode, else each mode best first: a mode the server rejects is
        skipped and the first accepted one remembered. When the endpoint does not stream,
        `on_text` gets the whole reply at once. Raises LLMFailure on any fault.
        """
        started = time.perf_counter()
        calls_before = self._calls.count
        remembered = self.mode
        order = modes or (MODES[MODES.index(remembered) :] if remembered else MODES)
        confirmed = remembered is not None and modes is None
        request = ChatRequest(messages, reply_model, schema, on_text, max_tokens)
        try:
            for mode in order:
                try:
                    result = self._attempt(mode, request, probing=not confirmed)
                except _FormatRejected:
                    confirmed = False
                    continue
                if modes is None:
                    self.cache.set(self.cache_key, mode)
                result.latency_ms = (time.perf_counter() - started) * 1000
                result.calls = self._calls.count - calls_before
                return result
        except LLMFailure:
            raise
        except Exception as exc:  # every openai and transport error becomes an LLMFailure
            raise self._failure(exc) from None
        raise LLMFailure("format", f"{self.endpoint} accepted none of the structured-output modes")

    def _attempt(self, mode: Mode, request: ChatRequest, *, probing: bool) -> ChatResult:
        """One mode. While probing, the first request is not retried, so a server that rejects
        the format is recognised at once: a 4xx, or a 5xx to a request that carries a
        response_format (llama.cpp answers json_schema with 500), moves on to the next mode.
        A 429, or a 5xx in plain-text mode, gets the client's normal retries."""
        client = self._client.with_options(max_retries=0) if probing else self._client
        try:
            return self._send(client, mode, request)
        except openai.APIStatusError as exc:
            if rejects_format(exc, mode, probing):
                raise _FormatRejected from None
            retryable = exc.status_code == 429 or exc.status_code >= 500
            if not (probing and retryable and self.max_retries > 0):
                raise
        return self._send(self._client, mode, request)

    def _send(self, client: openai.OpenAI, mode: Mode, request: ChatRequest) -> ChatResult:
        """One request, sent again with other parameters when the endpoint refuses one of
        ours (streaming, max_tokens, temperature); what it refused is remembered."""
        quirks = self.quirks
        while True:  # each fix turns one quirk off for good, so this ends
            try:
                return self._call(client, mode, request, quirks)
            except openai.APIStatusError as exc:
                fixed = work_around(exc, quirks, streaming=request.on_text is not None)
                if fixed is None:
                    raise
                quirks = fixed
                self.cache.set_quirks(self.cache_key, quirks)

    def _call(
        self, client: openai.OpenAI, mode: Mode, request: ChatRequest, quirks: Quirks
    ) -> ChatResult:
        params = request_params(self.model, mode, request, quirks)
        on_text = request.on_text
        if on_text is None or not quirks.stream:
            completion = client.chat.completions.create(**params)
            result = from_completion(completion.model_dump(), mode, self.endpoint)
            if on_text is not None and result.content:
                on_text(result.content)  # the endpoint does not stream: all of it at once
            return result
        params["stream_options"] = {"include_usage": True}
        with client.chat.completions.with_streaming_response.create(
            **params, stream=True
        ) as response:
            kind = response.headers.get("content-type", "")
            if "event-stream" not in kind:
                body = response.read().decode("utf-8", errors="replace")
                if not body.lstrip().startswith("data:"):
                    # A server that ignores `stream` and answers with one plain body.
                    result = from_completion(json_body(body), mode, self.endpoint)
                    if result.content:
                        on_text(result.content)
                    return result
                lines: Iterable[str] = body.splitlines()
            else:
                lines = response.iter_lines()
            return read_events(lines, mode, request, where=self.endpoint, secrets=self._secrets)

    def _failure(self, exc: Exception) -> LLMFailure:
        """What any fault of a call says to a person: see llm_failure.py."""
        return failure_from(
            exc,
            where=self.endpoint,
            model=self.model,
            timeout=self.timeout,
            max_retries=self.max_retries,
            secrets=self._secrets,
        )

    # for `mockint doctor` ----------------------------------------------------------------------

    def list_models(self) -> tuple[list[str], float]:
        """The model ids the endpoint lists, and the round trip in milliseconds."""
        started = time.perf_counter()
        try:
            page = self._client.with_options(max_retries=0).models.list()
            ids = [model.id for model in page.data]
        except Exception as exc:
            raise self._failure(exc) from None
        return ids, (time.perf_counter() - started) * 1000

    def probe(self) -> list[tuple[Mode, str | None, float]]:
        """Which structured-output mode works, remembered for the grader (llm_probe.py)."""
        return probe_modes(self)

    def probe_stream(self, mode: Mode) -> tuple[str, str, float]:
        """Whether the streamed path works in `mode`, as the interview screen uses it."""
        return probe_stream(self, mode)
