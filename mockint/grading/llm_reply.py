"""What an LLM grader's reply must look like, and how much of it we believe.

The model's reply is untrusted text. It is parsed into pydantic models (lenient about harmless
variations: surrounding prose, code fences, capitalised or spelled-out verdicts, points keyed
by id), then checked against the question and the answer:

- rubric and red-flag ids the pack does not have are dropped;
- a "covered" or "partial" verdict counts only when its quote is in the answer as a careful
  reader would accept it (llm_quotes.py), and not in text that addresses the grader; otherwise
  the point is downgraded to "missed". A red flag needs a contiguous quote;
- when most of the quotes a reply claims fail, the reply as a whole is not believed
  (`Checked.quotes_mostly_failed`): the grader asks once more, then falls back;
- the score is not part of the reply at all: `base.finalize` computes it from the verdicts.

The reply is a judge's: per point the quote first, then the reason, then the verdict; the
feedback and the follow-up come after the points, once the evidence is on the page.

Nothing here imports openai: the reply may come from any transport, and the TUI can import
these helpers without pulling in the client.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mockint.grading.base import PointVerdict, RedFlagHit
from mockint.grading.llm_quotes import QUOTE_CAP, Evidence, quote_matches
from mockint.packs import Question, RubricPoint

REFERENCE_POINT_ID = "reference"
MAX_FEEDBACK_CHARS = 1200
MAX_FOLLOW_UP_CHARS = 400
# Lengths the reply schema enforces (grammar servers) and the prompt states (all servers).
CAPS = {"quote": QUOTE_CAP, "reason": 120, "feedback": 320, "follow_up": 200}


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


class StrictReply(BaseModel):
    """Base of every model reply: extra keys ignored, a strict schema published."""

    model_config = ConfigDict(extra="ignore", json_schema_extra=_strict_schema)


def empty_if_none(value: Any) -> Any:
    return "" if value is None else value


# Verdicts as models spell them when not held to the schema.
_VERDICTS = {
    "covered": "covered",
    "fully covered": "covered",
    "met": "covered",
    "yes": "covered",
    "partial": "partial",
    "partially": "partial",
    "partially covered": "partial",
    "partly covered": "partial",
    "partly": "partial",
    "missed": "missed",
    "missing": "missed",
    "not covered": "missed",
    "not met": "missed",
    "no": "missed",
    "absent": "missed",
}


class PointReply(StrictReply):
    """The model's judgement of one rubric point: evidence, then reasoning, then verdict."""

    id: str
    quote: str = ""
    reason: str = ""
    verdict: Literal["covered", "partial", "missed"]

    _texts = field_validator("reason", "quote", mode="before")(empty_if_none)

    @field_validator("verdict", mode="before")
    @classmethod
    def _known_verdict(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        key = " ".join(value.strip().lower().replace("_", " ").replace("-", " ").split())
        return _VERDICTS.get(key, key)

    @field_validator("id", mode="before")
    @classmethod
    def _text_id(cls, value: Any) -> Any:
        return str(value).strip() if isinstance(value, str | int | float) else value


class RedFlagReply(StrictReply):
    """A misconception the model says the answer shows, with the words that show it."""

    id: str
    quote: str = ""

    _texts = field_validator("quote", mode="before")(empty_if_none)


def _keyed_list(value: Any) -> Any:
    """{"p1": {...}, "p2": {...}} as [{"id": "p1", ...}, ...]: a common way to drift."""
    if isinstance(value, dict):
        return [
            {"id": key, **item} if isinstance(item, dict) else {"id": key, "verdict": item}
            for key, item in value.items()
        ]
    return value


class GradeReply(StrictReply):
    """The whole reply: the points first, the summary for the candidate last."""

    points: list[PointReply]
    red_flags: list[RedFlagReply] = Field(default_factory=list)
    feedback: str = ""
    follow_up: str = ""

    _texts = field_validator("feedback", "follow_up", mode="before")(empty_if_none)

    @field_validator("points", mode="before")
    @classmethod
    def _points(cls, value: Any) -> Any:
        return _keyed_list(value)

    @field_validator("red_flags", mode="before")
    @classmethod
    def _no_flags(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, dict):
            return [{"id": key, "quote": quote} for key, quote in value.items()]
        return value


class ReplyError(ValueError):
    """The reply cannot be used; the message is fed back to the model for its one retry."""


# parsing ---------------------------------------------------------------------------------------

_FENCE = re.compile(r"```[\w-]*[ \t]*\n?(.*?)(?:```|$)", re.DOTALL)


def _objects(text: str) -> list[Any]:
    """Every JSON value the text holds: the whole text, fenced blocks, objects inside prose.

    Raw line breaks inside strings are accepted: small models write them, and they change
    nothing of what the reply means.
    """
    decoder = json.JSONDecoder(strict=False)
    found: list[Any] = []
    candidates = [text, *(m.group(1).strip() for m in _FENCE.finditer(text))]
    for candidate in candidates:
        try:
            found.append(decoder.decode(candidate))
        except ValueError:
            continue
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        found.append(value)
    return found


def extract_json(text: str) -> Any:
    """The reply's JSON object: the whole reply, a fenced block, or one inside prose.

    An object with "points" wins over any other (a model may show a small example first).
    """
    stripped = text.strip()
    if not stripped:
        raise ReplyError("the reply was empty")
    found = _objects(stripped)
    for value in found:
        if isinstance(value, dict) and "points" in value:
            return value
    for value in found:
        if isinstance(value, dict):
            return value
    if found:
        return found[0]
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
    if "points" not in data:
        for value in data.values():  # {"grade": {...}}: one level of wrapping
            if isinstance(value, dict) and "points" in value:
                data = value
                break
    try:
        return GradeReply.model_validate(data)
    except ValidationError as exc:
        raise ReplyError(describe_validation_error(exc)) from None


# what the model is asked to judge --------------------------------------------------------------


def missed_point(point: RubricPoint, reason: str = "") -> PointVerdict:
    """The point's verdict until the model shows otherwise: missed, with the point's weight,
    description and level."""
    return PointVerdict(
        point_id=point.id,
        verdict="missed",
        weight=point.weight,
        description=point.description,
        level=point.level,
        reason=reason,
    )


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
    lengths are capped so a small model cannot ramble until it hits the token limit. The
    order of properties is the order of judging: quote, reason, verdict; summary last.
    """
    points = rubric_points(question)

    def text(name: str) -> dict[str, Any]:
        return {"type": "string", "maxLength": CAPS[name]}

    def point_item(point_id: str) -> dict[str, Any]:
        # A missed point has nothing to quote, and a shown one needs a quote: the grammar says
        # so, and a small model then neither invents text for a miss nor credits without one.
        shown = {
            "type": "object",
            "properties": {
                "id": {"const": point_id},
                "quote": {**text("quote"), "minLength": 3},
                "reason": text("reason"),
                "verdict": {"enum": ["covered", "partial"]},
            },
            "required": ["id", "quote", "reason", "verdict"],
        }
        missed = {
            "type": "object",
            "properties": {
                "id": {"const": point_id},
                "quote": {"const": ""},
                "reason": text("reason"),
                "verdict": {"const": "missed"},
            },
            "required": ["id", "quote", "reason", "verdict"],
        }
        return {"anyOf": [shown, missed]}

    point_items = [point_item(point.id) for point in points]
    flag_ids = [flag.id for flag in question.red_flags]
    flag_item: dict[str, Any] = {
        "type": "object",
        "properties": {"id": {"enum": flag_ids or ["none"]}, "quote": text("quote")},
        "required": ["id", "quote"],
    }
    return {
        "type": "object",
        "properties": {
            "points": {"type": "array", "prefixItems": point_items, "items": False},
            "red_flags": {
                "type": "array",
                "items": flag_item,
                "maxItems": len(flag_ids),
            },
            "feedback": text("feedback"),
            "follow_up": text("follow_up"),
        },
        "required": ["points", "red_flags", "feedback", "follow_up"],
    }


# checking the reply against the answer ---------------------------------------------------------


@dataclass
class Checked:
    """A reply after checking: verdicts we believe, and what was thrown away and why."""

    points: list[PointVerdict]
    red_flags: list[RedFlagHit]
    feedback: str
    follow_up: str | None
    unknown_ids: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    unverified_flags: list[str] = field(default_factory=list)
    unjudged: list[str] = field(default_factory=list)
    claimed: int = 0  # quotes the reply offered as evidence (points shown, flags named)
    addressed_grader: bool = False

    @property
    def failed(self) -> list[str]:
        """Ids whose quotes are not in the answer."""
        return [*self.unverified, *self.unverified_flags]

    @property
    def quotes_mostly_failed(self) -> bool:
        """More than half of the claimed quotes are not in the answer: the reply judged some
        other text (or invented its evidence), so none of it is believed."""
        return self.claimed > 0 and 2 * len(self.failed) > self.claimed

    def notes(self) -> list[str]:
        """One line per correction, appended to the feedback so the candidate sees them."""
        lines = []
        if self.unverified:
            lines.append(
                "Not counted (the quoted words are not in the answer): "
                + ", ".join(self.unverified)
                + "."
            )
        if self.unverified_flags:
            lines.append(
                "Red flags not counted (the quoted words are not in the answer): "
                + ", ".join(self.unverified_flags)
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
    evidence = Evidence.of(answer)
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
        addressed_grader=bool(evidence.addressed_grader),
    )
    for point in points:
        item = judged.get(point.id)
        verdict = missed_point(point)
        if item is None:
            verdict.reason = "not judged by the model"
            checked.unjudged.append(point.id)
        elif item.verdict == "missed":
            verdict.reason = item.reason.strip()
        else:
            checked.claimed += 1
            if quote_matches(item.quote, evidence):
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
        if hit.id in seen:
            continue
        seen.add(hit.id)
        checked.claimed += 1
        if not quote_matches(hit.quote, evidence, contiguous=True):
            checked.unverified_flags.append(hit.id)
            continue
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
