"""The SQLite store: schema, upgrades and the queries the rest of mockint needs.

Every session, turn (a question shown and the answer typed), grade and draft lives here.
The schema version is kept in `PRAGMA user_version`; a new database is built by running every
upgrade step from zero, so the path an old file takes is the path every file has taken.
Calls are small and guarded by a lock so the TUI can make them from worker threads.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from mockint.errors import UserError
from mockint.grading.base import Grade

SessionRow = dict[str, Any]
TurnRow = dict[str, Any]
GradeRow = dict[str, Any]

STATUSES = ("in_progress", "completed", "abandoned")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class StoreError(UserError):
    """The database cannot be used: not a database, too new, unreadable."""


def _v1(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            pack_id TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            status TEXT NOT NULL DEFAULT 'in_progress',
            grader TEXT NOT NULL,
            question_ids TEXT NOT NULL DEFAULT '[]',
            settings TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE turns (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('main', 'follow_up')),
            prompt TEXT NOT NULL,
            answer TEXT,
            started_at TEXT NOT NULL,
            submitted_at TEXT
        );
        CREATE TABLE grades (
            id INTEGER PRIMARY KEY,
            turn_id INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
            grader TEXT NOT NULL,
            model TEXT,
            endpoint TEXT,
            score REAL NOT NULL,
            band TEXT NOT NULL,
            feedback TEXT NOT NULL DEFAULT '',
            points TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL
        );
        CREATE INDEX turns_session ON turns(session_id);
        CREATE INDEX grades_turn ON grades(turn_id);
        """
    )


def _v2(db: sqlite_utils.Database) -> None:
    """Scores and provenance for fast history views, token usage, regrade marks and drafts."""
    db.executescript(
        """
        ALTER TABLE sessions ADD COLUMN pack_title TEXT NOT NULL DEFAULT '';
        ALTER TABLE sessions ADD COLUMN pack_path TEXT;
        ALTER TABLE sessions ADD COLUMN model TEXT;
        ALTER TABLE sessions ADD COLUMN endpoint TEXT;
        ALTER TABLE sessions ADD COLUMN score REAL;
        ALTER TABLE turns ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE turns ADD COLUMN probes TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE turns ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE turns ADD COLUMN budget_seconds REAL;
        ALTER TABLE turns ADD COLUMN needs_regrade INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE grades ADD COLUMN red_flags TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE grades ADD COLUMN prompt_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE grades ADD COLUMN completion_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE grades ADD COLUMN latency_ms REAL NOT NULL DEFAULT 0;
        ALTER TABLE grades ADD COLUMN note TEXT NOT NULL DEFAULT '';
        CREATE TABLE drafts (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            turn_id INTEGER REFERENCES turns(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            saved_at TEXT NOT NULL
        );
        CREATE INDEX sessions_started ON sessions(started_at);
        """
    )


# MIGRATIONS[i] takes a database from version i to version i + 1.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2]
SCHEMA_VERSION = len(MIGRATIONS)


