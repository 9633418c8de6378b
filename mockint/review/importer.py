"""`mockint import`: sessions from an export file into this database, with new ids.

The whole file is read and checked before anything is written (mockint.review.import_checks):
a file with any invalid session writes nothing and names the session and field at fault.
Each session is then written in one transaction (all its turns, grades, disputes, draft and
per-question results, or nothing). Ids are remapped — turns, grades, the draft and the
`turn_id` each rubric point keeps — so an import never collides with what the database holds.
Times are stored in mockint's own form (UTC to the millisecond, ending in Z: see
mockint.timestamps), however the file wrote them, so they sort among the others as text.

A session already present (same pack, start time and grader: the session key of schema 4) is
skipped, so importing the same file twice does not double the history. That is a uniqueness
rule, not a look-before-you-leap: the key is inserted in the session's own transaction, and a
second process importing the same file at the same moment fails that insert and skips.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from mockint.errors import UserError
from mockint.grading.serial import flag_from_dict, flags_json, point_from_dict, points_json
from mockint.review import queries
from mockint.review.export import (
    EXPORT_FORMAT,
    EXPORT_SCHEMA_VERSION,
    ExportDocument,
    SessionExport,
)
from mockint.review.import_checks import ImportProblem, check_document, parse
from mockint.review.results import resummarize
from mockint.store import GradeRow, SessionRow, Store, TurnRow
from mockint.textfiles import MB, read_text
from mockint.timestamps import iso, parse_iso

FILE_LIMIT = 512 * MB


@dataclass
class ImportReport:
    imported: dict[int, int] = field(default_factory=dict)  # id in file -> new id
    skipped: dict[int, int] = field(default_factory=dict)  # id in file -> existing id


def read_document(path: Path) -> ExportDocument:
    """Parse and check an export file; every problem is one line naming file, session and
    field, and says that nothing was imported."""
    text = read_text(path, limit=FILE_LIMIT, what="mockint export")
    if text.lstrip().startswith("#"):
        raise UserError(
            f"{path}: a Markdown export; only JSON exports can be imported "
            "(mockint export ID --format json)"
        )
    try:
        raw = parse(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    except ValueError as exc:
        raise ImportProblem(f"{path}: {exc}; nothing was imported") from None
    if not isinstance(raw, dict) or raw.get("format") != EXPORT_FORMAT:
        raise UserError(
            f'{path}: not a mockint export (expected "format": "{EXPORT_FORMAT}"; '
            "Markdown exports cannot be imported, export with --format json)"
        )
    version = raw.get("schema_version")
    if isinstance(version, int) and version > EXPORT_SCHEMA_VERSION:
        raise UserError(
            f"{path}: export schema {version} is newer than this mockint reads "
            f"({EXPORT_SCHEMA_VERSION}); upgrade mockint"
        )
    try:
        document = ExportDocument.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ImportProblem(
            f"{path}: {_where(first['loc'], raw)}: {first['msg']}{_more(len(exc.errors()))}; "
            "nothing was imported"
        ) from None
    problems = check_document(document)
    if problems:
        raise ImportProblem(f"{path}: {problems[0]}{_more(len(problems))}; nothing was imported")
    return document


def _more(count: int) -> str:
    more = count - 1
    return f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""


def _where(loc: tuple[int | str, ...], raw: dict[str, object]) -> str:
    """'session 12 (2nd in the file), turns[0].started_at' for a pydantic error location."""
    parts = list(loc)
    prefix = ""
    sessions = raw.get("sessions")
    if len(parts) >= 2 and parts[0] == "sessions" and isinstance(parts[1], int):
        index = parts[1]
        entry = sessions[index] if isinstance(sessions, list) and index < len(sessions) else None
        session_id = entry.get("id") if isinstance(entry, dict) else None
        prefix = f"session {session_id} (number {index + 1} in the file)"
        parts = parts[2:]
    field_path = ""
    for part in parts:
        field_path += (
            f"[{part}]" if isinstance(part, int) else ("." if field_path else "") + str(part)
        )
    return ", ".join(p for p in (prefix, f"field {field_path!r}" if field_path else "") if p)


def import_document(store: Store, document: ExportDocument) -> ImportReport:
    report = ImportReport()
    document = _in_stored_form(document)
    for session in document.sessions:
        with store.atomic():
            try:
                with store.atomic():  # a savepoint: a session already here leaves no trace
                    new_id = _insert(store, session)
            except sqlite3.IntegrityError as exc:
                if "session_keys" not in str(exc):
                    raise
                existing = queries.session_with_key(
                    store, session.pack_id, session.started_at, session.grader
                )
                report.skipped[session.id] = -1 if existing is None else existing
                continue
            resummarize(store, new_id)
        report.imported[session.id] = new_id
    return report


def _insert(store: Store, session: SessionExport) -> int:
    with store.atomic():
        data = session.model_dump(exclude={"id", "turns", "draft"})
        new_session = store.insert("sessions", SessionRow.columns(data))
        # the uniqueness rule: fails (IntegrityError) when this session is already here
        store.add_session_key(new_session)
        turn_ids: dict[int, int] = {}
        for turn in session.turns:
            row = turn.model_dump(exclude={"id", "grades"})
            row["session_id"] = new_session
            turn_ids[turn.id] = store.insert("turns", TurnRow.columns(row))
        for turn in session.turns:
            for grade in turn.grades:
                row = grade.model_dump(exclude={"id", "points", "red_flags", "disputes"})
                # stored as mockint.grading.serial writes them: older files gain the defaults
                points = [point_from_dict(p.model_dump()) for p in grade.points]
                flags = [flag_from_dict(f.model_dump()) for f in grade.red_flags]
                for point in points:
                    if point.turn_id is not None:
                        point.turn_id = turn_ids.get(point.turn_id)
                row.update(
                    turn_id=turn_ids[turn.id],
                    points=points_json(points),
                    red_flags=flags_json(flags),
                )
                grade_id = store.insert("grades", GradeRow.columns(row))
                for item in grade.disputes:
                    store.insert("disputes", {"grade_id": grade_id, **item.model_dump()})
        if session.draft is not None:
            draft = session.draft
            store.insert(
                "drafts",
                {
                    "session_id": new_session,
                    "turn_id": turn_ids.get(draft.turn_id) if draft.turn_id else None,
                    "text": draft.text,
                    "saved_at": draft.saved_at,
                },
            )
    return new_session


def _moment(value: str) -> str:
    """A checked time of the file as mockint stores one: "2026-03-02T09:30:00+08:00" is
    "2026-03-02T01:30:00.000Z". Text that is no time (the checks refuse it) stays as it is."""
    moment = parse_iso(value)
    return iso(moment) if moment is not None else value


def _in_stored_form(document: ExportDocument) -> ExportDocument:
    """A copy of the document whose times are in mockint's stored form, the session key's
    start time included (the same file imported twice is still recognised)."""
    document = document.model_copy(deep=True)
    for session in document.sessions:
        session.started_at = _moment(session.started_at)
        if session.ended_at is not None:
            session.ended_at = _moment(session.ended_at)
        if session.draft is not None:
            session.draft.saved_at = _moment(session.draft.saved_at)
        for turn in session.turns:
            turn.started_at = _moment(turn.started_at)
            if turn.submitted_at is not None:
                turn.submitted_at = _moment(turn.submitted_at)
            for grade in turn.grades:
                grade.created_at = _moment(grade.created_at)
                for dispute in grade.disputes:
                    dispute.created_at = _moment(dispute.created_at)
    return document


def import_file(store: Store, path: Path) -> ImportReport:
    return import_document(store, read_document(path))
