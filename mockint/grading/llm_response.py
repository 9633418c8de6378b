"""Reading what an endpoint sent back into one `ChatResult`, however it arrived.

A reply comes as a chat completion, as server-sent events of chunks, or, from a server that
ignores `stream`, as one plain body to a streamed request. All three end in the same checks
(cut off, filtered, refused) and the same token counts, so the grader never needs to know
which it got. Nothing here sends anything: the client hands over what it received.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mockint.grading.llm_endpoint import Mode
from mockint.grading.llm_failure import LLMFailure, redact
from mockint.grading.llm_request import ChatRequest, Message


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
    streamed: bool = False  # True: read as server-sent events, piece by piece


def json_body(text: str) -> dict[str, Any]:
    """The one plain body a server sent to a streamed request: the client left it unparsed."""
    try:
        value = json.loads(text)
    except ValueError:
        raise LLMFailure(
            "invalid", "the endpoint sent a reply that is not a chat completion"
        ) from None
    if not isinstance(value, dict):
        raise LLMFailure("invalid", "the endpoint sent a reply that is not a chat completion")
    return value


def from_completion(body: dict[str, Any], mode: Mode, where: str) -> ChatResult:
    """A whole chat completion, read as a dict so a server's extra or missing fields do not
    matter."""
    choices = body.get("choices") or []
    if not choices:
        raise LLMFailure("invalid", f"{where} sent a reply without choices")
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
    _check_finish(result.finish_reason)
    return result


def read_events(
    lines: Iterable[str],
    mode: Mode,
    request: ChatRequest,
    *,
    where: str,
    secrets: tuple[str | None, ...],
) -> ChatResult:
    """Server-sent events of chat.completion.chunk objects, each delta passed on at once."""
    assert request.on_text is not None
    parts: list[str] = []
    finish: str | None = None
    usage: dict[str, Any] | None = None
    chunks = 0
    for line in lines:
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == "[DONE]":
            break
        try:
            chunk = json.loads(payload)
        except ValueError:
            raise LLMFailure("invalid", f"{where} sent a stream event that is not JSON") from None
        if not isinstance(chunk, dict):
            continue
        if chunk.get("error"):
            detail = redact(json.dumps(chunk["error"], default=str), *secrets)[:160]
            raise LLMFailure("server", f"{where} reported an error mid-stream: {detail}")
        usage = chunk.get("usage") or usage
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            if delta.get("refusal"):
                raise LLMFailure("refusal", "the model refused to grade this answer")
            text = delta.get("content")
            if text:
                parts.append(text)
                chunks += 1
                request.on_text(text)
            finish = choice.get("finish_reason") or finish
    _check_finish(finish)
    result = _streamed_result(mode, "".join(parts), finish, usage, request.messages, chunks)
    result.streamed = True
    return result


def _streamed_result(
    mode: Mode,
    content: str,
    finish: str | None,
    usage: dict[str, Any] | None,
    messages: list[Message],
    chunks: int,
) -> ChatResult:
    if usage:
        prompt = int(usage.get("prompt_tokens") or 0)
        completion, reported = int(usage.get("completion_tokens") or 0), True
    else:
        # Streams from some servers (llama.cpp) carry no usage: one chunk is about one
        # token, and a prompt about four characters per token.
        prompt = sum(len(m["content"]) for m in messages) // 4
        completion, reported = chunks, False
    return ChatResult(content, mode, finish, prompt, completion, reported, 0.0, 0)


def _check_finish(finish: str | None) -> None:
    """A reply cut off or filtered is not one to grade from, however much of it arrived."""
    if finish == "length":
        raise LLMFailure("length", "the reply was cut off at the token limit (finish: length)")
    if finish == "content_filter":
        raise LLMFailure("refusal", "the endpoint's content filter stopped the reply")
