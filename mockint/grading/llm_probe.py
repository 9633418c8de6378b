"""What `mockint doctor` asks of an endpoint beyond a grade: which structured-output modes
work, and whether streaming does.

Apart from the client because grading never runs it. It goes through the client's own
`chat`, one mode at a time, so what it finds is what the grader will meet, and it writes its
findings into the same memory (`ModeCache`) the grader reads.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from pydantic import BaseModel, ValidationError

from mockint.grading.llm_endpoint import MODES, Mode
from mockint.grading.llm_failure import LLMFailure
from mockint.grading.llm_request import TextCallback
from mockint.grading.llm_response import ChatResult

if TYPE_CHECKING:
    from mockint.grading.llm_client import LLMClient


def probe_modes(client: LLMClient) -> list[tuple[Mode, str | None, float]]:
    """Try each structured-output mode, best first, until one returns valid JSON.

    Returns (mode, None if it worked else why not, milliseconds) per mode tried, and
    remembers the working mode for the grader. Faults that are not about the format
    (timeouts, 401, 404) raise LLMFailure.
    """
    tried: list[tuple[Mode, str | None, float]] = []
    for mode in MODES:
        started = time.perf_counter()
        try:
            _ping(client, mode, on_text=None)
        except LLMFailure as exc:
            if exc.kind != "format":
                raise
            tried.append((mode, "rejected by the server", _ms(started)))
            continue
        except (ValueError, ValidationError):
            tried.append((mode, "accepted, but the reply was not the JSON asked for", _ms(started)))
            continue
        tried.append((mode, None, _ms(started)))
        client.cache.set(client.cache_key, mode)
        break
    return tried


def probe_stream(client: LLMClient, mode: Mode) -> tuple[str, str, float]:
    """The streamed path, as the interview screen uses it, in a mode that works.

    Returns (outcome, what it means, milliseconds); outcome is "streamed", "plain body"
    (the server ignores `stream`; handled), "not streaming" (the server refused it, or its
    stream did not carry the JSON: grading will not stream, remembered) or "failed".
    """
    started = time.perf_counter()
    pieces: list[str] = []
    refused_before = not client.quirks.stream
    try:
        result = _ping(client, mode, on_text=pieces.append)
    except LLMFailure as exc:
        return "failed", exc.message, _ms(started)
    except (ValueError, ValidationError):
        client.cache.set_quirks(client.cache_key, client.quirks.changed(stream=False))
        return (
            "not streaming",
            "the streamed reply was not the JSON asked for: grades will not stream "
            "(remembered for this endpoint and model)",
            _ms(started),
        )
    if not client.quirks.stream:
        why = "refused before" if refused_before else "the server refused it"
        return (
            "not streaming",
            f"{why}: grades are requested without streaming (remembered)",
            _ms(started),
        )
    if not result.streamed:
        return (
            "plain body",
            "the server ignores `stream` and sends one body: read as a whole",
            _ms(started),
        )
    return "streamed", f"{len(pieces)} pieces", _ms(started)


def _ping(client: LLMClient, mode: Mode, on_text: TextCallback | None) -> ChatResult:
    """A tiny JSON request in one mode; raises ValueError if the reply is not that JSON."""
    from mockint.grading.llm_reply import ReplyError, extract_json

    class Ping(BaseModel):
        ok: bool

    messages = [
        {"role": "system", "content": "Reply with JSON only."},
        {"role": "user", "content": 'Reply with exactly this JSON object: {"ok": true}'},
    ]
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
    result = client.chat(
        messages, reply_model=Ping, schema=schema, max_tokens=32, modes=(mode,),
        on_text=on_text,
    )  # fmt: skip
    try:
        Ping.model_validate(extract_json(result.content))
    except ReplyError as exc:
        raise ValueError(str(exc)) from None
    return result


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
