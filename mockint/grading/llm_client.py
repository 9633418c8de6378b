"""Talking to an OpenAI-compatible endpoint: structured-output modes, faults, secrets.

This is one of the two modules allowed to import openai (tests/test_layers.py). It knows
nothing about rubrics: it sends messages, asks for JSON in the best way the server supports,
streams text to a callback, and turns every way a call can fail into an `LLMFailure` whose
message a person can act on and which never contains the API key.

Structured-output modes, best first. Servers differ: OpenAI takes `json_schema`; llama.cpp's
server answers it with HTTP 500 but takes `{"type": "json_object", "schema": ...}`; others take
only plain `json_object`; some take nothing, and the JSON is then found in the reply's text.
The first mode an endpoint accepts is remembered per base URL and model, in memory and in a
small JSON file in the data folder, so the probing costs one request once, not every grade.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx2
import openai
from pydantic import BaseModel, ValidationError

from mockint import locations

OPENAI_URL = "https://api.openai.com/v1"
DEFAULT_MAX_TOKENS = 2048
TextCallback = Callable[[str], None]
Message = dict[str, str]


class Mode(StrEnum):
    JSON_SCHEMA = "json_schema"
    JSON_OBJECT_SCHEMA = "json_object+schema"
    JSON_OBJECT = "json_object"
    TEXT = "text"


MODES: tuple[Mode, ...] = tuple(Mode)
_FORMAT_WORDS = ("response_format", "json_schema", "schema", "grammar", "json_object", "structured")


class LLMFailure(Exception):
    """A call that produced no usable reply. `kind` is for code, the message for people."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class ChatResult:
    content: str
    mode: Mode
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    usage_reported: bool  # False: the server sent no usage, the counts are estimates
    latency_ms: float
    calls: int  # HTTP requests made, retries and mode probes included


def safe_endpoint(base_url: str | None) -> str:
    """The endpoint as shown and stored: no user:password@, no query string, no fragment."""
    if not base_url:
        return OPENAI_URL
    parts = urlsplit(base_url.strip())
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


_TOKENS = re.compile(r"(?i)\b(?:sk|pk|rk|key)-[A-Za-z0-9_\-]{6,}|(?<=bearer )\S+")


def redact(text: str, secret: str | None) -> str:
    """Remove the API key (and anything shaped like one) from text a server sent back."""
    if secret:
        text = text.replace(secret, "[redacted]")
    return _TOKENS.sub("[redacted]", text)


