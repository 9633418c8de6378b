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

from mockint import locations
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


# Characters the unicode61 tokenizer cannot cut into words: CJK, Hangul, Thai and Lao (no spaces
# between words, so a whole sentence becomes one token), and emoji and symbols (dropped as
# separators). Turns containing any of them are also indexed by trigrams (`turns_grams`), so a
# search for "服务网格" or "🚀" finds them by substring. A GLOB class, used by the triggers.
GRAM_CHARS = (
    "\u0e00-\u0eff\u1100-\u11ff\u2190-\u2bff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7af"
    "\uf900-\ufaff\ufe30-\ufe4f\U0001f000-\U0001faff\U00020000-\U0003134f"
)
_GRAM_ROW = f"(NEW.prompt || ' ' || coalesce(NEW.answer, '')) GLOB '*[{GRAM_CHARS}]*'"


def _v3(db: sqlite_utils.Database) -> None:
    """Full-text search over turns, per-question results for stats, spaced-practice cards.

    - `turns_fts`: FTS5 over prompt and answer (sqlite-utils enable_fts, kept current by
      triggers); Porter stems over unicode61 with diacritics removed, so "certificates" finds
      "certificate" and "resume" finds "résumé".
    - `turns_grams`: a trigram FTS5 copy of only the turns with CJK/Thai/emoji text (see
      GRAM_CHARS); small, because most answers never enter it.
    - `question_results` / `point_results` / `rubric_points`: one row per question (and rubric
      point) of each finished session, written once by mockint.review.results, so stats and the
      scheduler aggregate in SQL instead of re-combining 50,000 grades in Python.
    - `session_summaries`: which sessions are in those tables (an anti-join finds the new ones).
    - `question_reviews`: the FSRS card per pack and question, a cache rebuilt from
      question_results whenever it cannot simply be brought forward.
    """
    db.table("turns").enable_fts(
        ["prompt", "answer"],
        fts_version="FTS5",
        create_triggers=True,
        tokenize="porter unicode61 remove_diacritics 2",
    )
    db.executescript(
        f"""
        CREATE VIRTUAL TABLE turns_grams USING fts5(prompt, answer, tokenize='trigram');
        INSERT INTO turns_grams (rowid, prompt, answer)
            SELECT id, prompt, answer FROM turns AS NEW WHERE {_GRAM_ROW};
        CREATE TRIGGER turns_grams_ai AFTER INSERT ON turns WHEN {_GRAM_ROW} BEGIN
            INSERT INTO turns_grams (rowid, prompt, answer)
                VALUES (NEW.id, NEW.prompt, NEW.answer);
        END;
        CREATE TRIGGER turns_grams_ad AFTER DELETE ON turns BEGIN
            DELETE FROM turns_grams WHERE rowid = OLD.id;
        END;
        CREATE TRIGGER turns_grams_au AFTER UPDATE OF prompt, answer ON turns BEGIN
            DELETE FROM turns_grams WHERE rowid = OLD.id;
            INSERT INTO turns_grams (rowid, prompt, answer)
                SELECT NEW.id, NEW.prompt, NEW.answer WHERE {_GRAM_ROW};
        END;

        CREATE TABLE session_summaries (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            summarized_at TEXT NOT NULL
        );
        CREATE TABLE question_results (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            pack_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            at TEXT NOT NULL,
            score REAL NOT NULL,
            seconds REAL NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            grader TEXT NOT NULL DEFAULT '',
            UNIQUE (session_id, question_id)
        );
        CREATE INDEX question_results_pack ON question_results(pack_id, question_id, at);
        CREATE TABLE point_results (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            pack_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            point_id TEXT NOT NULL,
            verdict TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (session_id, question_id, point_id)
        );
        CREATE TABLE rubric_points (
            pack_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            point_id TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            weight REAL NOT NULL DEFAULT 1,
            PRIMARY KEY (pack_id, question_id, point_id)
        );
        CREATE TABLE question_reviews (
            pack_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            card TEXT NOT NULL,
            due TEXT NOT NULL,
            last_review TEXT,
            reviews INTEGER NOT NULL DEFAULT 0,
            seen_result_id INTEGER NOT NULL DEFAULT 0,
            last_score REAL,
            PRIMARY KEY (pack_id, question_id)
        );
        CREATE INDEX sessions_pack_started ON sessions(pack_id, started_at);
        CREATE INDEX sessions_score ON sessions(score);
        CREATE INDEX turns_needs_regrade ON turns(needs_regrade) WHERE needs_regrade = 1;
        """
    )


# MIGRATIONS[i] takes a database from version i to version i + 1.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3]
SCHEMA_VERSION = len(MIGRATIONS)


