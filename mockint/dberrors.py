"""What went wrong with the database, in one line that says what to do next.

SQLite reports a full disk, a file-size limit, a read-only file, a damaged page, a lock held
too long or a vanished network share as a handful of error codes; `explain` turns each into a
`StoreError` the CLI prints as `mockint: ...` (exit 2) and the app shows as a notice, instead
of a traceback or a misleading "not a mockint database".
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from mockint.errors import UserError


class StoreError(UserError):
    """The database cannot be used: not a database, too new, unreadable, damaged, full."""


class StoreBusy(StoreError):
    """Another process held the write lock for longer than the busy timeout."""


class StoreReadOnly(StoreError):
    """A write was asked of a database this process may only read."""


class StoreFull(StoreError):
    """A write failed for lack of space (a full disk or a file-size limit)."""


class StoreDamaged(StoreError):
    """The file is not a database, or some of its pages are damaged."""


def _name(exc: sqlite3.Error) -> str:
    return getattr(exc, "sqlite_errorname", "") or ""


def busy(path: Path, seconds: float) -> StoreBusy:
    return StoreBusy(
        f"{path}: the database is busy: another mockint process has been writing to it for "
        f"over {seconds:g} s; try again when it is done"
    )


def read_only(path: Path, why: str = "") -> StoreReadOnly:
    reason = f" ({why})" if why else ""
    return StoreReadOnly(
        f"{path}: the database is read-only{reason}: history, show, search, stats and export "
        "still work; to run, resume, import or regrade, make the file and its folder "
        "writable or use another --db"
    )


def explain(exc: sqlite3.Error, path: Path | str, busy_seconds: float = 0) -> StoreError | None:
    """The StoreError for `exc`, or None for errors that are not about the database file
    (a constraint, a programming mistake), which callers let through."""
    path = Path(path)
    name = _name(exc)
    message = str(exc)
    if isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError):
        return None
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in message:
        return busy(path, busy_seconds)
    if name.startswith("SQLITE_FULL") or name == "SQLITE_IOERR_WRITE" or "disk is full" in message:
        return StoreFull(
            f"{path}: cannot write to the database: the disk is full or a file-size limit was "
            "reached; free some space and try again (what was being saved was not changed)"
        )
    if name.startswith("SQLITE_READONLY") or "readonly" in message:
        return read_only(path)
    if name.startswith("SQLITE_NOTADB") or "not a database" in message:
        return StoreDamaged(f"{path}: not a mockint database ({message}); use another --db")
    if name.startswith("SQLITE_CORRUPT") or "malformed" in message:
        return StoreDamaged(
            f"{path}: the database file is damaged ({message}); keep a copy of it, then "
            f"recover what is readable: sqlite3 {path} .recover | sqlite3 recovered.db, "
            "and use --db recovered.db"
        )
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in message:
        return StoreError(
            f"{path}: cannot open the database ({message}); check that its folder exists, is "
            "reachable and is writable, or use another --db"
        )
    if name.startswith("SQLITE_IOERR") or "I/O error" in message:
        return StoreError(
            f"{path}: input/output error on the database ({message}); check the disk or the "
            "network share it lives on, then try again"
        )
    if name.startswith("SQLITE_NOMEM"):
        return StoreError(f"{path}: out of memory reading the database; close other programs")
    if isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError):
        return StoreError(f"{path}: database error: {message}")
    return None
