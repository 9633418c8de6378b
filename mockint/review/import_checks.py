"""What an export file must satisfy before `mockint import` writes any of it.

The pydantic models in mockint.review.export describe the shape; an import also has to trust
the values, because a bad one written once breaks every screen that later reads it: a
`started_at` of "not-a-date" once broke history, stats, show and the Markdown export for the
whole database, a score of 999 or duplicate turn ids were accepted (grades attached to the
wrong turn), huge integers and lone surrogates gave tracebacks. So, before anything is written:

- `parse`: the JSON itself: no NaN or Infinity, integers within SQLite's 64 bits, strings of
  valid Unicode (no lone surrogates) and at most TEXT_LIMIT characters, nesting at most
  MAX_DEPTH deep;
- `check_document`: the values: dates with a time zone between 1970 and 9998, scores 0-10,
  counts and durations in range, short fields short, ids unique within their session, every
  reference (a draft's turn, a point's turn) pointing at a turn of the same session, at most
  one unanswered turn per session, session ids unique in the file.

Every problem names the session (its id in the file and its position) and the field.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mockint.errors import UserError
from mockint.grading.base import BANDS
from mockint.review.export import ExportDocument, GradeExport, SessionExport, TurnExport

MAX_INT = 2**63 - 1  # SQLite's INTEGER
TEXT_LIMIT = 20_000_000  # characters in one string: an answer pasted from a whole document
SHORT_LIMIT = 1_000  # ids, names, bands, a model's name, an endpoint
MAX_DEPTH = 64
MAX_ITEMS = 100_000  # turns in a session, grades of a turn, points of a grade, ...
BAND_NAMES = frozenset(name for _, name in BANDS)


class ImportProblem(UserError):
    """The export file cannot be imported as it is; nothing was written."""


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _checked_int(text: str) -> int:
    value = int(text)
    if not -MAX_INT - 1 <= value <= MAX_INT:
        raise ValueError(f"the integer {text[:30]}{'…' if len(text) > 30 else ''} is too large")
    return value


def parse(text: str) -> Any:
    """JSON with the limits above; raises ValueError (a message for the user) when broken."""
    try:
        raw = json.loads(text, parse_constant=_reject_constant, parse_int=_checked_int)
    except RecursionError:
        raise ValueError("nested too deeply to be a mockint export") from None
    stack: list[tuple[Any, str, int]] = [(raw, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"nested too deeply to be a mockint export (at {where or 'top'})")
        if isinstance(value, str):
            _check_string(value, where)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_string(key, f"{where}.{key[:40]}")
                stack.append((item, f"{where}.{key[:40]}" if where else key[:40], depth + 1))
        elif isinstance(value, list):
            if len(value) > MAX_ITEMS:
                raise ValueError(f"{where}: more than {MAX_ITEMS:,} items")
            stack.extend((item, f"{where}[{index}]", depth + 1) for index, item in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{where}: {value} is not a finite number")
    return raw


def _check_string(value: str, where: str) -> None:
    if len(value) > TEXT_LIMIT:
        raise ValueError(
            f"{where}: a string of {len(value):,} characters (the limit is {TEXT_LIMIT:,})"
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(
            f"{where}: not valid Unicode (a lone surrogate \\u{ord(value[_bad(value)]):04x})"
        ) from None


def _bad(value: str) -> int:
    return next(i for i, c in enumerate(value) if 0xD800 <= ord(c) <= 0xDFFF)


@dataclass
class Problem:
    index: int  # position of the session in the file, from 0 (-1: the document itself)
    session_id: int | None
    where: str
    message: str

    def __str__(self) -> str:
        if self.index < 0:
            return f"{self.where}: {self.message}"
        who = f"session {self.session_id} ({_ordinal(self.index + 1)} in the file)"
        return f"{who}, {self.where}: {self.message}" if self.where else f"{who}: {self.message}"


def _ordinal(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def _date_problem(value: str | None, optional: bool = False) -> str | None:
    if value is None:
        return None if optional else "missing"
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return f"not a date and time: {value[:40]!r}"
    if moment.tzinfo is None:
        return f"a date without a time zone: {value[:40]!r} (write it like 2026-03-02T09:30:00Z)"
    if not 1970 <= moment.year <= 9998:
        return f"a date out of range: {value[:40]!r}"
    return None


class _Checker:
    def __init__(self, index: int, session_id: int | None) -> None:
        self.index = index
        self.session_id = session_id
        self.problems: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.index, self.session_id, where, message))

    def date(self, where: str, value: str | None, optional: bool = False) -> None:
        problem = _date_problem(value, optional)
        if problem:
            self.add(where, problem)

    def short(self, where: str, value: str | None) -> None:
        if value is not None and len(value) > SHORT_LIMIT:
            self.add(where, f"{len(value):,} characters (at most {SHORT_LIMIT:,})")

    def number(self, where: str, value: float | None, low: float, high: float) -> None:
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            self.add(where, f"{value!r} is out of range ({low:g} to {high:g})")


def check_document(document: ExportDocument) -> list[Problem]:
    """Every problem in the document, in file order (empty: safe to import)."""
    problems: list[Problem] = []
    top = _Checker(-1, None)
    top.date("exported_at", document.exported_at)
    top.short("mockint_version", document.mockint_version)
    problems += top.problems
    seen: dict[int, int] = {}
    for index, session in enumerate(document.sessions):
        if session.id in seen:
            problems.append(
                Problem(
                    index,
                    session.id,
                    "id",
                    f"the same id as the {_ordinal(seen[session.id] + 1)} session",
                )
            )
        seen.setdefault(session.id, index)
        problems += _check_session(index, session)
    return problems


def _check_session(index: int, session: SessionExport) -> list[Problem]:
    check = _Checker(index, session.id)
    check.number("id", session.id, 1, MAX_INT)
    for name in ("pack_id", "grader", "model", "endpoint", "pack_title"):
        check.short(name, getattr(session, name))
    if not session.pack_id.strip():
        check.add("pack_id", "empty")
    check.date("started_at", session.started_at)
    check.date("ended_at", session.ended_at, optional=True)
    check.number("score", session.score, 0, 10)
    if not session.question_ids:
        check.add("question_ids", "empty: a session asks at least one question")
    for position, question_id in enumerate(session.question_ids):
        check.short(f"question_ids[{position}]", question_id)
    turn_ids: set[int] = set()
    grade_ids: set[int] = set()
    open_turns = 0
    for position, turn in enumerate(session.turns):
        where = f"turns[{position}]"
        if turn.id in turn_ids:
            check.add(
                f"{where}.id",
                f"turn id {turn.id} appears twice (grades would attach to the wrong turn)",
            )
        turn_ids.add(turn.id)
        open_turns += turn.submitted_at is None
        _check_turn(check, where, turn)
        for number, grade in enumerate(turn.grades):
            if grade.id in grade_ids:
                check.add(f"{where}.grades[{number}].id", f"grade id {grade.id} appears twice")
            grade_ids.add(grade.id)
            _check_grade(check, f"{where}.grades[{number}]", grade)
    if open_turns > 1:
        check.add(
            "turns", f"{open_turns} unanswered turns (a session has at most one open question)"
        )
    for position, turn in enumerate(session.turns):
        for number, grade in enumerate(turn.grades):
            for point_index, point in enumerate(grade.points):
                if point.turn_id is not None and point.turn_id not in turn_ids:
                    check.add(
                        f"turns[{position}].grades[{number}].points[{point_index}].turn_id",
                        f"turn {point.turn_id} is not a turn of this session",
                    )
    if session.draft is not None:
        check.date("draft.saved_at", session.draft.saved_at)
        if session.draft.turn_id is not None and session.draft.turn_id not in turn_ids:
            check.add(
                "draft.turn_id", f"turn {session.draft.turn_id} is not a turn of this session"
            )
    return check.problems


def _check_turn(check: _Checker, where: str, turn: TurnExport) -> None:
    check.number(f"{where}.id", turn.id, 1, MAX_INT)
    check.number(f"{where}.seq", turn.seq, 0, 1_000_000)
    check.short(f"{where}.question_id", turn.question_id)
    check.date(f"{where}.started_at", turn.started_at)
    check.date(f"{where}.submitted_at", turn.submitted_at, optional=True)
    check.number(f"{where}.budget_seconds", turn.budget_seconds, 0, 10_000_000)
    for position, probe in enumerate(turn.probes):
        check.short(f"{where}.probes[{position}]", probe)


def _check_grade(check: _Checker, where: str, grade: GradeExport) -> None:
    check.number(f"{where}.id", grade.id, 1, MAX_INT)
    for name in ("grader", "model", "endpoint"):
        check.short(f"{where}.{name}", getattr(grade, name))
    if grade.band not in BAND_NAMES:
        check.add(
            f"{where}.band", f"{grade.band[:40]!r} is not a band ({', '.join(sorted(BAND_NAMES))})"
        )
    check.date(f"{where}.created_at", grade.created_at)
    check.number(f"{where}.prompt_tokens", grade.prompt_tokens, 0, MAX_INT)
    check.number(f"{where}.completion_tokens", grade.completion_tokens, 0, MAX_INT)
    check.number(f"{where}.latency_ms", grade.latency_ms, 0, 1e12)
    for position, point in enumerate(grade.points):
        at = f"{where}.points[{position}]"
        check.short(f"{at}.id", point.id)
        check.number(f"{at}.weight", point.weight, 0, 1_000)
        check.number(f"{at}.similarity", point.similarity, -1, 1)
    for position, flag in enumerate(grade.red_flags):
        check.short(f"{where}.red_flags[{position}].id", flag.id)
        check.number(f"{where}.red_flags[{position}].penalty", flag.penalty, 0, 10)
    for position, dispute in enumerate(grade.disputes):
        check.date(f"{where}.disputes[{position}].created_at", dispute.created_at)