def _create_private(path: Path) -> None:
    """Create the file readable by its owner only before SQLite touches it."""
    locations.private_dir(path.parent)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
        os.chmod(path, 0o600)


def inserted_id(table: sqlite_utils.db.Table) -> int:
    """The id of the row `table.insert` just wrote (sqlite-utils types it as optional)."""
    if table.last_pk is None:
        raise RuntimeError(f"no row id after an insert into {table.name}")
    return int(table.last_pk)


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

    def rows(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> list[dict]:
        """Run a query and fetch every row while holding the lock.

        The TUI calls the store from worker threads that share one connection; a read that
        ran inside another thread's open write would see (or break) its savepoint.
        """
        with self._lock:
            return list(self.db.query(sql, params or []))

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """All writes inside happen or none do, committed once (nested use: a savepoint).

        sqlite-utils 4 commits each write statement by itself unless a transaction is already
        open, so `with conn:` alone does not group them; `Database.atomic()` opens one. One
        commit (one fsync) per batch is also what lets thousands of rows go in in seconds.
        """
        with self._lock, self.db.atomic():
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
        with self.atomic():
            table = self.db.table("sessions").insert(
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
            return inserted_id(table)

    def session(self, session_id: int) -> SessionRow | None:
        rows = self.rows("SELECT * FROM sessions WHERE id = ?", [session_id])
        return _decode_session(rows[0]) if rows else None

    def sessions(self, limit: int | None = None) -> list[SessionRow]:
        sql = "SELECT * FROM sessions ORDER BY started_at DESC, id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [_decode_session(row) for row in self.rows(sql)]

    def resumable_session(self) -> SessionRow | None:
        rows = list(
            self.rows(
                "SELECT * FROM sessions WHERE status = 'in_progress' "
                "ORDER BY started_at DESC, id DESC LIMIT 1"
            )
        )
        return _decode_session(rows[0]) if rows else None

    def finish_session(self, session_id: int, status: str, score: float | None) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self.atomic():
            self.db.table("sessions").update(
                session_id, {"status": status, "score": score, "ended_at": now_iso()}
            )

    def update_session(self, session_id: int, **fields: Any) -> None:
        for key in ("question_ids", "settings"):
            if key in fields and not isinstance(fields[key], str):
                fields[key] = json.dumps(fields[key])
        with self.atomic():
            self.db.table("sessions").update(session_id, fields)

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
        with self.atomic():
            table = self.db.table("turns").insert(
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
            return inserted_id(table)

    def submit_answer(
        self, turn_id: int, answer: str, *, skipped: bool = False, submitted_at: str | None = None
    ) -> None:
        """Store the answer and drop the draft in one transaction: the answer is never lost."""
        with self.atomic():
            self.db.table("turns").update(
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
        with self.atomic():
            self.db.table("turns").update(turn_id, {"started_at": started_at})

    def turn(self, turn_id: int) -> TurnRow | None:
        rows = self.rows("SELECT * FROM turns WHERE id = ?", [turn_id])
        return _decode_turn(rows[0]) if rows else None

    def turns(self, session_id: int) -> list[TurnRow]:
        rows = self.rows("SELECT * FROM turns WHERE session_id = ? ORDER BY seq, id", [session_id])
        return [_decode_turn(row) for row in rows]

    def mark_needs_regrade(self, turn_id: int, needed: bool = True) -> None:
        with self.atomic():
            self.db.table("turns").update(turn_id, {"needs_regrade": int(needed)})

    def turns_needing_regrade(self) -> list[TurnRow]:
        rows = self.rows("SELECT * FROM turns WHERE needs_regrade = 1 ORDER BY id")
        return [_decode_turn(row) for row in rows]

    # grades ---------------------------------------------------------------------------------

    def add_grade(self, turn_id: int, grade: Grade, created_at: str | None = None) -> int:
        data = grade.to_dict()
        with self.atomic():
            table = self.db.table("grades").insert(
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
            return inserted_id(table)

    def grades(self, turn_id: int) -> list[GradeRow]:
        rows = self.rows("SELECT * FROM grades WHERE turn_id = ? ORDER BY id", [turn_id])
        return [_decode_grade(row) for row in rows]

    def session_grades(self, session_id: int) -> dict[int, list[GradeRow]]:
        """Every grade of a session's turns, by turn id, in one query."""
        rows = self.rows(
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
        with self.atomic():
            self.db.table("drafts").upsert(
                {"session_id": session_id, "turn_id": turn_id, "text": text, "saved_at": now_iso()},
                pk="session_id",
            )

    def draft(self, session_id: int) -> dict[str, Any] | None:
        rows = self.rows("SELECT * FROM drafts WHERE session_id = ?", [session_id])
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
