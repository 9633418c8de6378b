"""What an LLM grader's reply must look like, and how much of it we believe.

The model's reply is untrusted text. It is parsed into pydantic models (lenient about harmless
variations: surrounding prose, code fences, capitalised verdicts), then checked against the
question and the answer:

- rubric and red-flag ids the pack does not have are dropped;
- a "covered" or "partial" verdict counts only when its quote occurs in the answer (after
  normalising whitespace, case and typographic quotes) and does not come from text that
  addresses the grader; otherwise the point is downgraded to "missed";
- the score is not part of the reply at all: `base.finalize` computes it from the verdicts.

Nothing here imports openai: the reply may come from any transport, and the TUI can import
these helpers without pulling in the client.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mockint.grading.base import PointVerdict, RedFlagHit
from mockint.grading.injection import addresses_grader, is_injection, sentence_spans
from mockint.grading.text import clean
from mockint.packs import Question, RubricPoint

REFERENCE_POINT_ID = "reference"
MAX_FEEDBACK_CHARS = 1200
MAX_FOLLOW_UP_CHARS = 400


def _strict_schema(schema: dict[str, Any]) -> None:
    """Make every property required and drop defaults in the published schema.

    Strict structured-output modes want all properties required and no defaults; validation
    of what comes back stays lenient (missing reason or quote is filled with "").
    """
    properties = schema.get("properties", {})
    for prop in properties.values():
        prop.pop("default", None)
    schema["required"] = list(properties)
    schema["additionalProperties"] = False


class _Reply(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra=_strict_schema)


def _empty_if_none(value: Any) -> Any:
    return "" if value is None else value


class PointReply(_Reply):
    """The model's judgement of one rubric point."""

    id: str
    verdict: Literal["covered", "partial", "missed"]
    reason: str = ""
    quote: str = ""

    _texts = field_validator("reason", "quote", mode="before")(_empty_if_none)

    @field_validator("verdict", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("id", mode="before")
    @classmethod
    def _text_id(cls, value: Any) -> Any:
        return str(value).strip() if isinstance(value, str | int | float) else value


class RedFlagReply(_Reply):
    """A misconception the model says the answer shows, with the words that show it."""

    id: str
    quote: str = ""

    _texts = field_validator("quote", mode="before")(_empty_if_none)


class GradeReply(_Reply):
    """The whole reply: feedback first, so it can be streamed to the screen as it arrives."""

    feedback: str = ""
    points: list[PointReply]
    red_flags: list[RedFlagReply] = Field(default_factory=list)
    follow_up: str = ""

    _texts = field_validator("feedback", "follow_up", mode="before")(_empty_if_none)

    @field_validator("red_flags", mode="before")
    @classmethod
    def _no_flags(cls, value: Any) -> Any:
        return [] if value is None else value


class ReplyError(ValueError):
    """The reply cannot be used; the message is fed back to the model for its one retry."""


# parsing ---------------------------------------------------------------------------------------

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)


def extract_json(text: str) -> Any:
    """The first JSON object in `text`: the whole reply, a fenced block, or one inside prose."""
    stripped = text.strip()
    if not stripped:
        raise ReplyError("the reply was empty")
    candidates = [stripped, *(m.group(1).strip() for m in _FENCE.finditer(stripped))]
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", stripped):
        try:
            value, _ = decoder.raw_decode(stripped, match.start())
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    preview = " ".join(stripped.split())[:80]
    raise ReplyError(f"the reply is not valid JSON (it starts: {preview!r})")


def describe_validation_error(exc: ValidationError, limit: int = 5) -> str:
    problems = []
    for error in exc.errors()[:limit]:
        where = ".".join(str(part) for part in error["loc"]) or "reply"
        problems.append(f"{where}: {error['msg']}")
    more = len(exc.errors()) - limit
    if more > 0:
        problems.append(f"and {more} more")
    return "the reply does not match the schema (" + "; ".join(problems) + ")"


def parse_reply(text: str) -> GradeReply:
    """Validate a reply's text; raises ReplyError with a message the model can act on."""
    data = extract_json(text)
    if not isinstance(data, dict):
        raise ReplyError("the reply must be a JSON object, not a list or a bare value")
    try:
        return GradeReply.model_validate(data)
    except ValidationError as exc:
        raise ReplyError(describe_validation_error(exc)) from None


# what the model is asked to judge --------------------------------------------------------------


def rubric_points(question: Question) -> tuple[RubricPoint, ...]:
    """The points to judge; a question with only a reference answer gets one point from it."""
    if question.rubric:
        return question.rubric
    reference = (question.reference_answer or "").strip()
    return (
        RubricPoint(
            id=REFERENCE_POINT_ID,
            description=f"Conveys the substance of the reference answer: {reference}",
            terms=(reference,),
        ),
    )