class ModeCache:
    """What structured-output mode worked for which endpoint and model (None: memory only)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._modes: dict[str, Mode] = {}
        self._loaded = False

    @classmethod
    def default(cls) -> ModeCache:
        """The process-wide cache, kept in the data folder so each `mockint grade` need not
        probe again."""
        global _DEFAULT_CACHE
        if _DEFAULT_CACHE is None:
            _DEFAULT_CACHE = cls(locations.data_dir() / "llm-modes.json")
        return _DEFAULT_CACHE

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        if self.path is None:
            return
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(raw, dict):
            for key, value in raw.items():
                with contextlib.suppress(ValueError):
                    self._modes.setdefault(str(key), Mode(value))

    def get(self, key: str) -> Mode | None:
        with self._lock:
            self._load()
            return self._modes.get(key)

    def set(self, key: str, mode: Mode) -> None:
        with self._lock:
            self._load()
            if self._modes.get(key) == mode:
                return
            self._modes[key] = mode
            if self.path is None:
                return
            try:
                text = json.dumps(self._modes, indent=1, sort_keys=True)
                locations.private_dir(self.path.parent)
                locations.write_private(self.path, text)  # 0600 in a 0700 folder
            except OSError:
                pass  # remembering is an optimisation; failing to write costs one probe later


_DEFAULT_CACHE: ModeCache | None = None


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
        self._secret = api_key
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
        skipped and the first accepted one remembered. Raises LLMFailure on any fault.
        """
        started = time.perf_counter()
        calls_before = self._calls.count
        remembered = self.mode
        order = modes or (MODES[MODES.index(remembered) :] if remembered else MODES)
        confirmed = remembered is not None and modes is None
        try:
            for mode in order:
                try:
                    result = self._attempt(
                        mode, messages, reply_model, schema, on_text, max_tokens, not confirmed
                    )
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

    def _attempt(
        self,
        mode: Mode,
        messages: list[Message],
        reply_model: type[BaseModel],
        schema: dict[str, Any],
        on_text: TextCallback | None,
        max_tokens: int,
        probing: bool,
    ) -> ChatResult:
        """One mode. While probing, the first request is not retried, so a server that rejects
        the format (llama.cpp answers 500) is recognised at once; a 429 or 5xx that is not about
        the format gets the client's normal retries."""
        client = self._client.with_options(max_retries=0) if probing else self._client
        try:
            return self._call(client, mode, messages, reply_model, schema, on_text, max_tokens)
        except openai.APIStatusError as exc:
            if self._rejects_format(exc, mode, probing):
                raise _FormatRejected from None
            retryable = exc.status_code == 429 or exc.status_code >= 500
            if not (probing and retryable and self.max_retries > 0):
                raise
        return self._call(self._client, mode, messages, reply_model, schema, on_text, max_tokens)

    @staticmethod
    def _rejects_format(exc: openai.APIStatusError, mode: Mode, probing: bool) -> bool:
        if mode is Mode.TEXT:
            return False
        text = f"{exc.message} {json.dumps(exc.body, default=str)}".lower()
        mentions = any(word in text for word in _FORMAT_WORDS)
        if exc.status_code in (400, 415, 422):
            return mentions or probing
        return exc.status_code in (500, 501) and mentions

    def _call(
        self,
        client: openai.OpenAI,
        mode: Mode,
        messages: list[Message],
        reply_model: type[BaseModel],
        schema: dict[str, Any],
        on_text: TextCallback | None,
        max_tokens: int,
    ) -> ChatResult:
        common: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": 0,
            "max_tokens": max_tokens,
        }
        if mode is Mode.JSON_SCHEMA:
            if on_text is None:
                return self._parse(client, common, reply_model)
            return self._stream_parse(client, common, reply_model, on_text)
        if mode is Mode.JSON_OBJECT_SCHEMA:
            common["response_format"] = {"type": "json_object", "schema": schema}
        elif mode is Mode.JSON_OBJECT:
            common["response_format"] = {"type": "json_object"}
        if on_text is None:
            completion = client.chat.completions.create(**common)
            return self._from_completion(completion.model_dump(), mode)
        stream = client.chat.completions.create(
            **common, stream=True, stream_options={"include_usage": True}
        )
        parts: list[str] = []
        finish: str | None = None
        usage = None
        chunks = 0
        with stream:
            for chunk in stream:
                if chunk.usage is not None:
                    usage = chunk.usage
                for choice in chunk.choices:
                    if choice.delta and choice.delta.content:
                        parts.append(choice.delta.content)
                        chunks += 1
                        on_text(choice.delta.content)
                    if getattr(choice.delta, "refusal", None):
                        raise LLMFailure("refusal", "the model refused to grade this answer")
                    finish = choice.finish_reason or finish
        return self._result(mode, "".join(parts), finish, usage, messages, chunks)

    def _parse(
        self, client: openai.OpenAI, common: dict[str, Any], reply_model: type[BaseModel]
    ) -> ChatResult:
        """json_schema through `chat.completions.parse`; a reply that fails the client's own
        validation is still returned as text, so our validation reports it and retries once."""
        raw = client.chat.completions.with_raw_response.parse(**common, response_format=reply_model)
        body = raw.http_response.json()
        try:
            raw.parse()
        except openai.LengthFinishReasonError:
            raise self._cut_off() from None
        except openai.ContentFilterFinishReasonError:
            raise LLMFailure("refusal", "the endpoint's content filter stopped the reply") from None
        except (ValidationError, ValueError):
            pass
        return self._from_completion(body, Mode.JSON_SCHEMA)

    def _stream_parse(
        self,
        client: openai.OpenAI,
        common: dict[str, Any],
        reply_model: type[BaseModel],
        on_text: TextCallback,
    ) -> ChatResult:
        parts: list[str] = []
        finish: str | None = None
        usage = None
        chunks = 0
        manager = client.chat.completions.stream(
            **common, response_format=reply_model, stream_options={"include_usage": True}
        )
        try:
            with manager as stream:
                for event in stream:
                    if event.type == "content.delta":
                        parts.append(event.delta)
                        chunks += 1
                        on_text(event.delta)
                    elif event.type == "refusal.delta":
                        raise LLMFailure("refusal", "the model refused to grade this answer")
                    elif event.type == "chunk":
                        usage = event.chunk.usage or usage
                        for choice in event.chunk.choices:
                            finish = choice.finish_reason or finish
        except openai.LengthFinishReasonError:
            raise self._cut_off() from None
        except openai.ContentFilterFinishReasonError:
            raise LLMFailure("refusal", "the endpoint's content filter stopped the reply") from None
        except (ValidationError, ValueError):
            finish = finish or "stop"  # the helper's own parse failed: ours will say why
        return self._result(
            Mode.JSON_SCHEMA, "".join(parts), finish, usage, common["messages"], chunks
        )

    def _from_completion(self, body: dict[str, Any], mode: Mode) -> ChatResult:
        choices = body.get("choices") or []
        if not choices:
            raise LLMFailure("invalid", f"{self.endpoint} sent a reply without choices")
        choice = choices[0]
        message = choice.get("message") or {}
        if message.get("refusal"):
            raise LLMFailure("refusal", "the model refused to grade this answer")
        usage = body.get("usage") or {}
        result = ChatResult(
            content=message.get("content") or "",
            mode=mode,
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            usage_reported=bool(usage),
            latency_ms=0.0,
            calls=0,
        )
        self._check_finish(result.finish_reason)
        return result

    def _result(
        self,
        mode: Mode,
        content: str,
        finish: str | None,
        usage: Any,
        messages: list[Message],
        chunks: int,
    ) -> ChatResult:
        self._check_finish(finish)
        if usage is not None:
            prompt, completion, reported = usage.prompt_tokens, usage.completion_tokens, True
        else:
            # Streams from some servers (llama.cpp) carry no usage: one chunk is about one
            # token, and a prompt about four characters per token.
            prompt = sum(len(m["content"]) for m in messages) // 4
            completion, reported = chunks, False
        return ChatResult(content, mode, finish, prompt, completion, reported, 0.0, 0)

    def _check_finish(self, finish: str | None) -> None:
        if finish == "length":
            raise self._cut_off()
        if finish == "content_filter":
            raise LLMFailure("refusal", "the endpoint's content filter stopped the reply")

    def _cut_off(self) -> LLMFailure:
        return LLMFailure("length", "the reply was cut off at the token limit (finish: length)")

    # faults ----------------------------------------------------------------------------------

    def _failure(self, exc: Exception) -> LLMFailure:
        """A message naming the cause and the fix, with the key and server echoes redacted."""
        where = self.endpoint
        retries = f"after {self.max_retries} retr{'y' if self.max_retries == 1 else 'ies'}"
        if isinstance(exc, openai.APITimeoutError | httpx2.TimeoutException):
            return LLMFailure(
                "timeout",
                f"no reply from {where} within {self.timeout:g} s "
                "(raise MOCKINT_LLM_TIMEOUT or --timeout if the model is only slow)",
            )
        if isinstance(exc, openai.APIConnectionError | httpx2.TransportError):
            cause = exc.__cause__ or exc
            detail = redact(str(cause), self._secret)[:120] or type(cause).__name__
            return LLMFailure("connection", f"cannot connect to {where} ({detail})")
        if isinstance(exc, openai.AuthenticationError):
            return LLMFailure(
                "auth",
                f"{where} refused the API key (HTTP 401): OPENAI_API_KEY is missing or wrong",
            )
        if isinstance(exc, openai.PermissionDeniedError):
            return LLMFailure(
                "auth", f"{where} denied access (HTTP 403): the API key may not use {self.model!r}"
            )
        if isinstance(exc, openai.NotFoundError):
            return LLMFailure(
                "not_found",
                f"model {self.model!r} was not found at {where} (HTTP 404): check MOCKINT_MODEL "
                "or --model, and that the base URL ends in /v1",
            )
        if isinstance(exc, openai.RateLimitError):
            return LLMFailure(
                "rate_limit", f"{where} kept answering HTTP 429 (rate limit) {retries}"
            )
        if isinstance(exc, openai.APIStatusError):
            detail = redact(str(exc.message), self._secret)[:160]
            if exc.status_code >= 500:
                return LLMFailure(
                    "server", f"{where} answered HTTP {exc.status_code} {retries}: {detail}"
                )
            return LLMFailure(
                "bad_request", f"{where} rejected the request (HTTP {exc.status_code}): {detail}"
            )
        if isinstance(exc, openai.APIResponseValidationError | ValueError):
            return LLMFailure("invalid", f"{where} sent a reply that is not a chat completion")
        return LLMFailure("error", f"calling {where} failed: {type(exc).__name__}")

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
        """Try each structured-output mode, best first, until one returns valid JSON.

        Returns (mode, None if it worked else why not, milliseconds) per mode tried, and
        remembers the working mode for the grader. Faults that are not about the format
        (timeouts, 401, 404) raise LLMFailure.
        """

        class Ping(BaseModel):
            ok: bool

        messages = [
            {"role": "system", "content": "Reply with JSON only."},
            {"role": "user", "content": 'Reply with exactly this JSON object: {"ok": true}'},
        ]
        schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
        tried: list[tuple[Mode, str | None, float]] = []
        for mode in MODES:
            started = time.perf_counter()
            try:
                result = self.chat(
                    messages, reply_model=Ping, schema=schema, max_tokens=32, modes=(mode,)
                )
                Ping.model_validate(json.loads(_first_object(result.content)))
            except LLMFailure as exc:
                if exc.kind != "format":
                    raise
                tried.append((mode, "rejected by the server", _ms(started)))
                continue
            except (ValueError, ValidationError):
                tried.append(
                    (mode, "accepted, but the reply was not the JSON asked for", _ms(started))
                )
                continue
            tried.append((mode, None, _ms(started)))
            self.cache.set(self.cache_key, mode)
            break
        return tried


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _first_object(text: str) -> str:
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if 0 <= start < end else text
