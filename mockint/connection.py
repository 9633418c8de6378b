"""Opening the SQLite file: private, in WAL mode, and read-only when it has to be.

A database the user may not write to (a read-only file, folder or filesystem; a backup on a
CD) still opens: history, show, search, stats and export work, and a write says in one line
that the database is read-only (mockint.dberrors). Stats and transcripts keep derived tables
up to date as they read (per-question results, practice cards); on a read-only database those
tables get in-memory copies (`shadow_derived`), which SQLite consults before the file's own,
so the same code computes the same figures and nothing is written to the file.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from pathlib import Path

from mockint import locations
from mockint.dberrors import StoreError

# Tables that are a cache of the sessions, turns and grades (rebuilt from them at any time).
DERIVED_TABLES = (
    "session_summaries",
    "question_results",
    "point_results",
    "rubric_points",
    "question_reviews",
)
_REFERENCES = re.compile(r"REFERENCES\s+\"?\w+\"?\s*\([^)]*\)(\s+ON\s+DELETE\s+CASCADE)?", re.I)
_CREATE_TABLE = re.compile(r"^\s*CREATE\s+TABLE\s+", re.I)
_CREATE_INDEX = re.compile(r"^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(\"?\w+\"?)", re.I)


def create_private(path: Path) -> None:
    """Create the file readable by its owner only before SQLite touches it (0600 in 0700)."""
    locations.private_dir(path.parent)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
        os.chmod(path, 0o600)


def writable(path: Path) -> bool:
    """May this process write the file and create its -wal and -shm files beside it?"""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def connect(path: Path, busy_timeout: float, read_only: bool) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit, see mockint.store)."""

    def open_(target: str | Path, uri: bool = False) -> sqlite3.Connection:
        return sqlite3.connect(
            target, timeout=busy_timeout, check_same_thread=False, isolation_level=None, uri=uri
        )

    if not read_only:
        return open_(path)
    conn = open_(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        # WAL needs its -shm file; a read-only folder cannot have one made. Without pending
        # changes in the -wal file, the file alone is the whole database: read it as it is.
        conn.close()
    wal = Path(str(path) + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise StoreError(
            f"{path}: the database is read-only and its last changes wait in {wal.name}, "
            "which only a writable folder lets SQLite fold in; make the folder writable once "
            "(or copy the database and its -wal file elsewhere) and try again"
        )
    return open_(path.resolve().as_uri() + "?immutable=1", uri=True)


def enable_wal(conn: sqlite3.Connection, busy_timeout: float) -> None:
    """Switch to write-ahead logging (readers never block the writer, nor it them).

    Switching a new file needs a moment alone with it; a second process opening the same new
    file at the same moment gets "locked" at once (no busy wait for this pragma), so it
    retries until the busy timeout.
    """
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def shadow_derived(conn: sqlite3.Connection) -> None:
    """In-memory (TEMP) copies of the derived tables and their indexes, for a read-only file.

    Unqualified names find TEMP tables first, so every query and write of mockint.review
    goes to the copies. Foreign keys are dropped from the copies: their parents live in the
    file, and a TEMP table cannot refer to another schema.
    """
    rows = conn.execute(
        "SELECT type, name, tbl_name, sql FROM main.sqlite_master WHERE tbl_name IN "
        f"({', '.join('?' * len(DERIVED_TABLES))}) AND sql IS NOT NULL ORDER BY type DESC",
        DERIVED_TABLES,
    ).fetchall()
    for kind, name, _table, sql in rows:  # tables first ('table' > 'index')
        if kind == "table":
            ddl = _CREATE_TABLE.sub("CREATE TEMP TABLE ", _REFERENCES.sub("", sql), count=1)
            conn.execute(ddl)
            conn.execute(f'INSERT INTO temp."{name}" SELECT * FROM main."{name}"')
        elif kind == "index":
            conn.execute(
                _CREATE_INDEX.sub(
                    lambda m: f"CREATE {m.group(1) or ''}INDEX temp.{m.group(2)}", sql, count=1
                )
            )
