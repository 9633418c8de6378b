"""What one chat request asks for, and how to read an endpoint's refusal of part of it.

Apart from the client because these are judgements on what servers say, not on how to send:
a 4xx or 5xx either means "not this response_format" (the client moves to the next mode) or
"not this parameter" (it sends the request again without it), and only the wording of the
error tells which. Keeping the wording rules beside the parameters they are about means a new
server's quirk is one edit here, and the client's retry loop stays the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openai
from pydantic import BaseModel

from mockint.grading.llm_endpoint import Mode, Quirks

DEFAULT_MAX_TOKENS = 2048
TextCallback = Callable[[str], None]
Message = dict[str, str]
_FORMAT_WORDS = ("response_format", "json_schema", "schema", "grammar", "json_object", "structured")
_REFUSED = ("unsupported", "not supported", "does not support", "not allowed", "only allowed",
            "unknown", "unrecognized", "invalid", "extra inputs", "not permitted")  # fmt: skip


@dataclass
class ChatRequest:
    """What one grading request carries through mode probing and parameter fixes."""

    messages: list[Message]
    reply_model: type[BaseModel]
    schema: dict[str, Any]
    on_text: TextCallback | None
    max_tokens: int


def json_schema_format(reply_model: type[BaseModel]) -> dict[str, Any]:
    """OpenAI's strict json_schema response format for a pydantic model.

    Sent as a plain request parameter (not through the client's parse helpers), so the reply
    is read by our own tolerant parser whatever the server sends back.
    """
    from openai.lib._pydantic import to_strict_json_schema

    return {
        "type": "json_schema",
        "json_schema": {
            "name": reply_model.__name__,
            "schema": to_strict_json_schema(reply_model),
            "strict": True,
        },
    }


def request_params(model: str, mode: Mode, request: ChatRequest, quirks: Quirks) -> dict[str, Any]:
    """The parameters of one chat completion, less streaming: the client adds those only
    when it streams, so a plain request never carries `stream_options`."""
    params: dict[str, Any] = {
        "model": model,
        "messages": request.messages,
        quirks.tokens_param: request.max_tokens,
    }
    if quirks.temperature:
        params["temperature"] = 0
    if mode is Mode.JSON_SCHEMA:
        params["response_format"] = json_schema_format(request.reply_model)
    elif mode is Mode.JSON_OBJECT_SCHEMA:
        params["response_format"] = {"type": "json_object", "schema": request.schema}
    elif mode is Mode.JSON_OBJECT:
        params["response_format"] = {"type": "json_object"}
    return params


def _error_text(exc: openai.APIStatusError) -> str:
    """Message and body together: servers put the parameter's name in either."""
    return f"{exc.message} {json.dumps(exc.body, default=str)}".lower()


def work_around(exc: openai.APIStatusError, quirks: Quirks, *, streaming: bool) -> Quirks | None:
    """The quirks that avoid what this 400 complains about, or None if it is something else."""
    if exc.status_code not in (400, 422):
        return None
    text = _error_text(exc)
    refused = any(word in text for word in _REFUSED)
    if streaming and quirks.stream and "stream" in text:
        return quirks.changed(stream=False)
    if (
        quirks.tokens_param == "max_tokens"
        and "max_tokens" in text
        and (refused or "max_completion_tokens" in text)
    ):
        return quirks.changed(tokens_param="max_completion_tokens")
    if quirks.temperature and "temperature" in text and refused:
        return quirks.changed(temperature=False)
    return None


def rejects_format(exc: openai.APIStatusError, mode: Mode, probing: bool) -> bool:
    """Whether this error means the server will not take the mode's response_format.

    While probing, a 400, 415 or 422 counts, and so does a 5xx (llama.cpp answers json_schema
    with 500); once a mode is confirmed, only such an error that names the format does.
    """
    if mode is Mode.TEXT:
        return False
    mentions = any(word in _error_text(exc) for word in _FORMAT_WORDS)
    if exc.status_code in (400, 415, 422):
        return mentions or probing
    return exc.status_code >= 500 and (mentions or probing)
