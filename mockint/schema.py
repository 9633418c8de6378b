"""The database schema: one upgrade step per version, each applied atomically.

The version lives in `PRAGMA user_version`. `upgrade` runs every missing step in its own
`BEGIN IMMEDIATE` transaction that also writes the step's version, so an interruption at any
moment (Ctrl-C, kill -9, a full disk, a file-size limit) leaves the previous version whole and
the next open finishes the job; a concurrent process opening the same file waits for the step
and then sees it done. A new database is built by running every step from zero, so the path an
old file takes is the path every file has taken.

Steps are also idempotent (columns added only when missing, `IF NOT EXISTS` everywhere,
search indexes rebuilt rather than appended to): a file left half-upgraded by an older mockint,
whose steps committed statement by statement, is repaired by running its step again.

To add a version: write `_vN(db)` in the same style and append it to MIGRATIONS.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import sqlite_utils


def _columns(db: sqlite_utils.Database, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def _add_columns(db: sqlite_utils.Database, table: str, *definitions: str) -> None:
    """ALTER TABLE ... ADD COLUMN for each definition whose column is not there yet."""
    present = _columns(db, table)
    for definition in definitions:
        if definition.split()[0] not in present:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {definition}")


def _script(db: sqlite_utils.Database, sql: str) -> None:
    """Run a script statement by statement (never `executescript`, which commits first)."""
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                db.execute(buffer)
            buffer = ""
    if buffer.strip():
        db.execute(buffer)


def _v1(db: sqlite_utils.Database) -> None:
    _script(
        db,
        """
        CREATE TABLE IF NOT EXISTS sessions (
            id INTEGER PRIMARY KEY,
            pack_id TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            status TEXT NOT NULL DEFAULT 'in_progress',
            grader TEXT NOT NULL,
            question_ids TEXT NOT NULL DEFAULT '[]',
            settings TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE IF NOT EXISTS turns (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('main', 'follow_up')),
            prompt TEXT NOT NULL,
            answer TEXT,
            started_at TEXT NOT NULL,
            submitted_at TEXT
        );
        CREATE TABLE IF NOT EXISTS grades (
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
        CREATE INDEX IF NOT EXISTS turns_session ON turns(session_id);
        CREATE INDEX IF NOT EXISTS grades_turn ON grades(turn_id);
        """,
    )


def _v2(db: sqlite_utils.Database) -> None:
    """Scores and provenance for fast history views, token usage, regrade marks and drafts."""
    _add_columns(
        db,
        "sessions",
        "pack_title TEXT NOT NULL DEFAULT ''",
        "pack_path TEXT",
        "model TEXT",
        "endpoint TEXT",
        "score REAL",
    )
    _add_columns(
        db,
        "turns",
        "seq INTEGER NOT NULL DEFAULT 0",
        "probes TEXT NOT NULL DEFAULT '[]'",
        "skipped INTEGER NOT NULL DEFAULT 0",
        "budget_seconds REAL",
        "needs_regrade INTEGER NOT NULL DEFAULT 0",
    )
    _add_columns(
        db,
        "grades",
        "red_flags TEXT NOT NULL DEFAULT '[]'",
        "prompt_tokens INTEGER NOT NULL DEFAULT 0",
        "completion_tokens INTEGER NOT NULL DEFAULT 0",
        "latency_ms REAL NOT NULL DEFAULT 0",
        "note TEXT NOT NULL DEFAULT ''",
    )
    _script(
        db,
        """
        CREATE TABLE IF NOT EXISTS drafts (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            turn_id INTEGER REFERENCES turns(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            saved_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS sessions_started ON sessions(started_at);
        """,
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

    - `turns_fts`: FTS5 over prompt and answer, an external-content index of `turns` kept
      current by triggers (the tables and triggers sqlite-utils' `enable_fts` makes); Porter
      stems over unicode61 with diacritics removed, so "certificates" finds "certificate" and
      "resume" finds "résumé". Rebuilt from `turns` when the step runs.
    - `turns_grams`: a trigram FTS5 copy of only the turns with CJK/Thai/emoji text (see
      GRAM_CHARS); small, because most answers never enter it.
    - `question_results` / `point_results` / `rubric_points`: one row per question (and rubric
      point) of each finished session, written once by mockint.review.results, so stats and the
      scheduler aggregate in SQL instead of re-combining 50,000 grades in Python.
    - `session_summaries`: which sessions are in those tables (an anti-join finds the new ones).
    - `question_reviews`: the FSRS card per pack and question, a cache rebuilt from
      question_results whenever it cannot simply be brought forward.
    """
    _script(
        db,
        f"""
        CREATE VIRTUAL TABLE IF NOT EXISTS "turns_fts" USING FTS5 (
            "prompt", "answer",
            tokenize='porter unicode61 remove_diacritics 2',
            content="turns"
        );
        INSERT INTO "turns_fts" ("turns_fts") VALUES ('rebuild');
        CREATE TRIGGER IF NOT EXISTS "turns_ai" AFTER INSERT ON "turns" BEGIN
          INSERT INTO "turns_fts" (rowid, "prompt", "answer")
            VALUES (new.rowid, new."prompt", new."answer");
        END;
        CREATE TRIGGER IF NOT EXISTS "turns_ad" AFTER DELETE ON "turns" BEGIN
          INSERT INTO "turns_fts" ("turns_fts", rowid, "prompt", "answer")
            VALUES('delete', old.rowid, old."prompt", old."answer");
        END;
        CREATE TRIGGER IF NOT EXISTS "turns_au" AFTER UPDATE ON "turns" BEGIN
          INSERT INTO "turns_fts" ("turns_fts", rowid, "prompt", "answer")
            VALUES('delete', old.rowid, old."prompt", old."answer");
          INSERT INTO "turns_fts" (rowid, "prompt", "answer")
            VALUES (new.rowid, new."prompt", new."answer");
        END;

        CREATE VIRTUAL TABLE IF NOT EXISTS turns_grams
            USING fts5(prompt, answer, tokenize='trigram');
        DELETE FROM turns_grams;
        INSERT INTO turns_grams (rowid, prompt, answer)
            SELECT id, prompt, answer FROM turns AS NEW WHERE {_GRAM_ROW};
        CREATE TRIGGER IF NOT EXISTS turns_grams_ai AFTER INSERT ON turns WHEN {_GRAM_ROW} BEGIN
            INSERT INTO turns_grams (rowid, prompt, answer)
                VALUES (NEW.id, NEW.prompt, NEW.answer);
        END;
        CREATE TRIGGER IF NOT EXISTS turns_grams_ad AFTER DELETE ON turns BEGIN
            DELETE FROM turns_grams WHERE rowid = OLD.id;
        END;
        CREATE TRIGGER IF NOT EXISTS turns_grams_au AFTER UPDATE OF prompt, answer ON turns BEGIN
            DELETE FROM turns_grams WHERE rowid = OLD.id;
            INSERT INTO turns_grams (rowid, prompt, answer)
                SELECT NEW.id, NEW.prompt, NEW.answer WHERE {_GRAM_ROW};
        END;

        CREATE TABLE IF NOT EXISTS session_summaries (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            summarized_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS question_results (
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
        CREATE INDEX IF NOT EXISTS question_results_pack
            ON question_results(pack_id, question_id, at);
        CREATE TABLE IF NOT EXISTS point_results (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            pack_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            point_id TEXT NOT NULL,
            verdict TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (session_id, question_id, point_id)
        );
        CREATE TABLE IF NOT EXISTS rubric_points (
            pack_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            point_id TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            weight REAL NOT NULL DEFAULT 1,
            PRIMARY KEY (pack_id, question_id, point_id)
        );
        CREATE TABLE IF NOT EXISTS question_reviews (
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
        CREATE INDEX IF NOT EXISTS sessions_pack_started ON sessions(pack_id, started_at);
        CREATE INDEX IF NOT EXISTS sessions_score ON sessions(score);
        CREATE INDEX IF NOT EXISTS turns_needs_regrade ON turns(needs_regrade)
            WHERE needs_regrade = 1;
        """,
    )


# A session's identity across databases: pack, start time (milliseconds) and grader. Two
# exports of one session carry the same key; an import that meets a key already here skips it.
SESSION_KEY_SQL = "pack_id || char(31) || started_at || char(31) || grader"


def _v4(db: sqlite_utils.Database) -> None:
    """Concurrency: a uniqueness rule for imports and one writer per session.

    - `session_keys`: every session's key (SESSION_KEY_SQL), unique. Imports insert the key in
      the transaction that inserts the session, so two processes importing one file cannot
      both add it: the second insert fails and that session is skipped. Sessions already
      duplicated by an older mockint keep their rows; the oldest owns the key.
    - `session_owners`: the process (pid, host, a random token) that has a session open for
      writing, with a heartbeat. A second process that opens the session while the owner is
      alive is told so instead of overwriting its answers (see mockint.ownership).
    """
    _script(
        db,
        f"""
        CREATE TABLE IF NOT EXISTS session_keys (
            key TEXT PRIMARY KEY,
            session_id INTEGER NOT NULL UNIQUE REFERENCES sessions(id) ON DELETE CASCADE
        );
        INSERT OR IGNORE INTO session_keys (key, session_id)
            SELECT {SESSION_KEY_SQL}, id FROM sessions ORDER BY id;
        CREATE TABLE IF NOT EXISTS session_owners (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            token TEXT NOT NULL,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            claimed_at TEXT NOT NULL,
            seen_at TEXT NOT NULL
        );
        """,
    )


def _v5(db: sqlite_utils.Database) -> None:
    """`disputes`: the candidate's own verdict on a rubric point ("I covered this" or "not
    covered"), kept beside the grade it disputes and never written into it. One per grade
    and point: changing one's mind replaces it. `mockint eval --disputes` reads them as
    labels."""
    _script(
        db,
        """
        CREATE TABLE IF NOT EXISTS disputes (
            id INTEGER PRIMARY KEY,
            grade_id INTEGER NOT NULL REFERENCES grades(id) ON DELETE CASCADE,
            point_id TEXT NOT NULL,
            claim TEXT NOT NULL CHECK (claim IN ('covered', 'missed')),
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            UNIQUE (grade_id, point_id)
        );
        CREATE INDEX IF NOT EXISTS disputes_grade ON disputes(grade_id);
        """,
    )


# MIGRATIONS[i] takes a database from version i to version i + 1.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3, _v4, _v5]
SCHEMA_VERSION = len(MIGRATIONS)

# Tables a partly created version-0 file may hold: those of step 1, made by an older mockint
# that was interrupted mid-creation. Anything else at version 0 is somebody else's database.
V1_TABLES = frozenset({"sessions", "turns", "grades"})
