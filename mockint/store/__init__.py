"""The SQLite store: the connection, its transactions, and the queries the rest of mockint needs.

Every session, turn (a question shown and the answer typed), grade and draft lives here; the
schema and its upgrade steps are in mockint.schema.

Several processes may use one database at once (the app in two terminals, an import, a
regrade), so every write transaction starts with `BEGIN IMMEDIATE`: it takes the write lock
first and waits for it under the busy timeout. A deferred `BEGIN` that reads and then writes
cannot wait — SQLite fails it at once with "database is locked" when another process wrote in
between. The connection runs in autocommit mode (`isolation_level=None`), so no transaction is
opened behind our back; a lone statement outside `atomic()` is its own transaction.

Calls are small and guarded by a lock so the TUI can make them from worker threads.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

# sqlite-utils imports numpy and pandas when they are installed, only to map their scalar types
# to column types; mockint stores neither, and numpy (installed for the offline grader's encoder)
# costs about 0.1 s of every command and of the app's start. They are hidden while sqlite-utils
# loads, unless already loaded. This runs at import time, before any worker thread exists.
_HIDDEN = [name for name in ("numpy", "pandas") if name not in sys.modules]
for _name in _HIDDEN:
    sys.modules[_name] = None  # type: ignore[assignment]  # "import numpy" raises ImportError
try:
    import sqlite_utils
finally:
    for _name in _HIDDEN:
        if sys.modules.get(_name, ...) is None:
            del sys.modules[_name]

from mockint.connection import (  # noqa: E402 (after sqlite-utils, above)
    connect,
    create_private,
    enable_wal,
    shadow_derived,
    writable,
)
from mockint.dberrors import (  # noqa: E402
    StoreBusy,
    StoreError,
    StoreFull,
    StoreReadOnly,
    explain,
    read_only,
)
from mockint.grading.base import Grade  # noqa: E402 (after sqlite-utils, above)
from mockint.grading.serial import grade_columns, points_from_json  # noqa: E402
from mockint.rows import (  # noqa: E402
    DisputeCase,
    DisputeRow,
    DraftRow,
    GradeRow,
    OwnerRow,
    SessionRow,
    TurnRow,
)
from mockint.schema import (  # noqa: E402
    GRAM_CHARS,
    MIGRATIONS,
    SCHEMA_VERSION,
    SESSION_KEY_SQL,
    V1_TABLES,
    _v1,
)
from mockint.timestamps import iso, now_iso, parse_iso  # noqa: E402

STATUSES = ("in_progress", "completed", "abandoned")

# How long a write waits for another process's transaction before giving up. Imports and
# regrades commit per session (milliseconds each); half a minute covers a slow disk, a large
# import's biggest session and a schema upgrade of a big file.
BUSY_TIMEOUT_SECONDS = 30.0

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "GRAM_CHARS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "STATUSES",
    "DisputeCase",
    "DisputeRow",
    "DraftRow",
    "GradeRow",
    "OwnerRow",
    "SessionRow",
    "SessionTaken",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreFull",
    "StoreReadOnly",
    "TurnRow",
    "_v1",
    "now_iso",
    "parse_iso",
]


class SessionTaken(StoreError):
    """A write by an engine whose claim on the session another process has since taken."""


def inserted_id(table: sqlite_utils.db.Table) -> int:
    """The id of the row `table.insert` just wrote (sqlite-utils types it as optional)."""
    if table.last_pk is None:
        raise RuntimeError(f"no row id after an insert into {table.name}")
    return int(table.last_pk)


class Store:
    def __init__(self, path: Path | str, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        self.path = Path(path).expanduser()
        self.busy_timeout = busy_timeout
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a database file")
        try:
            create_private(self.path)
        except OSError as exc:
            raise StoreError(
                f"{self.path}: cannot create the database ({exc.strerror}); check that its "
                "folder is reachable and writable, or choose another --db"
            ) from None
        # read-only: reads work, writes raise StoreReadOnly (see mockint.connection)
        self.read_only = not writable(self.path)
        try:
            conn = connect(self.path, busy_timeout, self.read_only)
        except sqlite3.Error as exc:
            raise self.explain(exc) from None
        self._lock = threading.RLock()
        self.db = sqlite_utils.Database(conn)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            if self.read_only:
                self._check_read_only_version()
                shadow_derived(conn)
            else:
                enable_wal(conn, busy_timeout)
                self._upgrade()
        except StoreError:
            conn.close()
            raise
        except sqlite3.Error as exc:
            conn.close()
            raise self.explain(exc) from None

    def _check_read_only_version(self) -> None:
        version = self.version
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer mockint (schema {version}; this one knows up "
                f"to {SCHEMA_VERSION}). Upgrade mockint or use another --db."
            )
        if version == 0 and not self.db.table_names():
            raise StoreError(f"{self.path}: an empty file, read-only: not a mockint database")
        raise read_only(
            self.path,
            f"and written by an older mockint: it needs a one-time upgrade from schema {version}",
        )

    def explain(self, exc: sqlite3.Error) -> StoreError:
        """`exc` as a one-line StoreError about this database (see mockint.dberrors)."""
        return explain(exc, self.path, self.busy_timeout) or StoreError(
            f"{self.path}: not a mockint database ({exc})"
        )

    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _upgrade(self) -> None:
        """Bring the file to SCHEMA_VERSION, one atomic step at a time (see mockint.schema).

        The version is read again inside each step's transaction: another process may have
        done the step while this one waited for the lock, and then there is nothing to do.
        """
        if self.version == SCHEMA_VERSION:
            return
        while True:
            with self.atomic():
                version = self.version
                if version > SCHEMA_VERSION:
                    raise StoreError(
                        f"{self.path}: written by a newer mockint (schema {version}; this one "
                        f"knows up to {SCHEMA_VERSION}). Upgrade mockint or use another --db."
                    )
                if version == SCHEMA_VERSION:
                    return
                if version == 0 and not set(self.db.table_names()) <= V1_TABLES:
                    raise StoreError(f"{self.path}: an SQLite file, but not a mockint database")
                MIGRATIONS[version](self.db)
                self.db.execute(f"PRAGMA user_version = {version + 1}")

    def close(self) -> None:
        self.db.conn.close()

    def rows(
        self, sql: str, params: list[Any] | dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run a query and fetch every row while holding the lock.

        The TUI calls the store from worker threads that share one connection; a read that
        ran inside another thread's open write would see (or break) its savepoint.
        """
        with self._lock:
            return list(self.db.query(sql, params or []))

    def fetch(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """`rows` as plain tuples, for the aggregates of mockint.review.queries."""
        with self._lock:
            return list(self.db.execute(sql, params or []).fetchall())

    def write(self, sql: str, params: list[Any] | None = None) -> None:
        """One statement that changes the database; inside `atomic()` it joins its
        transaction, outside it is a transaction of its own."""
        with self._lock:
            self.db.execute(sql, params or [])

    @contextmanager
    def patience(self, seconds: float) -> Iterator[None]:
        """Wait at most `seconds` for the write lock inside this block (then StoreBusy).

        The app writes drafts and answers from its UI thread, which must not freeze for the
        full busy timeout while another process writes: it asks for less and retries later.
        """
        with self._lock:
            before = self.busy_timeout
            self._set_busy_timeout(seconds)
            try:
                yield
            finally:
                self._set_busy_timeout(before)

    def _set_busy_timeout(self, seconds: float) -> None:
        self.busy_timeout = seconds
        self.db.conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """All writes inside happen or none do, committed once (nested use: a savepoint).

        The outermost level starts with `BEGIN IMMEDIATE` (see the module docstring), so the
        reads inside see the latest committed state and nothing can change it before the
        commit: a check and the write it guards are one step. One commit (one fsync) per
        batch is also what lets thousands of rows go in in seconds.
        """
        with self._lock:
            conn = self.db.conn
            if conn.in_transaction:
                with self.db.atomic():  # a savepoint inside the open transaction
                    yield
                return
            try:
                # read-only: only the in-memory copies of derived tables can be written, and
                # a write to the file itself fails with StoreReadOnly at the statement
                conn.execute("BEGIN" if self.read_only else "BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self.explain(exc) from None
            try:
                yield
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                problem = (
                    explain(exc, self.path, self.busy_timeout)
                    if isinstance(exc, sqlite3.Error)
                    else None
                )
                if problem is not None:
                    raise problem from None
                raise

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
            started_at = self._unique_start(pack_id, grader, started_at or now_iso())
            table = self.db.table("sessions").insert(
                SessionRow.columns(
                    {
                        "pack_id": pack_id,
                        "pack_title": pack_title,
                        "pack_path": pack_path,
                        "started_at": started_at,
                        "status": "in_progress",
                        "grader": grader,
                        "model": model,
                        "endpoint": endpoint,
                        "question_ids": question_ids,
                        "settings": settings,
                    }
                )
            )
            session_id = inserted_id(table)
            self.add_session_key(session_id)
            return session_id

    def add_session_key(self, session_id: int) -> None:
        """Record the key an export of the session carries (see mockint.schema); fails with
        IntegrityError when another session already has it."""
        self.write(
            f"INSERT INTO session_keys (key, session_id) "
            f"SELECT {SESSION_KEY_SQL}, id FROM sessions WHERE id = ?",
            [session_id],
        )

    def insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert one row as it is (columns already encoded) and return its id: for an
        import, which carries every column."""
        with self._lock:
            return inserted_id(self.db.table(table).insert(row))

    def _unique_start(self, pack_id: str, grader: str, started_at: str) -> str:
        """`started_at`, or a millisecond later while another session already has that key.

        Two processes starting a session of one pack and grader in the same millisecond would
        share a key, and an import would take the second for the first. Inside the write
        transaction (BEGIN IMMEDIATE) the check cannot race.
        """
        moment = parse_iso(started_at)
        while self.db.execute(
            "SELECT 1 FROM session_keys WHERE key = ? || char(31) || ? || char(31) || ?",
            [pack_id, started_at, grader],
        ).fetchone():
            if moment is None:  # not a timestamp mockint wrote: leave it to the caller
                raise ValueError(f"a session of {pack_id} started at {started_at} exists")
            moment += timedelta(milliseconds=1)
            started_at = iso(moment)
        return started_at

    def session(self, session_id: int) -> SessionRow | None:
        rows = self.rows("SELECT * FROM sessions WHERE id = ?", [session_id])
        return SessionRow.from_row(rows[0]) if rows else None

    def sessions(self, limit: int | None = None) -> list[SessionRow]:
        sql = "SELECT * FROM sessions ORDER BY started_at DESC, id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [SessionRow.from_row(row) for row in self.rows(sql)]

    def resumable_session(self) -> SessionRow | None:
        rows = list(
            self.rows(
                "SELECT * FROM sessions WHERE status = 'in_progress' "
                "ORDER BY started_at DESC, id DESC LIMIT 1"
            )
        )
        return SessionRow.from_row(rows[0]) if rows else None

    # one writer per session ----------------------------------------------------------------

    def check_owner(self, session_id: int, owner: str | None) -> None:
        """Inside a write: `owner` (a mockint.ownership token) must still hold the session;
        the write also counts as a sign of life. None: a writer outside any engine (import,
        regrade, tests), not checked."""
        if owner is None:
            return
        if not self.owner_seen(session_id, owner):
            raise SessionTaken(
                f"session {session_id} was taken over by another mockint; nothing more is "
                "saved from here (what you typed stays on screen: copy it before you quit)"
            )

    def owner(self, session_id: int) -> OwnerRow | None:
        rows = self.rows("SELECT * FROM session_owners WHERE session_id = ?", [session_id])
        return OwnerRow.from_row(rows[0]) if rows else None

    def claim_session(self, session_id: int, token: str, pid: int, host: str) -> None:
        """Record `token` (pid on host) as the session's owner, replacing any other."""
        now = now_iso()
        self.write(
            "INSERT OR REPLACE INTO session_owners "
            "(session_id, token, pid, host, claimed_at, seen_at) VALUES (?, ?, ?, ?, ?, ?)",
            [session_id, token, pid, host, now, now],
        )

    def owner_seen(self, session_id: int, token: str) -> bool:
        """A sign of life from the owner `token`; False when it no longer holds the session."""
        with self._lock:
            cursor = self.db.execute(
                "UPDATE session_owners SET seen_at = ? WHERE session_id = ? AND token = ?",
                [now_iso(), session_id, token],
            )
            return cursor.rowcount > 0

    def release_session(self, session_id: int, token: str) -> None:
        self.write(
            "DELETE FROM session_owners WHERE session_id = ? AND token = ?", [session_id, token]
        )

    def finish_session(
        self, session_id: int, status: str, score: float | None, *, owner: str | None = None
    ) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self.atomic():
            self.check_owner(session_id, owner)
            self.db.table("sessions").update(
                session_id, {"status": status, "score": score, "ended_at": now_iso()}
            )

    def update_session(self, session_id: int, **fields: Any) -> None:
        with self.atomic():
            self.db.table("sessions").update(session_id, SessionRow.columns(fields))

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
        owner: str | None = None,
    ) -> int:
        """Open a turn. For an engine (`owner` given) the session must have no open turn:
        a question is never opened twice, whatever another process did meanwhile."""
        with self.atomic():
            self.check_owner(session_id, owner)
            if (
                owner is not None
                and self.db.execute(
                    "SELECT 1 FROM turns WHERE session_id = ? AND submitted_at IS NULL",
                    [session_id],
                ).fetchone()
            ):
                raise SessionTaken(
                    f"session {session_id} already has an open question (opened by another "
                    "mockint); resume the session to continue it"
                )
            table = self.db.table("turns").insert(
                TurnRow.columns(
                    {
                        "session_id": session_id,
                        "question_id": question_id,
                        "kind": kind,
                        "prompt": prompt,
                        "seq": seq,
                        "probes": list(probes),
                        "budget_seconds": budget_seconds,
                        "started_at": started_at or now_iso(),
                    }
                )
            )
            return inserted_id(table)

    def submit_answer(
        self,
        turn_id: int,
        answer: str,
        *,
        skipped: bool = False,
        submitted_at: str | None = None,
        owner: str | None = None,
    ) -> None:
        """Store the answer and drop the draft in one transaction: the answer is never lost.

        Only an open turn takes an answer: one already answered (by another process, say) is
        never overwritten; that is an error the caller shows, keeping the text.
        """
        with self.atomic():
            row = self.db.execute("SELECT session_id FROM turns WHERE id = ?", [turn_id]).fetchone()
            if row is None:
                raise ValueError(f"no turn {turn_id}")
            self.check_owner(row[0], owner)
            cursor = self.db.execute(
                "UPDATE turns SET answer = ?, skipped = ?, submitted_at = ? "
                "WHERE id = ? AND submitted_at IS NULL",
                [answer, int(skipped), submitted_at or now_iso(), turn_id],
            )
            if cursor.rowcount == 0:
                raise SessionTaken(
                    f"this question was already answered (turn {turn_id}, perhaps in another "
                    "mockint); your answer was not stored: it stays on screen"
                )
            self.db.execute("DELETE FROM drafts WHERE turn_id = ?", [turn_id])

    def set_turn_started(self, turn_id: int, started_at: str, *, owner: str | None = None) -> None:
        """Move a turn's start (on resume) so the time spent away is not counted."""
        with self.atomic():
            row = self.db.execute("SELECT session_id FROM turns WHERE id = ?", [turn_id]).fetchone()
            if row is not None:
                self.check_owner(row[0], owner)
            self.db.table("turns").update(turn_id, {"started_at": started_at})

    def turn(self, turn_id: int) -> TurnRow | None:
        rows = self.rows("SELECT * FROM turns WHERE id = ?", [turn_id])
        return TurnRow.from_row(rows[0]) if rows else None

    def turns(self, session_id: int) -> list[TurnRow]:
        rows = self.rows("SELECT * FROM turns WHERE session_id = ? ORDER BY seq, id", [session_id])
        return [TurnRow.from_row(row) for row in rows]

    def mark_needs_regrade(self, turn_id: int, needed: bool = True) -> None:
        with self.atomic():
            self.db.table("turns").update(turn_id, {"needs_regrade": int(needed)})

    def turns_needing_regrade(self) -> list[TurnRow]:
        rows = self.rows("SELECT * FROM turns WHERE needs_regrade = 1 ORDER BY id")
        return [TurnRow.from_row(row) for row in rows]

    # grades ---------------------------------------------------------------------------------

    def add_grade(self, turn_id: int, grade: Grade, created_at: str | None = None) -> int:
        with self.atomic():
            table = self.db.table("grades").insert(
                GradeRow.columns(
                    {
                        "turn_id": turn_id,
                        **grade_columns(grade),
                        "created_at": created_at or now_iso(),
                    }
                )
            )
            return inserted_id(table)

    def grades(self, turn_id: int) -> list[GradeRow]:
        rows = self.rows("SELECT * FROM grades WHERE turn_id = ? ORDER BY id", [turn_id])
        return [GradeRow.from_row(row) for row in rows]

    def session_grades(self, session_id: int) -> dict[int, list[GradeRow]]:
        """Every grade of a session's turns, by turn id, in one query."""
        rows = self.rows(
            "SELECT g.* FROM grades g JOIN turns t ON t.id = g.turn_id "
            "WHERE t.session_id = ? ORDER BY g.id",
            [session_id],
        )
        result: dict[int, list[GradeRow]] = {}
        for row in rows:
            result.setdefault(row["turn_id"], []).append(GradeRow.from_row(row))
        return result

    # disputes -------------------------------------------------------------------------------

    def dispute(self, grade_id: int, point_id: str, claim: str, note: str = "") -> None:
        """Record the candidate's verdict on one point of a grade, beside it (never in it).

        `claim` is "covered" ("I covered this") or "missed" ("not covered"); a second dispute
        of the same point replaces the first.
        """
        if claim not in ("covered", "missed"):
            raise ValueError(f"a dispute claims 'covered' or 'missed', not {claim!r}")
        with self.atomic():
            self.db.execute(
                "INSERT INTO disputes (grade_id, point_id, claim, note, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (grade_id, point_id) DO UPDATE SET "
                "claim = excluded.claim, note = excluded.note, created_at = excluded.created_at",
                [grade_id, point_id, claim, note, now_iso()],
            )

    def withdraw_dispute(self, grade_id: int, point_id: str) -> None:
        with self.atomic():
            self.db.execute(
                "DELETE FROM disputes WHERE grade_id = ? AND point_id = ?", [grade_id, point_id]
            )

    def session_disputes(self, session_id: int) -> dict[int, dict[str, DisputeRow]]:
        """Disputes of a session's grades: grade id -> point id -> the dispute."""
        rows = self.rows(
            "SELECT d.* FROM disputes d JOIN grades g ON g.id = d.grade_id "
            "JOIN turns t ON t.id = g.turn_id WHERE t.session_id = ? ORDER BY d.id",
            [session_id],
        )
        result: dict[int, dict[str, DisputeRow]] = {}
        for row in rows:
            result.setdefault(row["grade_id"], {})[row["point_id"]] = DisputeRow.from_row(row)
        return result

    def all_disputes(self) -> list[DisputeCase]:
        """Every dispute with what it is about (question, answer, the disputed verdict)."""
        rows = self.rows(
            "SELECT d.point_id, d.claim, d.note, d.created_at, g.grader, g.points, "
            "t.question_id, t.answer, t.kind, s.pack_id, s.settings, s.id AS session_id "
            "FROM disputes d JOIN grades g ON g.id = d.grade_id JOIN turns t ON t.id = g.turn_id "
            "JOIN sessions s ON s.id = t.session_id ORDER BY d.id"
        )
        cases = []
        for row in rows:
            verdicts = {p.point_id: p.verdict for p in points_from_json(row.pop("points"))}
            settings = json.loads(row.pop("settings"))
            verdict = verdicts.get(row["point_id"])
            cases.append(DisputeCase(**row, settings=settings, verdict=verdict))
        return cases

    # drafts ---------------------------------------------------------------------------------

    def save_draft(
        self, session_id: int, turn_id: int, text: str, *, owner: str | None = None
    ) -> None:
        with self.atomic():
            self.check_owner(session_id, owner)
            self.db.table("drafts").upsert(
                {"session_id": session_id, "turn_id": turn_id, "text": text, "saved_at": now_iso()},
                pk="session_id",
            )

    def draft(self, session_id: int) -> DraftRow | None:
        rows = self.rows("SELECT * FROM drafts WHERE session_id = ?", [session_id])
        return DraftRow.from_row(rows[0]) if rows else None
