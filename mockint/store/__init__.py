"""The SQLite store: every session, turn (a question shown and the answer typed), grade,
dispute and draft, behind one `Store` object; the schema and its upgrade steps are in
mockint.schema.

`Store` is put together from a few classes, one module each, all built on `StoreCore` (the
connection, the lock and `atomic()`):

    core.py      StoreCore: opening the file at the current schema, busy timeouts, transactions
    owners.py    Owners: one writer per session (claim, release, the check on an engine's writes)
    sessions.py  Sessions: creating, listing and ending sessions
    turns.py     Turns: questions, answers and the draft of an answer
    grades.py    Grades: grades and the disputes beside them

Why classes combined by inheritance rather than modules of functions that take the
connection: the engine, the review layer, the screens and the tests all call
`store.submit_answer(...)` and the like, and the lock, the busy timeout and the open
transaction are the state of one object. Functions would leave `Store` a wrapper per method,
each repeating its function's signature; here each method is written once, in the module of
its tables, and uses `self.atomic()` as before. Each part subclasses StoreCore (or Owners,
when its writes are checked against the session's owner), so a type checker sees everything
a method uses without protocols.
"""

from __future__ import annotations

import sys

# sqlite-utils imports numpy and pandas when they are installed, only to map their scalar types
# to column types; mockint stores neither, and numpy (installed for the offline grader's encoder)
# costs about 0.1 s of every command and of the app's start. They are hidden while sqlite-utils
# loads, unless already loaded. This is the package's first code, so it runs before any module
# of the store (or mockint.schema, which they import) loads sqlite-utils, and before any worker
# thread exists.
_HIDDEN = [name for name in ("numpy", "pandas") if name not in sys.modules]
for _name in _HIDDEN:
    sys.modules[_name] = None  # type: ignore[assignment]  # "import numpy" raises ImportError
try:
    import sqlite_utils  # noqa: F401 (loaded here for the reason above)
finally:
    for _name in _HIDDEN:
        if sys.modules.get(_name, ...) is None:
            del sys.modules[_name]

from mockint.dberrors import (  # noqa: E402 (after sqlite-utils, above)
    StoreBusy,
    StoreError,
    StoreFull,
    StoreReadOnly,
)
from mockint.rows import (  # noqa: E402
    DisputeCase,
    DisputeRow,
    DraftRow,
    GradeRow,
    OwnerRow,
    SessionRow,
    TurnRow,
)
from mockint.schema import GRAM_CHARS, MIGRATIONS, SCHEMA_VERSION, _v1  # noqa: E402
from mockint.store.core import BUSY_TIMEOUT_SECONDS  # noqa: E402
from mockint.store.grades import Grades  # noqa: E402
from mockint.store.owners import SessionTaken  # noqa: E402
from mockint.store.sessions import STATUSES, Sessions  # noqa: E402
from mockint.store.turns import Turns  # noqa: E402
from mockint.timestamps import now_iso, parse_iso  # noqa: E402

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


class Store(Sessions, Turns, Grades):
    """One open mockint database: `Store(path)` opens (creating or upgrading) the file."""