def reply_schema(question: Question) -> dict[str, Any]:
    """A JSON schema of the reply fitted to one question (for grammar-constrained servers).

    Point ids are constants in a fixed-length tuple and red-flag ids an enum, so a server that
    turns the schema into a grammar (llama.cpp) cannot invent ids or skip points. String
    lengths are capped so a small model cannot ramble until it hits the token limit.
    """
    points = rubric_points(question)

    def text(limit: int) -> dict[str, Any]:
        return {"type": "string", "maxLength": limit}

    def point_item(point_id: str) -> dict[str, Any]:
        # A missed point has nothing to quote: the grammar says so, and a small model then
        # does not fill the quote with invented text.
        shown = {
            "type": "object",
            "properties": {
                "id": {"const": point_id},
                "verdict": {"enum": ["covered", "partial"]},
                "reason": text(120),
                "quote": text(160),
            },
            "required": ["id", "verdict", "reason", "quote"],
        }
        missed = {
            "type": "object",
            "properties": {
                "id": {"const": point_id},
                "verdict": {"const": "missed"},
                "reason": text(120),
                "quote": {"const": ""},
            },
            "required": ["id", "verdict", "reason", "quote"],
        }
        return {"anyOf": [shown, missed]}

    point_items = [point_item(point.id) for point in points]
    flag_ids = [flag.id for flag in question.red_flags]
    flag_item: dict[str, Any] = {
        "type": "object",
        "properties": {"id": {"enum": flag_ids or ["none"]}, "quote": text(160)},
        "required": ["id", "quote"],
    }
    return {
        "type": "object",
        "properties": {
            "feedback": text(320),
            "points": {"type": "array", "prefixItems": point_items, "items": False},
            "red_flags": {
                "type": "array",
                "items": flag_item,
                "maxItems": len(flag_ids),
            },
            "follow_up": text(200),
        },
        "required": ["feedback", "points", "red_flags", "follow_up"],
    }


# checking the reply against the answer ---------------------------------------------------------

_EDGE = " \t\n\"'.,;:!?()[]{}<>*_-"
_ELLIPSIS = re.compile(r"\.\.\.+|…")
_GAP = "\u241e"  # stands where removed text was, so a quote cannot bridge it


def normalise(text: str) -> str:
    """Compare text the way a reader would: repaired, Unicode-normalised, case-folded, one space."""
    text = unicodedata.normalize("NFKC", clean(text)).casefold()
    return " ".join(text.split())


def evidence_text(answer: str) -> str:
    """The answer as quotes are checked against it: normalised, minus text aimed at the grader."""
    pieces = []
    for start, end in sentence_spans(answer):
        sentence = answer[start:end]
        pieces.append(f" {_GAP} " if is_injection(sentence) else sentence)
    return normalise("".join(pieces))


def quote_found(quote: str, evidence: str) -> bool:
    """True when every fragment of the quote (split at ellipses) occurs in the evidence text,
    as whole words ("tls" is not found in "mtls"), with at least three letters or digits in
    all: a quote of "a" or "," shows nothing."""
    fragments = [normalise(part).strip(_EDGE) for part in _ELLIPSIS.split(quote)]
    fragments = [part for part in fragments if any(ch.isalnum() for ch in part)]
    if sum(ch.isalnum() for part in fragments for ch in part) < 3:
        return False
    return all(re.search(r"(?<!\w)" + re.escape(part) + r"(?!\w)", evidence) for part in fragments)


@dataclass
class Checked:
    """A reply after checking: verdicts we believe, and what was thrown away and why."""

    points: list[PointVerdict]
    red_flags: list[RedFlagHit]
    feedback: str
    follow_up: str | None
    unknown_ids: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    unjudged: list[str] = field(default_factory=list)
    addressed_grader: bool = False

    def notes(self) -> list[str]:
        """One line per correction, appended to the feedback so the candidate sees them."""
        lines = []
        if self.unverified:
            lines.append(
                "Not counted (the quoted words are not in the answer): "
                + ", ".join(self.unverified)
                + "."
            )
        if self.unknown_ids:
            lines.append(
                "Ignored rubric ids the pack does not have: " + ", ".join(self.unknown_ids)
            )
        if self.unjudged:
            lines.append("Not judged by the model, counted as missed: " + ", ".join(self.unjudged))
        if self.addressed_grader:
            lines.append("Text in the answer addressed to the grader was ignored.")
        return lines


