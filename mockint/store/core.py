"""The store's foundation: one connection, opened at the current schema, and its transactions.

Several processes may use one database at once (the app in two terminals, an import, a
regrade), so every write transaction starts with `BEGIN IMMEDIATE`: it takes the write lock
first and waits for it under the busy timeout. A deferred `BEGIN` that reads and then writes
cannot wait — SQLite fails it at once with "database is locked" when another process wrote in
between. The connection runs in autocommit mode (`isolation_level=None`), so no transaction is
opened behind our back; a lone statement outside `atomic()` is its own transaction.

Calls are small and guarded by a lock so the TUI can make them from worker threads.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils  # first imported by mockint/store/__init__.py, with numpy kept out

from mockint.connection import connect, create_private, enable_wal, shadow_derived, writable
from mockint.dberrors import StoreError, explain, read_only
from mockint.schema import MIGRATIONS, SCHEMA_VERSION, V1_TABLES

# How long a write waits for another process's transaction before giving up. Imports and
# regrades commit per session (milliseconds each); half a minute covers a slow disk, a large
# import's biggest session and a schema upgrade of a big file.
BUSY_TIMEOUT_SECONDS = 30.0


def inserted_id(table: sqlite_utils.db.Table) -> int:
    """The id of the row `table.insert` just wrote (sqlite-utils types it as optional)."""
    if table.last_pk is None:
        raise RuntimeError(f"no row id after an insert into {table.name}")
    return int(table.last_pk)


class StoreCore:
    """What every part of Store (see mockint.store) builds its queries on: the open file,
    the lock its threads share, and `atomic()`; nothing here knows a table but the schema's."""

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

    def insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert one row as it is (columns already encoded) and return its id: for an
        import, which carries every column."""
        with self._lock:
            return inserted_id(self.db.table(table).insert(row))
