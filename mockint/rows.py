"""The store's rows as typed values: a session, a turn, a grade, a dispute, a draft, an owner.

Frozen dataclasses, built once from the SQLite row with the JSON columns decoded, so the rest
of mockint reads `turn.probes` and `grade.points` (PointVerdicts, through
mockint.grading.serial) instead of guessing at dict keys. Pydantic stays at the boundaries
(export files, packs, LLM replies); inside, rows are plain data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, ClassVar, Literal, Self

from mockint.credentials import scrub_settings, scrub_url
from mockint.grading.base import Grade, PointVerdict, RedFlagHit, Usage
from mockint.grading.serial import flags_from_json, points_from_json

Row = Mapping[str, Any]


_FIELDS: dict[type[Any], tuple[str, ...]] = {}


def _json_tuple(text: str) -> tuple[Any, ...]:
    return tuple(json.loads(text))


def _to_json(value: Any) -> str:
    """A JSON column's text; a value that is text already is taken as encoded."""
    return value if isinstance(value, str) else json.dumps(value)


def _settings_json(value: Any) -> str:
    """A session's settings as stored: never a credential, whoever wrote them (an import)."""
    return json.dumps(scrub_settings(json.loads(value) if isinstance(value, str) else value))


class _Row:
    """A row read into its dataclass: each field from the column of its name, through the
    subclass's `DECODE` where the column holds JSON or a 0/1 flag (and written back through
    `ENCODE`, by `columns`)."""

    __dataclass_fields__: ClassVar[dict[str, Any]]  # each subclass is a dataclass
    DECODE: ClassVar[Mapping[str, Callable[[Any], Any]]] = {}
    ENCODE: ClassVar[Mapping[str, Callable[[Any], Any]]] = {}

    @classmethod
    def columns(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """Values for the row's table, by column: lists and dicts as JSON text, flags as 0/1."""
        encode = cls.ENCODE
        return {k: encode[k](v) if k in encode else v for k, v in values.items()}

    @classmethod
    def from_row(cls, row: Row) -> Self:
        names = _FIELDS.get(cls)
        if names is None:
            names = _FIELDS[cls] = tuple(f.name for f in fields(cls))
        decode = cls.DECODE
        return cls(
            **{name: decode[name](row[name]) if name in decode else row[name] for name in names}
        )


@dataclass(frozen=True)
class SessionRow(_Row):
    id: int
    pack_id: str
    pack_title: str
    pack_path: str | None
    started_at: str
    ended_at: str | None
    status: Literal["in_progress", "completed", "abandoned"]
    grader: str
    model: str | None
    endpoint: str | None
    score: float | None
    question_ids: tuple[str, ...]
    settings: Mapping[str, Any]

    DECODE: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "question_ids": _json_tuple,
        "settings": json.loads,
    }
    # endpoints and settings are scrubbed of credentials on their way into the database
    ENCODE: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "question_ids": _to_json,
        "settings": _settings_json,
        "endpoint": scrub_url,
    }


@dataclass(frozen=True)
class TurnRow(_Row):
    id: int
    session_id: int
    question_id: str
    kind: Literal["main", "follow_up"]
    prompt: str
    answer: str | None
    started_at: str
    submitted_at: str | None
    seq: int
    probes: tuple[str, ...]
    skipped: bool
    budget_seconds: float | None
    needs_regrade: bool

    DECODE: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "probes": _json_tuple,
        "skipped": bool,
        "needs_regrade": bool,
    }
    ENCODE: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "probes": _to_json,
        "skipped": int,
        "needs_regrade": int,
    }


@dataclass(frozen=True)
class GradeRow(_Row):
    id: int
    turn_id: int
    grader: str
    model: str | None
    endpoint: str | None
    score: float
    band: str
    feedback: str
    points: tuple[PointVerdict, ...]
    red_flags: tuple[RedFlagHit, ...]
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    note: str
    created_at: str

    DECODE: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "points": lambda text: tuple(points_from_json(text)),
        "red_flags": lambda text: tuple(flags_from_json(text)),
    }
    ENCODE: ClassVar[Mapping[str, Callable[[Any], Any]]] = {"endpoint": scrub_url}

    @property
    def verdicts(self) -> dict[str, str]:
        """Point id -> verdict."""
        return {p.point_id: p.verdict for p in self.points}

    def to_grade(self, question_id: str) -> Grade:
        """The stored grade as a Grade again, to combine or re-score it (fresh copies of its
        points: the row stays as read)."""
        return Grade(
            question_id=question_id,
            grader=self.grader,
            points=[replace(p, evidence=list(p.evidence)) for p in self.points],
            red_flags=[replace(f, evidence=list(f.evidence)) for f in self.red_flags],
            score=self.score,
            band=self.band,
            feedback=self.feedback,
            model=self.model,
            endpoint=self.endpoint,
            usage=Usage(
                prompt_tokens=self.prompt_tokens,
                completion_tokens=self.completion_tokens,
                latency_ms=self.latency_ms,
            ),
            note=self.note,
        )


@dataclass(frozen=True)
class DisputeRow(_Row):
    """The candidate's verdict on one point of a grade, stored beside it."""

    id: int
    grade_id: int
    point_id: str
    claim: Literal["covered", "missed"]
    note: str
    created_at: str


@dataclass(frozen=True)
class DisputeCase:
    """A dispute with what it is about: the question, the answer and the disputed verdict."""

    point_id: str
    claim: str
    note: str
    created_at: str
    grader: str
    question_id: str
    answer: str | None
    kind: str
    pack_id: str
    settings: Mapping[str, Any]
    session_id: int
    verdict: str | None  # the grader's verdict on the point; None when the grade lacks it


@dataclass(frozen=True)
class OwnerRow(_Row):
    """The process that holds a session open for writing (see mockint.ownership)."""

    session_id: int
    token: str
    pid: int
    host: str
    claimed_at: str
    seen_at: str


@dataclass(frozen=True)
class DraftRow(_Row):
    session_id: int
    turn_id: int | None
    text: str
    saved_at: str
