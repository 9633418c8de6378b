"""Every way a call to an endpoint can fail, as one `LLMFailure` a person can act on.

Apart from the client because these words reach people and the database: a grade's note,
`mockint doctor`, `mockint packs draft`. Each names the cause and the fix. None may carry a
secret: a server's echo (an error body, a connection error quoting the URL) goes through
`redact` first, which also drops control characters, since the text is printed and stored.
"""

from __future__ import annotations

import re

import httpx2
import openai

from mockint.credentials import REDACTED, TOKEN_SHAPED

MIN_SECRET_CHARS = 8  # shorter "keys" are placeholders; replacing them would garble text
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


class LLMFailure(Exception):
    """A call that produced no usable reply. `kind` is for code, the message for people."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def redact(text: str, *secrets: str | None) -> str:
    """Remove the API key, the secrets of the base URL (and anything shaped like a key) from
    text a server sent back, and its control characters: it will be printed and stored."""
    text = _CONTROL.sub(" ", text)
    for secret in secrets:
        if secret and len(secret) >= MIN_SECRET_CHARS:
            text = text.replace(secret, REDACTED)
    return TOKEN_SHAPED.sub(REDACTED, text)


def failure_from(
    exc: Exception,
    *,
    where: str,
    model: str,
    timeout: float,
    max_retries: int,
    secrets: tuple[str | None, ...],
) -> LLMFailure:
    """A message naming the cause and the fix, with the key and server echoes redacted.

    `where` is the endpoint as shown (already scrubbed); the openai error classes are checked
    before their common base, so each status gets its own advice.
    """
    retries = f"after {max_retries} retr{'y' if max_retries == 1 else 'ies'}"
    if isinstance(exc, openai.APITimeoutError | httpx2.TimeoutException):
        return LLMFailure(
            "timeout",
            f"no reply from {where} within {timeout:g} s "
            "(raise MOCKINT_LLM_TIMEOUT or --timeout if the model is only slow)",
        )
    if isinstance(exc, openai.APIConnectionError | httpx2.TransportError):
        cause = exc.__cause__ or exc
        detail = redact(str(cause), *secrets)[:120] or type(cause).__name__
        return LLMFailure("connection", f"cannot connect to {where} ({detail})")
    if isinstance(exc, openai.AuthenticationError):
        return LLMFailure(
            "auth",
            f"{where} refused the API key (HTTP 401): OPENAI_API_KEY is missing or wrong",
        )
    if isinstance(exc, openai.PermissionDeniedError):
        return LLMFailure(
            "auth", f"{where} denied access (HTTP 403): the API key may not use {model!r}"
        )
    if isinstance(exc, openai.NotFoundError):
        return LLMFailure(
            "not_found",
            f"model {model!r} was not found at {where} (HTTP 404): check MOCKINT_MODEL "
            "or --model, and that the base URL ends in /v1",
        )
    if isinstance(exc, openai.RateLimitError):
        return LLMFailure("rate_limit", f"{where} kept answering HTTP 429 (rate limit) {retries}")
    if isinstance(exc, openai.APIStatusError):
        detail = redact(str(exc.message), *secrets)[:160]
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
