"""`mockint import`: sessions from an export file into this database, with new ids.

Each session is written in one transaction (all its turns, grades and draft, or nothing).
Ids are remapped — turns, grades, the draft and the `turn_id` each rubric point keeps — so an
import never collides with what the database holds. A session already present (same pack,
start time and grader: the start time has millisecond precision) is skipped, so importing the
same file twice does not double the history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from mockint.errors import UserError
from mockint.review.export import (
    EXPORT_FORMAT,
    EXPORT_SCHEMA_VERSION,
    ExportDocument,
    SessionExport,
)
from mockint.review.results import resummarize
from mockint.store import Store, inserted_id


@dataclass
class ImportReport:
    imported: dict[int, int] = field(default_factory=dict)  # id in file -> new id
    skipped: dict[int, int] = field(default_factory=dict)  # id in file -> existing id


def read_document(path: Path) -> ExportDocument:
    """Parse and validate an export file; every problem is one line naming file and field."""
    try:
        text = path.read_text(encoding="utf-8")
        if text.lstrip().startswith("#"):
            raise UserError(
                f"{path}: a Markdown export; only JSON exports can be imported "
                "(mockint export ID --format json)"
            )
        raw = json.loads(text)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not an export file") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
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
        return ExportDocument.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        more = len(exc.errors()) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise UserError(f"{path}: field {where!r}: {first['msg']}{suffix}") from None


def import_document(store: Store, document: ExportDocument) -> ImportReport:
    report = ImportReport()
    for session in document.sessions:
        existing = store.db.execute(
            "SELECT id FROM sessions WHERE pack_id = ? AND started_at = ? AND grader = ?",
            [session.pack_id, session.started_at, session.grader],
        ).fetchone()
        if existing:
            report.skipped[session.id] = existing[0]
            continue
        new_id = _insert(store, session)
        report.imported[session.id] = new_id
        resummarize(store, new_id)
    return report


def _insert(store: Store, session: SessionExport) -> int:
    db = store.db
    with store.atomic():
        data = session.model_dump(exclude={"id", "turns", "draft"})
        data["question_ids"] = json.dumps(data["question_ids"])
        data["settings"] = json.dumps(data["settings"])
        new_session = inserted_id(db.table("sessions").insert(data))
        turn_ids: dict[int, int] = {}
        for turn in session.turns:
            row = turn.model_dump(exclude={"id", "grades"})
            row.update(
                session_id=new_session,
                probes=json.dumps(row["probes"]),
                skipped=int(row["skipped"]),
                needs_regrade=int(row["needs_regrade"]),
            )
            turn_ids[turn.id] = inserted_id(db.table("turns").insert(row))
        for turn in session.turns:
            for grade in turn.grades:
                row = grade.model_dump(exclude={"id", "points", "red_flags", "disputes"})
                # exclude_unset: a point keeps exactly the keys it had in the source database
                points = [p.model_dump(exclude_unset=True) for p in grade.points]
                flags = [f.model_dump(exclude_unset=True) for f in grade.red_flags]
                for point in points:
                    if point.get("turn_id") is not None:
                        point["turn_id"] = turn_ids.get(point["turn_id"])
                row.update(
                    turn_id=turn_ids[turn.id],
                    points=json.dumps(points),
                    red_flags=json.dumps(flags),
                )
                grade_id = inserted_id(db.table("grades").insert(row))
                for item in grade.disputes:
                    db.table("disputes").insert({"grade_id": grade_id, **item.model_dump()})
        if session.draft is not None:
            draft = session.draft
            db.table("drafts").insert(
                {
                    "session_id": new_session,
                    "turn_id": turn_ids.get(draft.turn_id) if draft.turn_id else None,
                    "text": draft.text,
                    "saved_at": draft.saved_at,
                }
            )
    return new_session


def import_file(store: Store, path: Path) -> ImportReport:
    return import_document(store, read_document(path))