def check_reply(question: Question, answer: str, reply: GradeReply) -> Checked:
    """Turn a validated reply into verdicts we can stand behind (see the module docstring).

    Raises ReplyError when the reply judges none of the question's rubric points: that is a
    reply to some other question (or to an injected instruction), worth one retry.
    """
    points = rubric_points(question)
    known = {point.id for point in points}
    evidence = evidence_text(answer)
    judged: dict[str, PointReply] = {}
    unknown: list[str] = []
    for claimed in reply.points:
        if claimed.id not in known:
            unknown.append(claimed.id)
        else:
            judged.setdefault(claimed.id, claimed)
    if not judged:
        raise ReplyError(
            "the reply judges none of the rubric ids; use exactly these ids: "
            + ", ".join(sorted(known))
        )
    checked = Checked(
        points=[],
        red_flags=[],
        feedback=" ".join(reply.feedback.split())[:MAX_FEEDBACK_CHARS],
        follow_up=None,
        unknown_ids=sorted(set(unknown)),
        addressed_grader=bool(addresses_grader(answer)),
    )
    for point in points:
        item = judged.get(point.id)
        verdict = PointVerdict(
            point_id=point.id,
            verdict="missed",
            weight=point.weight,
            description=point.description,
            level=point.level,
        )
        if item is None:
            verdict.reason = "not judged by the model"
            checked.unjudged.append(point.id)
        elif item.verdict == "missed":
            verdict.reason = item.reason.strip()
        elif quote_found(item.quote, evidence):
            verdict.verdict = item.verdict
            verdict.reason = item.reason.strip()
            verdict.evidence = [item.quote.strip()]
            verdict.source = "llm"
        else:
            verdict.reason = f"claimed {item.verdict}, but the quote is not in the answer"
            checked.unverified.append(point.id)
        checked.points.append(verdict)
    flags = {flag.id: flag for flag in question.red_flags}
    seen: set[str] = set()
    for hit in reply.red_flags:
        flag = flags.get(hit.id)
        if flag is None:
            if hit.id not in ("", "none"):
                checked.unknown_ids.append(hit.id)
            continue
        if hit.id in seen or not quote_found(hit.quote, evidence):
            continue
        seen.add(hit.id)
        checked.red_flags.append(
            RedFlagHit(
                flag_id=flag.id,
                penalty=flag.penalty,
                evidence=[hit.quote.strip()],
                description=flag.description,
            )
        )
    gaps = [p for p in checked.points if p.verdict != "covered"]
    follow_up = " ".join(reply.follow_up.split())[:MAX_FOLLOW_UP_CHARS]
    checked.follow_up = follow_up if gaps and follow_up else None
    return checked


# streaming -------------------------------------------------------------------------------------

_FEEDBACK_KEY = re.compile(r'"feedback"\s*:\s*"')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class FeedbackStream:
    """Pulls the "feedback" string out of a JSON reply while it is still arriving.

    `feed(chunk)` returns the feedback text decoded since the last call, so the screen can show
    the model's words as they come even though the reply as a whole is only validated at the
    end. One stream can span a retry: `restart()` forgets the reply but remembers what was
    shown, and text already shown is not shown twice.
    """

    def __init__(self) -> None:
        self.shown = ""
        self.restart()

    def restart(self) -> None:
        self._buffer = ""
        self._start: int | None = None
        self._pos = 0
        self._decoded = ""
        self._done = False

    def feed(self, chunk: str) -> str:
        self._buffer += chunk
        if self._done:
            return ""
        if self._start is None:
            match = _FEEDBACK_KEY.search(self._buffer)
            if match is None:
                return ""
            self._start = self._pos = match.end()
        self._decode()
        if not self._decoded.startswith(self.shown) and not self.shown.startswith(self._decoded):
            return ""  # a retry wrote different feedback: keep what is on screen
        new = self._decoded[len(self.shown) :]
        if new:
            self.shown += new
        return new

    def _decode(self) -> None:
        buffer, pos = self._buffer, self._pos
        out = []
        while pos < len(buffer):
            char = buffer[pos]
            if char == '"':
                self._done = True
                pos += 1
                break
            if char != "\\":
                out.append(char)
                pos += 1
                continue
            if pos + 1 >= len(buffer):
                break  # an escape cut in half: wait for the next chunk
            code = buffer[pos + 1]
            if code == "u":
                digits = buffer[pos + 2 : pos + 6]
                if len(digits) < 4:
                    break
                try:
                    out.append(chr(int(digits, 16)))
                except ValueError:
                    out.append(digits)
                pos += 6
                continue
            out.append(_ESCAPES.get(code, code))
            pos += 2
        self._pos = pos
        self._decoded += "".join(out)