def _create_private(path: Path) -> None:
    """Create the file readable by its owner only before SQLite touches it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
        os.chmod(path, 0o600)


class Store:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).expanduser()
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a database file")
        try:
            _create_private(self.path)
            conn = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{self.path}: cannot open the database: {exc}") from None
        self._lock = threading.RLock()
        self.db = sqlite_utils.Database(conn)
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            self._upgrade()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{self.path}: not a mockint database ({exc})") from None

    @property
    def version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _upgrade(self) -> None:
        version = self.version
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer mockint (schema {version}; this one knows up "
                f"to {SCHEMA_VERSION}). Upgrade mockint or use another --db."
            )
        if version == 0 and self.db.table_names():
            raise StoreError(f"{self.path}: an SQLite file, but not a mockint database")
        for step in range(version, SCHEMA_VERSION):
            with self.db.conn:
                MIGRATIONS[step](self.db)
                self.db.execute(f"PRAGMA user_version = {step + 1}")

    def close(self) -> None:
        self.db.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock, self.db.conn:
            yield

    # sessions -------------------------------------------------------------------------------

    def create_session(
        self,
        *,
        pack_id: str,
        pack_title: str,
        grader: str,
        question_ids: list[str],
        settings: dict[str, Any],
        pack_path: str | None = None,
        model: str | None = None,
        endpoint: str | None = None,
        started_at: str | None = None,
    ) -> int:
        with self.transaction():
            table = self.db["sessions"].insert(
                {
                    "pack_id": pack_id,
                    "pack_title": pack_title,
                    "pack_path": pack_path,
                    "started_at": started_at or now_iso(),
                    "status": "in_progress",
                    "grader": grader,
                    "model": model,
                    "endpoint": endpoint,
                    "question_ids": json.dumps(question_ids),
                    "settings": json.dumps(settings),
                }
            )
            return int(table.last_pk)

    def session(self, session_id: int) -> SessionRow | None:
        rows = list(self.db.query("SELECT * FROM sessions WHERE id = ?", [session_id]))
        return _decode_session(rows[0]) if rows else None

    def sessions(self, limit: int | None = None) -> list[SessionRow]:
        sql = "SELECT * FROM sessions ORDER BY started_at DESC, id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [_decode_session(row) for row in self.db.query(sql)]

    def resumable_session(self) -> SessionRow | None:
        rows = list(
            self.db.query(
                "SELECT * FROM sessions WHERE status = 'in_progress' "
                "ORDER BY started_at DESC, id DESC LIMIT 1"
            )
        )
        return _decode_session(rows[0]) if rows else None

    def finish_session(self, session_id: int, status: str, score: float | None) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self.transaction():
            self.db["sessions"].update(
                session_id, {"status": status, "score": score, "ended_at": now_iso()}
            )

    def update_session(self, session_id: int, **fields: Any) -> None:
        for key in ("question_ids", "settings"):
            if key in fields and not isinstance(fields[key], str):
                fields[key] = json.dumps(fields[key])
        with self.transaction():
            self.db["sessions"].update(session_id, fields)

    # turns ----------------------------------------------------------------------------------

    def start_turn(
        self,
        session_id: int,
        *,
        question_id: str,
        kind: str,
        prompt: str,
        seq: int,
        probes: list[str] | tuple[str, ...] = (),
        budget_seconds: float | None = None,
        started_at: str | None = None,
    ) -> int:
        with self.transaction():
            table = self.db["turns"].insert(
                {
                    "session_id": session_id,
                    "question_id": question_id,
                    "kind": kind,
                    "prompt": prompt,
                    "seq": seq,
                    "probes": json.dumps(list(probes)),
                    "budget_seconds": budget_seconds,
                    "started_at": started_at or now_iso(),
                }
            )
            return int(table.last_pk)

    def submit_answer(
        self, turn_id: int, answer: str, *, skipped: bool = False, submitted_at: str | None = None
    ) -> None:
        """Store the answer and drop the draft in one transaction: the answer is never lost."""
        with self.transaction():
            self.db["turns"].update(
                turn_id,
                {
                    "answer": answer,
                    "skipped": int(skipped),
                    "submitted_at": submitted_at or now_iso(),
                },
            )
            self.db.execute("DELETE FROM drafts WHERE turn_id = ?", [turn_id])

    def set_turn_started(self, turn_id: int, started_at: str) -> None:
        """Move a turn's start (on resume) so the time spent away is not counted."""
        with self.transaction():
            self.db["turns"].update(turn_id, {"started_at": started_at})

    def turn(self, turn_id: int) -> TurnRow | None:
        rows = list(self.db.query("SELECT * FROM turns WHERE id = ?", [turn_id]))
        return _decode_turn(rows[0]) if rows else None

    def turns(self, session_id: int) -> list[TurnRow]:
        rows = self.db.query(
            "SELECT * FROM turns WHERE session_id = ? ORDER BY seq, id", [session_id]
        )
        return [_decode_turn(row) for row in rows]

    def mark_needs_regrade(self, turn_id: int, needed: bool = True) -> None:
        with self.transaction():
            self.db["turns"].update(turn_id, {"needs_regrade": int(needed)})

    def turns_needing_regrade(self) -> list[TurnRow]:
        rows = self.db.query("SELECT * FROM turns WHERE needs_regrade = 1 ORDER BY id")
        return [_decode_turn(row) for row in rows]

    # grades ---------------------------------------------------------------------------------

    def add_grade(self, turn_id: int, grade: Grade, created_at: str | None = None) -> int:
        data = grade.to_dict()
        with self.transaction():
            table = self.db["grades"].insert(
                {
                    "turn_id": turn_id,
                    "grader": grade.grader,
                    "model": grade.model,
                    "endpoint": grade.endpoint,
                    "score": grade.score,
                    "band": grade.band,
                    "feedback": grade.feedback,
                    "points": json.dumps(data["points"]),
                    "red_flags": json.dumps(data["red_flags"]),
                    "prompt_tokens": grade.usage.prompt_tokens,
                    "completion_tokens": grade.usage.completion_tokens,
                    "latency_ms": grade.usage.latency_ms,
                    "note": grade.note,
                    "created_at": created_at or now_iso(),
                }
            )
            return int(table.last_pk)

    def grades(self, turn_id: int) -> list[GradeRow]:
        rows = self.db.query("SELECT * FROM grades WHERE turn_id = ? ORDER BY id", [turn_id])
        return [_decode_grade(row) for row in rows]

    def session_grades(self, session_id: int) -> dict[int, list[GradeRow]]:
        """Every grade of a session's turns, by turn id, in one query."""
        rows = self.db.query(
            "SELECT g.* FROM grades g JOIN turns t ON t.id = g.turn_id "
            "WHERE t.session_id = ? ORDER BY g.id",
            [session_id],
        )
        result: dict[int, list[GradeRow]] = {}
        for row in rows:
            result.setdefault(row["turn_id"], []).append(_decode_grade(row))
        return result

    # drafts ---------------------------------------------------------------------------------

    def save_draft(self, session_id: int, turn_id: int, text: str) -> None:
        with self.transaction():
            self.db["drafts"].upsert(
                {"session_id": session_id, "turn_id": turn_id, "text": text, "saved_at": now_iso()},
                pk="session_id",
            )

    def draft(self, session_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM drafts WHERE session_id = ?", [session_id]))
        return rows[0] if rows else None


def _decode_session(row: dict[str, Any]) -> SessionRow:
    row = dict(row)
    row["question_ids"] = json.loads(row["question_ids"])
    row["settings"] = json.loads(row["settings"])
    return row


def _decode_turn(row: dict[str, Any]) -> TurnRow:
    row = dict(row)
    row["probes"] = json.loads(row["probes"])
    row["skipped"] = bool(row["skipped"])
    row["needs_regrade"] = bool(row["needs_regrade"])
    return row


def _decode_grade(row: dict[str, Any]) -> GradeRow:
    row = dict(row)
    row["points"] = json.loads(row["points"])
    row["red_flags"] = json.loads(row["red_flags"])
    return row
