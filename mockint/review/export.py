"""The JSON export format (versioned pydantic schema) and building it from the store.

Format `mockint-sessions`, schema_version 1. A document holds one or more sessions, each with
its turns in order and every grade of every turn (none is dropped: regrades, cross-checks and
fallback grades included), and the unsent draft of a session still in progress. Every column
the store keeps is carried, so `mockint import` rebuilds the same rows in another database.

Ids in a document (`id` of sessions, turns and grades, `turn_id` inside points and drafts) are
those of the exporting database; they only link things inside the document, and import gives
everything new ids.

No secrets: sessions never store API keys or credentials in endpoint URLs (the store scrubs
them as it writes), and as a second line of defence the export scrubs endpoints and settings
again with mockint.credentials (for databases written before that). `schema_version` grows
when a field changes meaning or a required field is added; readers refuse versions newer than
they know.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from mockint import __version__
from mockint.credentials import scrub_settings, scrub_url
from mockint.grading.serial import flag_to_dict, point_to_dict
from mockint.safe_text import json_safe
from mockint.store import DisputeRow, GradeRow, Store
from mockint.timestamps import now_iso

EXPORT_FORMAT: Final = "mockint-sessions"
EXPORT_SCHEMA_VERSION: Final = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PointExport(BaseModel):
    """One rubric point's verdict. Unknown keys written by newer graders are kept as they are."""

    model_config = ConfigDict(extra="allow")

    id: str
    verdict: Literal["covered", "partial", "missed"]
    weight: float = 1.0
    level: str = "core"
    description: str = ""
    evidence: list[str] = Field(default_factory=list)
    reason: str = ""
    turn_id: int | None = None  # the turn whose answer earned it (an id within this document)
    source: str = ""  # the evidence layer behind the verdict: keyword, semantic, llm
    similarity: float | None = None
    closest: str = ""  # the answer's sentence nearest to a point it did not cover


class RedFlagExport(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    penalty: float = 0.0
    description: str = ""
    evidence: list[str] = Field(default_factory=list)


class DisputeExport(_Model):
    """The candidate's own verdict on a point of this grade ("I covered this")."""

    point_id: str = Field(max_length=200)
    claim: Literal["covered", "missed"]
    note: str = Field(default="", max_length=10_000)
    created_at: str


class GradeExport(_Model):
    id: int
    grader: str
    model: str | None = None
    endpoint: str | None = None
    score: float = Field(ge=0, le=10)
    band: str
    feedback: str = ""
    note: str = ""  # non-empty: this grade stands in for a grader that failed
    points: list[PointExport] = Field(default_factory=list)
    red_flags: list[RedFlagExport] = Field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0
    created_at: str
    disputes: list[DisputeExport] = Field(default_factory=list)


class TurnExport(_Model):
    id: int
    seq: int
    question_id: str
    kind: Literal["main", "follow_up"]
    prompt: str
    answer: str | None = None
    started_at: str
    submitted_at: str | None = None
    probes: list[str] = Field(default_factory=list)
    skipped: bool = False
    budget_seconds: float | None = None
    needs_regrade: bool = False
    grades: list[GradeExport] = Field(default_factory=list)


class DraftExport(_Model):
    turn_id: int | None = None
    text: str
    saved_at: str


class SessionExport(_Model):
    id: int
    pack_id: str
    pack_title: str = ""
    pack_path: str | None = None
    started_at: str
    ended_at: str | None = None
    status: Literal["in_progress", "completed", "abandoned"]
    grader: str
    model: str | None = None
    endpoint: str | None = None
    score: float | None = None
    question_ids: list[str]
    settings: dict[str, Any] = Field(default_factory=dict)
    turns: list[TurnExport] = Field(default_factory=list)
    draft: DraftExport | None = None


class ExportDocument(_Model):
    format: Literal["mockint-sessions"] = EXPORT_FORMAT
    schema_version: Literal[1] = EXPORT_SCHEMA_VERSION
    exported_at: str
    mockint_version: str
    sessions: list[SessionExport]


def export_session(store: Store, session_id: int) -> SessionExport:
    """One session with all its turns, grades and draft. Raises LookupError for an unknown id."""
    session = store.session(session_id)
    if session is None:
        raise LookupError(f"no session {session_id}")
    grades = store.session_grades(session_id)
    disputes = store.session_disputes(session_id)
    turns = [
        TurnExport(
            **_columns(turn, TurnExport),
            grades=[_grade(row, disputes.get(row.id, {})) for row in grades.get(turn.id, [])],
        )
        for turn in store.turns(session_id)
    ]
    draft = store.draft(session_id)
    return SessionExport(
        **_columns(session, SessionExport),
        # credentials never leave: none are stored, and these two are scrubbed all the same
        endpoint=scrub_url(session.endpoint),
        settings=scrub_settings(session.settings),
        turns=turns,
        draft=DraftExport(**_columns(draft, DraftExport)) if draft else None,
    )


def _columns(row: object, model: type[BaseModel]) -> dict[str, Any]:
    """The model's fields that the row has, by name (the ones built otherwise are passed
    beside it: nested lists, scrubbed values)."""
    return {
        name: _plain(getattr(row, name))
        for name in model.model_fields
        if hasattr(row, name) and name not in _BUILT
    }


# fields every exporter builds itself: from other rows, or scrubbed of credentials
_BUILT = frozenset(
    {"grades", "turns", "draft", "disputes", "points", "red_flags", "endpoint", "settings"}
)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _grade(row: GradeRow, disputes: dict[str, DisputeRow]) -> GradeExport:
    return GradeExport(
        **_columns(row, GradeExport),
        endpoint=scrub_url(row.endpoint),
        points=[PointExport.model_validate(point_to_dict(p)) for p in row.points],
        red_flags=[RedFlagExport.model_validate(flag_to_dict(f)) for f in row.red_flags],
        disputes=[DisputeExport(**_columns(d, DisputeExport)) for d in disputes.values()],
    )


def export_document(store: Store, session_ids: list[int]) -> ExportDocument:
    return ExportDocument(
        format=EXPORT_FORMAT,
        schema_version=EXPORT_SCHEMA_VERSION,
        exported_at=now_iso(),
        mockint_version=__version__,
        sessions=[export_session(store, sid) for sid in session_ids],
    )


def to_json(document: ExportDocument) -> str:
    """The document as JSON. exclude_unset: a rubric point carries the keys it was given
    (every other field is set explicitly when a document is built)."""
    return json_safe(document.model_dump_json(indent=2, exclude_unset=True)) + "\n"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the export format, for documentation and other tools."""
    return ExportDocument.model_json_schema()
